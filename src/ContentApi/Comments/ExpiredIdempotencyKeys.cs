using ContentApi.Infrastructure.Database;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Comments;

/// <summary>
/// Deletes the Idempotency-Keys of comment posts past <see cref="CommentQueries.IdempotencyKeyLifetime"/>:
/// a retry no longer finds them, and the table kept one for every keyed post, for ever.
/// </summary>
internal sealed class ExpiredIdempotencyKeys(NpgsqlDataSource db, IOptions<RetentionOptions> retention, ILogger<ExpiredIdempotencyKeys> logger)
    : ExpiredRowsDeletion(db, retention, logger)
{
    protected override string Description => "Deleting expired comment Idempotency-Keys";

    protected override string DeleteSql => $"""
        delete from comment_idempotency_keys k
        where (k.client, k.key) in (
            select e.client, e.key from comment_idempotency_keys e
            where e.created_at < now() - interval '{CommentQueries.IdempotencyKeyLifetime}'
            limit @batch
            for update skip locked)
        """;
}
