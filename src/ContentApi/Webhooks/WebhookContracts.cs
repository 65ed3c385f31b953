using ContentApi.Articles;
using ContentApi.Changes;
using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using Microsoft.AspNetCore.Mvc;

namespace ContentApi.Webhooks;

/// <summary>The event types a subscription can name (or <c>*</c> for all): those of the changes feed.</summary>
public static class WebhookEvents
{
    private static readonly string[] Entities = ["person", "organisation", "event", "place", "tag", "author"];

    public static readonly IReadOnlyList<string> All =
    [
        "article.published", "article.updated", "article.unpublished", "article.deleted",
        "comment.approved", "comment.updated", "comment.unapproved", "comment.deleted",
        .. Entities.SelectMany(entity => new[] { $"{entity}.created", $"{entity}.updated", $"{entity}.deleted" }),
    ];

    public const string Any = "*";
}

/// <summary>A new subscription.</summary>
/// <param name="Url">Where to POST the events: an absolute http or https URL (https in production), at most 2,000 characters, no user info. Private, loopback and link-local addresses are refused.</param>
/// <param name="Events">Event types to receive (1 to 50), e.g. `article.published`; `*` for all.</param>
/// <param name="Description">What it is for (at most 500 characters).</param>
/// <param name="Secret">The signing secret, `whsec_` + base64 of 24 to 64 random bytes; generated when absent.</param>
public sealed record CreateWebhookRequest(
    [DocumentedMaxLength(WebhookLimits.Url)] string Url,
    [DocumentedMaxItems(WebhookLimits.Events), DocumentedMaxLength(WebhookLimits.EventName)] IReadOnlyList<string> Events,
    [DocumentedMaxLength(WebhookLimits.Description)] string? Description = null,
    [DocumentedMaxLength(WebhookLimits.Secret)] string? Secret = null)
{
    public static CreateWebhookRequest Example { get; } = new("https://hooks.example.org/contentapi", ["article.published", "article.updated"], "Rebuild the static site");
}

/// <summary>A change to a subscription (JSON Merge Patch): only the members sent change.</summary>
/// <param name="Url">New target URL.</param>
/// <param name="Events">New event types.</param>
/// <param name="Description">New description.</param>
/// <param name="Enabled">`true` resumes deliveries (after an automatic disable, too); `false` pauses them.</param>
public sealed record UpdateWebhookRequest(
    [DocumentedMaxLength(WebhookLimits.Url)] string? Url = null,
    [DocumentedMaxItems(WebhookLimits.Events), DocumentedMaxLength(WebhookLimits.EventName)] IReadOnlyList<string>? Events = null,
    [DocumentedMaxLength(WebhookLimits.Description)] string? Description = null,
    bool? Enabled = null)
{
    public static UpdateWebhookRequest Example { get; } = new(Enabled: true);
}

/// <summary>A subscription (its secret is only shown when it is created).</summary>
/// <param name="Id">Its id.</param>
/// <param name="Url">Where events are POSTed.</param>
/// <param name="Events">The event types it receives (`*`: all).</param>
/// <param name="Description">What it is for.</param>
/// <param name="Enabled">Whether events are delivered; false after repeated failures (see disabledReason) or when paused.</param>
/// <param name="DisabledReason">Why deliveries stopped, when they did automatically.</param>
/// <param name="ConsecutiveFailures">Failed attempts since the last success.</param>
/// <param name="Version">Its version, for If-Match.</param>
/// <param name="CreatedAt">Created, UTC.</param>
/// <param name="UpdatedAt">Last changed, UTC.</param>
public sealed record WebhookSubscription(
    long Id, string Url, IReadOnlyList<string> Events, string? Description, bool Enabled, string? DisabledReason,
    int ConsecutiveFailures, int Version, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static WebhookSubscription Example { get; } = new(
        1, "https://hooks.example.org/contentapi", ["article.published", "article.updated"], "Rebuild the static site", true, null, 0, 1,
        SeedArticle.PublishedAt, SeedArticle.PublishedAt);
}

/// <summary>A subscription as created: with its signing secret, shown this once.</summary>
/// <param name="Subscription">The subscription.</param>
/// <param name="Secret">The signing secret (`whsec_…`): verify each delivery's `webhook-signature` with it (Standard Webhooks).</param>
public sealed record CreatedWebhook(WebhookSubscription Subscription, string Secret)
{
    public static CreatedWebhook Example { get; } = new(WebhookSubscription.Example, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
}

/// <summary>One event for one subscription, and where its delivery stands.</summary>
/// <param name="Id">The delivery's id (for redelivery).</param>
/// <param name="MessageId">The `webhook-id` header: the same on every attempt, for de-duplication.</param>
/// <param name="Event">The event type.</param>
/// <param name="Status">pending (waiting for its next attempt) | delivered | failed (given up after 24 hours of retries).</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="NextAttemptAt">When the next attempt is due, while pending.</param>
/// <param name="LastAttemptAt">When it was last attempted.</param>
/// <param name="LastStatus">The receiver's HTTP status at the last attempt (null: no answer).</param>
/// <param name="LastError">Why the last attempt failed.</param>
/// <param name="CreatedAt">When the event happened (the delivery was created in its transaction).</param>
/// <param name="DeliveredAt">When a receiver accepted it (2xx).</param>
/// <param name="Payload">The body POSTed: {type, timestamp, data} with data the feed's entry.</param>
public sealed record WebhookDelivery(
    long Id, string MessageId, string Event, [DocumentedValues("pending", "delivered", "failed")] string Status, int Attempts,
    DateTime? NextAttemptAt, DateTime? LastAttemptAt, int? LastStatus, string? LastError, DateTime CreatedAt, DateTime? DeliveredAt,
    WebhookPayload Payload)
{
    public static WebhookDelivery Example { get; } = new(
        12, "msg_42_1", "article.published", "delivered", 1, null, SeedArticle.PublishedAt, 200, null, SeedArticle.PublishedAt, SeedArticle.PublishedAt,
        WebhookPayload.Example);
}

/// <summary>The body of a delivery (Standard Webhooks).</summary>
/// <param name="Type">The event type.</param>
/// <param name="Timestamp">When the change took effect, UTC.</param>
/// <param name="Data">The change, as the changes feed tells it.</param>
public sealed record WebhookPayload(string Type, DateTime Timestamp, ContentChange Data)
{
    public static WebhookPayload Example { get; } = new("article.published", SeedArticle.PublishedAt, ContentChange.Example);
}

/// <summary>Paging of a subscription's deliveries, newest first.</summary>
public sealed record WebhookDeliveriesQuery : PagingQuery
{
    /// <summary>Only deliveries in this state.</summary>
    [FromQuery(Name = "status")]
    [DocumentedValues("pending", "delivered", "failed")]
    public string? Status { get; init; }
}

public static class WebhookLimits
{
    public const int Url = 2000;
    public const int Events = 50;
    public const int EventName = 40;
    public const int Description = 500;
    public const int Secret = 100;
}
