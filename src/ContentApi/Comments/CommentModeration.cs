using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ContentApi.Comments;

/// <summary>Comment settings (<c>Comments:*</c>).</summary>
internal sealed class CommentOptions
{
    /// <summary>pre: every comment waits for a moderator. post: comments appear at once unless held.</summary>
    public string Moderation { get; set; } = "pre";

    /// <summary>A second accepted comment from the same address or email within this time is refused (429).</summary>
    public int FloodIntervalSeconds { get; set; } = 15;

    /// <summary>Comment POSTs per client address and minute (ASP.NET Core rate limiter).</summary>
    public int RateLimitPerMinute { get; set; } = 30;

    /// <summary>Deepest reply level; a top-level comment is level 1.</summary>
    public int MaxDepth { get; set; } = 5;

    /// <summary>More links than this hold a comment for moderation (WordPress: 2).</summary>
    public int MaxLinks { get; set; } = 2;

    /// <summary>Words that hold a comment for moderation.</summary>
    public string[] HeldWords { get; set; } = [];

    /// <summary>Words that send a comment straight to spam.</summary>
    public string[] BlockedWords { get; set; } = [];
}

/// <summary>
/// The status a new comment starts with. Authors are never trusted by email (emails are not
/// verified, so that would let anyone who knows a regular's address skip moderation).
/// </summary>
internal sealed partial class CommentModeration(IOptions<CommentOptions> options)
{
    private readonly CommentOptions settings = options.Value;

    [GeneratedRegex(@"https?://|www\.", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LinkPattern();

    public string InitialStatus(PostCommentRequest request)
    {
        var text = $"{request.AuthorName}\n{request.AuthorUrl}\n{request.Body}";
        if (ContainsAny(text, settings.BlockedWords))
        {
            return "spam";
        }

        if (settings.Moderation != "post"
            || LinkPattern().Count(request.Body ?? "") > settings.MaxLinks
            || ContainsAny(text, settings.HeldWords))
        {
            return "pending";
        }

        return "approved";
    }

    private static bool ContainsAny(string text, string[] words) =>
        words.Any(word => word.Length > 0 && text.Contains(word, StringComparison.OrdinalIgnoreCase));
}
