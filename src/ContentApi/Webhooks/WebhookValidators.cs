using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace ContentApi.Webhooks;

internal static class WebhookRules
{
    public const string SecretPrefix = "whsec_";

    public static string EventsMessage { get; } =
        $"'events' must list 1 to {WebhookLimits.Events} distinct event types of: {WebhookEvents.Any}, {string.Join(", ", WebhookEvents.All)}.";

    public static bool AreEvents(IReadOnlyList<string>? events) =>
        events is { Count: > 0 and <= WebhookLimits.Events }
        && events.Distinct().Count() == events.Count
        && events.All(e => e == WebhookEvents.Any || WebhookEvents.All.Contains(e));

    /// <summary>The secret's key bytes, or null when it is not whsec_ + base64 of 24 to 64 bytes.</summary>
    public static byte[]? SecretKey(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > WebhookLimits.Secret)
        {
            return null;
        }

        try
        {
            var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
            return key.Length is >= 24 and <= 64 ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static string Secret(byte[] key) => SecretPrefix + Convert.ToBase64String(key);

    public static bool IsDescription(string? description) =>
        description is null || (description.Length <= WebhookLimits.Description && CleanText.IsClean(description));
}

internal sealed class CreateWebhookRequestValidator : AbstractValidator<CreateWebhookRequest>
{
    public CreateWebhookRequestValidator(IOptions<WebhookOptions> options)
    {
        RuleFor(r => r.Url).Custom((url, context) =>
        {
            if (WebhookTargets.UrlProblem(url, options.Value.AllowPrivateTargets) is { } problem)
            {
                context.AddFailure(problem);
            }
        });
        RuleFor(r => r.Events).Must(WebhookRules.AreEvents).WithMessage(WebhookRules.EventsMessage);
        RuleFor(r => r.Description).Must(WebhookRules.IsDescription).WithMessage($"'description' must be plain text of at most {WebhookLimits.Description} characters.");
        RuleFor(r => r.Secret).Must(s => s is null || WebhookRules.SecretKey(s) is not null)
            .WithMessage("'secret' must be whsec_ followed by the base64 of 24 to 64 random bytes (or left out: one is generated).");
    }
}

internal sealed class UpdateWebhookRequestValidator : AbstractValidator<UpdateWebhookRequest>
{
    public UpdateWebhookRequestValidator(IOptions<WebhookOptions> options)
    {
        RuleFor(r => r.Url).Custom((url, context) =>
        {
            if (url is not null && WebhookTargets.UrlProblem(url, options.Value.AllowPrivateTargets) is { } problem)
            {
                context.AddFailure(problem);
            }
        });
        RuleFor(r => r.Events).Must(e => e is null || WebhookRules.AreEvents(e)).WithMessage(WebhookRules.EventsMessage);
        RuleFor(r => r.Description).Must(WebhookRules.IsDescription).WithMessage($"'description' must be plain text of at most {WebhookLimits.Description} characters.");
    }
}

internal sealed class WebhookDeliveriesQueryValidator : AbstractValidator<WebhookDeliveriesQuery>
{
    public WebhookDeliveriesQueryValidator(PagedQueryValidator paging)
    {
        Include(paging);
        RuleFor(q => q.Status).Must(s => s is null or "pending" or "delivered" or "failed")
            .WithMessage("'status' must be one of: pending, delivered, failed.");
    }
}
