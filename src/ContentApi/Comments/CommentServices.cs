using System.Text.Json.Serialization;
using ContentApi.Infrastructure.Http;

namespace ContentApi.Comments;

/// <summary>The comment shapes the API serialises or reads itself (public comments are rendered by PostgreSQL).</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CommentAccepted))]
[JsonSerializable(typeof(EraseCommentsResult))]
[JsonSerializable(typeof(PostCommentRequest))]
[JsonSerializable(typeof(ModerateCommentRequest))]
[JsonSerializable(typeof(EraseCommentsRequest))]
internal sealed partial class CommentsJsonContext : JsonSerializerContext;

internal static class CommentServices
{
    public static IServiceCollection AddComments(this IServiceCollection services)
    {
        services.AddOptions<CommentOptions>().BindConfiguration("Comments")
            .Validate(o => o.Moderation is "pre" or "post", "Comments:Moderation must be 'pre' or 'post'.")
            .Validate(o => o.FloodIntervalSeconds >= 0 && o.RateLimitPerMinute > 0 && o.MaxDepth >= 1 && o.MaxLinks >= 0,
                "Comments: FloodIntervalSeconds ≥ 0, RateLimitPerMinute > 0, MaxDepth ≥ 1, MaxLinks ≥ 0.")
            .ValidateOnStart();
        services.AddSingleton<CommentModeration>();
        services.AddHostedService<ExpiredIdempotencyKeys>();
        services.AddSourceGeneratedJson(CommentsJsonContext.Default);

        return services;
    }
}
