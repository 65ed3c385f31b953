using System.Security.Cryptography;
using ContentApi.Infrastructure.Http;
using ContentApi.Infrastructure.Security;
using ContentApi.Reads;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace ContentApi.Webhooks;

internal static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/webhooks").WithTags("Webhooks").RequireAuthorization(Scopes.WebhooksManage);
        group.MapPost("/", CreateWebhook)
            .WithName(nameof(CreateWebhook))
            .WithSummary("Subscribe a URL to events")
            .WithDescription("Each event of the changes feed the subscription names is POSTed to the URL as `{type, timestamp, data}` with Standard Webhooks headers: `webhook-id` (the same on every retry: de-duplicate on it), `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the secret's bytes). A 2xx within the timeout is a delivery; anything else is retried with exponential backoff and jitter for 24 hours. Deliveries are not ordered: the changes feed is. The secret is answered this once. Only public http(s) targets: loopback, private and link-local addresses are refused, again after DNS resolution.")
            .Accepts<CreateWebhookRequest>("application/json")
            .ProducesProblems(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/", ListWebhooks)
            .WithName(nameof(ListWebhooks))
            .WithSummary("List the subscriptions");
        group.MapGet("/{id:long}", GetWebhook)
            .WithName(nameof(GetWebhook))
            .WithSummary("Get a subscription")
            .WithDescription("With its version as a strong ETag, for If-Match.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id:long}", UpdateWebhook)
            .WithName(nameof(UpdateWebhook))
            .WithSummary("Change, pause or resume a subscription")
            .WithDescription("Only the members sent change. `enabled: true` resumes a subscription disabled after repeated failures (its pending deliveries go out again). Needs `If-Match` with its version: 428 without, 412 when stale.")
            .Accepts<UpdateWebhookRequest>("application/json")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);
        group.MapDelete("/{id:long}", DeleteWebhook)
            .WithName(nameof(DeleteWebhook))
            .WithSummary("Delete a subscription and its delivery log")
            .WithDescription("Needs `If-Match` with its version (or `*`): 428 without, 412 when stale.")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired);
        group.MapGet("/{id:long}/deliveries", ListWebhookDeliveries)
            .WithName(nameof(ListWebhookDeliveries))
            .WithSummary("A subscription's delivery log")
            .WithDescription("Every event sent or to be sent to it, newest first: status, attempts, the receiver's last status or error, the payload. A delivered or failed delivery leaves the log `Webhooks:DeliveryRetentionDays` (30 by default) after its last attempt; pending ones stay.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/deliveries/{deliveryId:long}/redeliver", RedeliverWebhook)
            .WithName(nameof(RedeliverWebhook))
            .WithSummary("Send a delivery again")
            .WithDescription("Puts the delivery back in the queue, due now, with the same webhook-id (whatever its status).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <param name="request">The subscription.</param>
    public static async Task<CreatedRawJsonResult<CreatedWebhook>> CreateWebhook(
        CreateWebhookRequest request, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var secret = WebhookRules.SecretKey(request.Secret) ?? RandomNumberGenerator.GetBytes(32);
        var (id, version, document) = await WebhookQueries.CreateAsync(db, request, secret, cancellationToken);
        httpContext.Response.Headers.ETag = Preconditions.ETag(version);
        return new CreatedRawJsonResult<CreatedWebhook>($"/v1/webhooks/{id}", document);
    }

    /// <param name="query">Paging.</param>
    public static Task<Results<RawPagedResult<WebhookSubscription>, NotModifiedResult, ProblemHttpResult>> ListWebhooks(
        [AsParameters] PagingQuery query, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken) =>
        reads.ListAsync<WebhookSubscription>(httpContext, query, WebhookQueries.SubscriptionsSpec(), cancellationToken);

    /// <param name="id">The subscription's id.</param>
    public static async Task<Results<RawJsonResult<WebhookSubscription>, ProblemHttpResult>> GetWebhook(
        long id, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (await WebhookQueries.GetAsync(db, id, cancellationToken) is not { } subscription)
        {
            return NotFound(id);
        }

        httpContext.Response.Headers.ETag = Preconditions.ETag(subscription.Version);
        return new RawJsonResult<WebhookSubscription>(subscription.Document);
    }

    /// <param name="id">The subscription's id.</param>
    /// <param name="request">The members to change.</param>
    public static async Task<Results<RawJsonResult<WebhookSubscription>, ProblemHttpResult>> UpdateWebhook(
        long id, UpdateWebhookRequest request, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Preconditions.HasIfMatch(httpContext.Request))
        {
            return Preconditions.Required("the subscription's version (its ETag)");
        }

        var outcome = await WebhookQueries.UpdateAsync(db, id, request, Preconditions.ExpectedVersion(httpContext.Request), cancellationToken);
        return outcome switch
        {
            { CurrentVersion: null } => NotFound(id),
            { Document: null } => Preconditions.Stale(httpContext.Response, $"Webhook subscription {id} changed since you read it: reload it and try again.", outcome.CurrentVersion),
            _ => Written(httpContext, outcome),
        };
    }

    /// <param name="id">The subscription's id.</param>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteWebhook(
        long id, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Preconditions.HasIfMatch(httpContext.Request))
        {
            return Preconditions.Required("the subscription's version (its ETag) or *");
        }

        var outcome = await WebhookQueries.DeleteAsync(db, id, Preconditions.ExpectedVersion(httpContext.Request), cancellationToken);
        return outcome switch
        {
            { CurrentVersion: null } => NotFound(id),
            { Document: null } => Preconditions.Stale(httpContext.Response, $"Webhook subscription {id} changed since you read it: reload it and try again.", outcome.CurrentVersion),
            _ => TypedResults.NoContent(),
        };
    }

    /// <param name="id">The subscription's id.</param>
    /// <param name="query">Paging and status.</param>
    public static Task<Results<RawPagedResult<WebhookDelivery>, NotModifiedResult, ProblemHttpResult>> ListWebhookDeliveries(
        long id, [AsParameters] WebhookDeliveriesQuery query, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken) =>
        reads.ListAsync<WebhookDelivery>(httpContext, query, WebhookQueries.DeliveriesSpec(id, query), cancellationToken);

    /// <param name="id">The subscription's id.</param>
    /// <param name="deliveryId">The delivery's id (from the log).</param>
    public static async Task<Results<RawJsonResult<WebhookDelivery>, ProblemHttpResult>> RedeliverWebhook(
        long id, long deliveryId, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        await WebhookQueries.RedeliverAsync(db, id, deliveryId, cancellationToken) is { } delivery
            ? new RawJsonResult<WebhookDelivery>(delivery)
            : Problems.NotFound($"Webhook subscription {id} has no delivery {deliveryId}.");

    private static RawJsonResult<WebhookSubscription> Written(HttpContext httpContext, WebhookQueries.WriteOutcome outcome)
    {
        httpContext.Response.Headers.ETag = Preconditions.ETag(outcome.Version!.Value);
        return new RawJsonResult<WebhookSubscription>(outcome.Document!);
    }

    private static ProblemHttpResult NotFound(long id) => Problems.NotFound($"No webhook subscription has the id {id}.");
}
