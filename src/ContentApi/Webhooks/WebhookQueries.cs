using ContentApi.Reads;
using Dapper;
using Npgsql;

namespace ContentApi.Webhooks;

/// <summary>Subscriptions and their delivery log (migration 0015); each a single statement.</summary>
internal static class WebhookQueries
{
    /// <summary>What became of a write to a subscription: not there, stale (with the current version), or done.</summary>
    public sealed record WriteOutcome(int? CurrentVersion, string? Document, int? Version);

    public static async Task<(long Id, int Version, string Document)> CreateAsync(
        NpgsqlDataSource db, CreateWebhookRequest request, byte[] secret, CancellationToken cancellationToken)
    {
        const string sql = """
            with created as (
                insert into webhook_subscriptions (url, events, description, secret)
                values (@url, @events, @description, @secret)
                returning *)
            select c.id, c.version, json_build_object('subscription', webhook_subscription_json(c), 'secret', @secretText)::text as document
            from created c
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, int, string)>(new CommandDefinition(sql, new
        {
            url = request.Url,
            events = request.Events.ToArray(),
            description = request.Description,
            secret,
            secretText = WebhookRules.Secret(secret),
        }, cancellationToken: cancellationToken));
    }

    public static async Task<(int Version, string Document)?> GetAsync(NpgsqlDataSource db, long id, CancellationToken cancellationToken)
    {
        const string sql = "select s.version, webhook_subscription_json(s)::text from webhook_subscriptions s where s.id = @id";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<(int, string)?>(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Applies the members sent; re-enabling clears the failure count and the reason.</summary>
    public static async Task<WriteOutcome> UpdateAsync(NpgsqlDataSource db, long id, UpdateWebhookRequest request, int? expectedVersion, CancellationToken cancellationToken)
    {
        const string sql = """
            with current as (
                select s.id, s.version from webhook_subscriptions s where s.id = @id for update),
            updated as (
                update webhook_subscriptions s set
                    url = coalesce(@url, s.url),
                    events = coalesce(@events::text[], s.events),
                    description = coalesce(@description, s.description),
                    enabled = coalesce(@enabled, s.enabled),
                    disabled_reason = case when @enabled then null else s.disabled_reason end,
                    consecutive_failures = case when @enabled then 0 else s.consecutive_failures end
                from current c
                where s.id = c.id and (@expected::int is null or c.version = @expected::int)
                returning s.*)
            select (select c.version from current c) as current_version,
                   (select webhook_subscription_json(u)::text from updated u) as document,
                   (select u.version from updated u) as version
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<WriteOutcome>(new CommandDefinition(sql, new
        {
            id,
            url = request.Url,
            events = request.Events?.ToArray(),
            description = request.Description,
            enabled = request.Enabled,
            expected = expectedVersion,
        }, cancellationToken: cancellationToken));
    }

    /// <summary>Deletes it with its delivery log; the outcome's Document is "" when deleted.</summary>
    public static async Task<WriteOutcome> DeleteAsync(NpgsqlDataSource db, long id, int? expectedVersion, CancellationToken cancellationToken)
    {
        const string sql = """
            with current as (
                select s.id, s.version from webhook_subscriptions s where s.id = @id for update),
            deleted as (
                delete from webhook_subscriptions s using current c
                where s.id = c.id and (@expected::int is null or c.version = @expected::int)
                returning s.id)
            select (select c.version from current c) as current_version,
                   (select '' from deleted) as document,
                   null::int as version
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<WriteOutcome>(new CommandDefinition(sql, new { id, expected = expectedVersion }, cancellationToken: cancellationToken));
    }

    /// <summary>Puts a delivery back in the queue, due now, with the same webhook-id; null when there is no such delivery.</summary>
    public static async Task<string?> RedeliverAsync(NpgsqlDataSource db, long id, long deliveryId, CancellationToken cancellationToken)
    {
        const string sql = """
            update webhook_deliveries d set status = 'pending', next_attempt_at = now(), delivered_at = null
            where d.id = @deliveryId and d.subscription_id = @id
            returning webhook_delivery_json(d)::text
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql, new { id, deliveryId }, cancellationToken: cancellationToken));
    }

    public static ListSpec SubscriptionsSpec() => new(
        Scope: "webhooks",
        ItemJson: "webhook_subscription_json(s)",
        FromWhere: "from webhook_subscriptions s where true",
        Sort: new SortOrder("createdAt", "s.created_at", "s.id", Descending: false),
        Parameters: new SqlParameters()) { IsPublic = false };

    public static ListSpec DeliveriesSpec(long id, WebhookDeliveriesQuery query)
    {
        var parameters = new SqlParameters();
        parameters.Add("id", id);
        parameters.Add("status", query.Status);
        return new ListSpec(
            Scope: $"webhook-deliveries\n{id}\n{query.Status}",
            ItemJson: "webhook_delivery_json(d)",
            FromWhere: "from webhook_deliveries d where d.subscription_id = @id and (@status::text is null or d.status = @status::text)",
            Sort: new SortOrder("-createdAt", "d.created_at", "d.id", Descending: true),
            Parameters: parameters,
            ParentExists: "exists (select 1 from webhook_subscriptions s where s.id = @id)",
            NotFoundDetail: $"No webhook subscription has the id {id}.") { IsPublic = false };
    }
}
