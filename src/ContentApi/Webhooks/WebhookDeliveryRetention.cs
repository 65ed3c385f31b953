using ContentApi.Infrastructure.Database;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Webhooks;

/// <summary>
/// Deletes the deliveries whose last attempt is older than <see cref="WebhookOptions.DeliveryRetentionDays"/>,
/// delivered or failed: the log holds a delivery, with its payload, for every change each
/// subscription wanted, and without this it grew for ever. Pending deliveries stay, however old
/// (a disabled subscription's go out when it is enabled again). Each subscription's oldest are
/// found through its log's index.
/// </summary>
internal sealed class WebhookDeliveryRetention(
    NpgsqlDataSource db, IOptions<RetentionOptions> retention, IOptions<WebhookOptions> options, ILogger<WebhookDeliveryRetention> logger)
    : ExpiredRowsDeletion(db, retention, logger)
{
    protected override string Description => "Deleting webhook deliveries past their retention";

    protected override string DeleteSql => """
        delete from webhook_deliveries d
        where d.id in (
            select expired.id
            from webhook_subscriptions s
            cross join lateral (
                select e.id from webhook_deliveries e
                where e.subscription_id = s.id and e.created_at < now() - make_interval(days => @retentionDays)
                  and e.status <> 'pending' and coalesce(e.last_attempt_at, e.created_at) < now() - make_interval(days => @retentionDays)
                order by e.created_at, e.id
                limit @batch
                for update skip locked) expired
            limit @batch)
        """;

    protected override DynamicParameters Parameters => new(new { retentionDays = options.Value.DeliveryRetentionDays });
}
