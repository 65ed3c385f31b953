using System.Net.Mail;
using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using FluentValidation;

namespace ContentApi.Comments;

internal sealed class PostCommentRequestValidator : AbstractValidator<PostCommentRequest>
{
    public PostCommentRequestValidator()
    {
        RuleFor(r => r.AuthorName).Must(v => !string.IsNullOrWhiteSpace(v)).WithMessage("'authorName' is required.")
            .DependentRules(() => RuleFor(r => r.AuthorName!.Trim().Length).LessThanOrEqualTo(CommentLimits.AuthorName)
                .OverridePropertyName("authorName").WithMessage($"'authorName' must be at most {CommentLimits.AuthorName} characters."));
        RuleFor(r => r.AuthorEmail).Must(v => !string.IsNullOrWhiteSpace(v)).WithMessage("'authorEmail' is required.")
            .DependentRules(() =>
            {
                RuleFor(r => r.AuthorEmail!.Length).LessThanOrEqualTo(CommentLimits.AuthorEmail)
                    .OverridePropertyName("authorEmail").WithMessage($"'authorEmail' must be at most {CommentLimits.AuthorEmail} characters.");
                RuleFor(r => r.AuthorEmail).Must(EmailAddresses.IsValid).WithMessage("'authorEmail' must be a valid email address.");
            });
        RuleFor(r => r.AuthorUrl).MaximumLength(CommentLimits.AuthorUrl)
            .Must(WebUrls.IsWebUrl).WithMessage("'authorUrl' must be an absolute http or https URL.")
            .When(r => r.AuthorUrl is not null);
        RuleFor(r => r.Body).Must(v => !string.IsNullOrWhiteSpace(v)).WithMessage("'body' is required.")
            .DependentRules(() => RuleFor(r => r.Body!.Trim().Length).LessThanOrEqualTo(CommentLimits.Body)
                .OverridePropertyName("body").WithMessage($"'body' must be at most {CommentLimits.Body} characters."));
        RuleFor(r => r.ParentId).GreaterThan(0).When(r => r.ParentId is not null);

        RuleFor(r => r.AuthorName).Must(CleanText.IsClean).WithMessage($"'authorName' {CleanText.Message}");
        RuleFor(r => r.AuthorEmail).Must(CleanText.IsClean).WithMessage($"'authorEmail' {CleanText.Message}");
        RuleFor(r => r.AuthorUrl).Must(CleanText.IsClean).WithMessage($"'authorUrl' {CleanText.Message}");
        RuleFor(r => r.Body).Must(CleanText.IsClean).WithMessage($"'body' {CleanText.Message}");
    }

}

internal static class EmailAddresses
{
    /// <summary>A plain address (no display name, no spaces) on a host with a dot: what the comment form stores.</summary>
    public static bool IsValid(string? value) =>
        value is not null
        && MailAddress.TryCreate(value, out var address)
        && address.Address == value
        && address.Host.Contains('.', StringComparison.Ordinal)
        && !value.Any(char.IsWhiteSpace);
}

internal sealed class ModerateCommentRequestValidator : AbstractValidator<ModerateCommentRequest>
{
    public ModerateCommentRequestValidator() =>
        RuleFor(r => r.Status).Must(s => s is "approved" or "pending" or "spam" or "trash")
            .WithMessage("'status' must be one of: approved, pending, spam, trash.");
}

internal sealed class EraseCommentsRequestValidator : AbstractValidator<EraseCommentsRequest>
{
    public EraseCommentsRequestValidator() =>
        // Only what the form accepts can be stored, so anything else could never match: say so.
        RuleFor(r => r.AuthorEmail).Must(v => v is not null && v.Length <= CommentLimits.AuthorEmail && EmailAddresses.IsValid(v.Trim()))
            .WithMessage($"'authorEmail' is required: a valid email address of at most {CommentLimits.AuthorEmail} characters.");
}

internal sealed class ListCommentsQueryValidator : AbstractValidator<ListCommentsQuery>
{
    public ListCommentsQueryValidator(PagedQueryValidator paging)
    {
        Include(paging);
        RuleFor(q => q.View).Must(v => v is null or "flat" or "tree").WithMessage("'view' must be 'flat' or 'tree'.");
    }
}

internal sealed class ModerationQueueQueryValidator : AbstractValidator<ModerationQueueQuery>
{
    public ModerationQueueQueryValidator(PagedQueryValidator paging)
    {
        Include(paging);
        RuleFor(q => q.Status).Must(s => s is null or "pending" or "approved" or "spam" or "trash")
            .WithMessage("'status' must be one of: pending, approved, spam, trash.");
        RuleFor(q => q.Article).Must(a => a is null || Slugs.IsValid(a)).WithMessage(_ => Slugs.Message("article"));
    }
}
