using ContentApi.Articles;
using ContentApi.Reads;
using Dapper;
using Npgsql;

namespace ContentApi.Comments;

internal static class CommentQueries
{
    /// <summary>A PublicComment as JSON from a <c>comments c</c> row, kept rendered with comment_public_json by a trigger: no email, address or user agent.</summary>
    private const string PublicJson = "c.public_document";

    /// <summary>
    /// A ModeratorComment as JSON from a <c>comments c</c> row, its article's slug looked up by id:
    /// in a list, for the page's comments only (after its limit), not for every comment it orders.
    /// </summary>
    private const string ModeratorJson = "comment_moderator_json(c, (select a.slug from articles a where a.id = c.article_id))";


    /// <summary>
    /// An article's approved comments, oldest first: flat (each with parentId), or as threads
    /// whose roots are the comments without a visible parent, replies nested.
    /// </summary>
    public static ListSpec PublicListSpec(string slug, bool tree)
    {
        var parameters = new SqlParameters();
        parameters.Add("slug", slug);
        return new ListSpec(
            Scope: $"comments\n{slug}\n{(tree ? "tree" : "flat")}",
            ItemJson: tree ? "comment_thread_json(c)" : PublicJson,
            FromWhere: tree
                ? $"""
                   from comments c
                   where c.article_id = parent.id and c.status = 'approved'
                     and (c.parent_id is null
                          or not exists (select 1 from comments p where p.id = c.parent_id and p.status = 'approved'))
                   """
                : "from comments c where c.article_id = parent.id and c.status = 'approved'",
            Sort: new SortOrder("createdAt", "c.created_at", "c.id", Descending: false),
            Parameters: parameters,
            NotFoundDetail: $"No published article has the slug '{slug}'.")
        {
            Parent = $"select a.id, 'comments:' || a.id || ' article:' || a.id as cache_keys from articles a where a.slug = @slug and {ArticleQueries.IsPublic}",
        };
    }

    /// <summary>One approved comment of a published article, as JSON.</summary>
    public const string PublicCommentSql = $"""
        select {PublicJson}::text as document, c.id as resource_id, l.last_position as last_change, l.last_changed_at
        from comments c join articles a on a.id = c.article_id
        left join lateral content_outbox_last('comment', c.id) l on true
        where c.id = @id and c.status = 'approved' and {ArticleQueries.IsPublic};
        """;

    /// <summary>
    /// The moderation queue, newest first, private fields included. Each filter is a condition
    /// only when given: written `@status is null or c.status = @status`, its plan could use no
    /// index, and every page sorted and counted every comment joined to its article (by hand at
    /// 1,000,000 comments, the pending queue 3.8 s a page, the whole queue past the statements'
    /// 5 s). The status's queue is read in the order of its index (status, newest first), the
    /// whole queue in that of migration 0043's, an article's comments from its id, found once.
    /// The total of the whole queue or of a status is read from the totals its changes keep
    /// (migration 0059): counted, the approved queue took 0.10–0.15 s a page at 1,000,000 comments.
    /// </summary>
    public static ListSpec ModerationQueueSpec(ModerationQueueQuery query)
    {
        var parameters = new SqlParameters();
        var conditions = new List<string>();
        if (query.Status is { } status)
        {
            conditions.Add("c.status = @status");
            parameters.Add("status", status);
        }

        if (query.Article is { } article)
        {
            conditions.Add("c.article_id = parent.id");
            parameters.Add("article", article);
        }

        return new ListSpec(
            Scope: $"moderation\n{query.Status}\n{query.Article}",
            ItemJson: ModeratorJson,
            FromWhere: $"from comments c where {(conditions.Count == 0 ? "true" : string.Join(" and ", conditions))}",
            Sort: new SortOrder("-createdAt", "c.created_at", "c.id", Descending: true),
            Parameters: parameters)
        {
            IsPublic = false,
            BoundedTotal = query.Article is null
                ? $"select coalesce(sum(t.total), 0)::bigint as total, false as estimated from comment_status_totals t where {(query.Status is null ? "true" : "t.status = @status")}"
                : null,
            // A slug that no article has: an empty queue, not a 404.
            Parent = query.Article is null ? null : "select a.id, null::text as cache_keys from articles a where a.slug = @article",
            EmptyWithoutParent = true,
        };
    }

    /// <summary>How long an Idempotency-Key answers a retry with the first answer (SQL interval); then it is deleted (<see cref="ExpiredIdempotencyKeys"/>).</summary>
    public const string IdempotencyKeyLifetime = "24 hours";

    /// <summary>The verdicts on a posted comment, in the order clients should hear them (the SQL returns their names).</summary>
    public enum PostVerdict { Replay, IdempotencyConflict, ArticleNotFound, CommentsClosed, ParentInvalid, TooDeep, Duplicate, Flood, Accepted }

    /// <summary>What became of a posted comment.</summary>
    public sealed record PostOutcome(PostVerdict Outcome, long? CommentId, string? CommentStatus, int? RetryAfterSeconds);

    /// <summary>Everything a new comment is checked and stored with.</summary>
    public sealed record NewComment(
        string Slug, long? ParentId, string AuthorName, string AuthorEmail, string? AuthorUrl, string Body, byte[] BodyHash,
        string Status, string? ClientAddress, string? ClientNetwork, string? UserAgent, string? IdempotencyKey, byte[] RequestHash,
        int FloodSeconds, int MaxDepth);

    /// <summary>
    /// Checks and stores a comment in one round trip and one (implicit) transaction. The
    /// transaction-scoped advisory locks serialise posts of the same email, the same client
    /// network and the same Idempotency-Key of that network (always taken in that order, so they
    /// cannot deadlock), so that duplicate, flood and idempotency checks hold under concurrency.
    /// A key is the client's own: the same key from another network is another request.
    /// The verdict is one of <see cref="PostVerdict"/>, by name (Dapper refuses any other).
    /// </summary>
    public static async Task<PostOutcome> PostAsync(NpgsqlDataSource db, NewComment comment, CancellationToken cancellationToken)
    {
        const string sql = $"""
            select pg_advisory_xact_lock(hashtext('comment-email:' || lower(@AuthorEmail))),
                   -- the address lock serves flood control only (off when the interval is 0)
                   pg_advisory_xact_lock(hashtext(case when @FloodSeconds > 0 then 'comment-network:' || @ClientNetwork::text end)),
                   pg_advisory_xact_lock(hashtext('comment-idempotency:' || coalesce(@ClientNetwork::text, '') || ' ' || @IdempotencyKey::text));

            with article as (
                select a.id, a.comments_open from articles a where a.slug = @Slug and {ArticleQueries.IsPublic}
            ),
            replay as (
                select k.request_hash, k.comment_id, k.comment_status from comment_idempotency_keys k
                where k.client = coalesce(@ClientNetwork::text, '') and k.key = @IdempotencyKey::text and k.created_at > now() - interval '{IdempotencyKeyLifetime}'
            ),
            parent as (
                select c.id, c.depth from comments c join article on c.article_id = article.id
                where c.id = @ParentId::bigint and c.status = 'approved'
            ),
            last_accepted as (
                -- The client's network as the range from its first to its last host, which the
                -- address index can scan: a generic plan cannot make one of "<<= parameter" and
                -- read every comment instead.
                select max(c.created_at) as at from comments c
                where @FloodSeconds > 0 -- 0 switches flood control off
                  and ((c.client_address between set_masklen(network(@ClientNetwork::inet), case family(@ClientNetwork::inet) when 4 then 32 else 128 end)
                                             and set_masklen(broadcast(@ClientNetwork::inet), case family(@ClientNetwork::inet) when 4 then 32 else 128 end)
                        and c.client_address <<= @ClientNetwork::inet)
                       or lower(c.author_email) = lower(@AuthorEmail))
                  and c.created_at > now() - make_interval(secs => @FloodSeconds)
            ),
            verdict as (
                select case
                    when exists (select 1 from replay where request_hash = @RequestHash) then 'Replay'
                    when exists (select 1 from replay) then 'IdempotencyConflict'
                    when not exists (select 1 from article) then 'ArticleNotFound'
                    when not (select comments_open from article) then 'CommentsClosed'
                    when @ParentId::bigint is not null and not exists (select 1 from parent) then 'ParentInvalid'
                    when (select depth from parent) >= @MaxDepth then 'TooDeep'
                    when exists (
                        select 1 from comments c join article on c.article_id = article.id
                        where c.parent_id is not distinct from @ParentId::bigint and c.body_hash = @BodyHash
                          and lower(c.author_email) = lower(@AuthorEmail) and c.status <> 'trash') then 'Duplicate'
                    when (select at from last_accepted) is not null then 'Flood'
                    else 'Accepted' end as outcome
            ),
            inserted as (
                insert into comments (article_id, parent_id, depth, author_name, author_email, author_url, body, body_hash,
                                      status, client_address, user_agent)
                select article.id, @ParentId, coalesce((select depth from parent), 0) + 1, @AuthorName, @AuthorEmail, @AuthorUrl,
                       @Body, @BodyHash, @Status, @ClientAddress::inet, @UserAgent
                from article, verdict
                where verdict.outcome = 'Accepted'
                returning id, status
            ),
            remembered as (
                insert into comment_idempotency_keys (client, key, request_hash, comment_id, comment_status)
                select coalesce(@ClientNetwork::text, ''), @IdempotencyKey::text, @RequestHash, inserted.id, inserted.status from inserted
                where @IdempotencyKey::text is not null
                on conflict (client, key) do update
                    set request_hash = excluded.request_hash, comment_id = excluded.comment_id,
                        comment_status = excluded.comment_status, created_at = now()
            )
            select verdict.outcome,
                   coalesce(inserted.id, (select comment_id from replay)) as comment_id,
                   coalesce(inserted.status, (select comment_status from replay)) as comment_status,
                   ceil(extract(epoch from (select at from last_accepted) + make_interval(secs => @FloodSeconds) - now()))::int
                       as retry_after_seconds
            from verdict left join inserted on true;
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, comment, cancellationToken: cancellationToken));
        await results.ReadAsync(); // the locks
        return await results.ReadSingleAsync<PostOutcome>();
    }

    /// <summary>Whether the comment exists, and its moderator view after the change when the version matched.</summary>
    public sealed record ChangeOutcome(bool Found, string? Document, int? Version);

    /// <summary>Sets a comment's status if its version is <paramref name="expectedVersion"/> (null: any).</summary>
    public static async Task<ChangeOutcome> SetStatusAsync(NpgsqlDataSource db, long id, string status, int? expectedVersion, CancellationToken cancellationToken)
    {
        const string sql = $"""
            with target as (
                select id from comments where id = @id
            ),
            changed as (
                update comments set status = @status
                where id = @id and (@expectedVersion::int is null or version = @expectedVersion::int)
                returning *
            )
            select exists (select 1 from target) as found,
                   (select {ModeratorJson}::text from changed c) as document,
                   (select version from changed) as version
            """;
        return await ChangeCommentsAsync<ChangeOutcome>(db, "c.id = @id", sql, new { id, status, expectedVersion }, cancellationToken);
    }

    /// <summary>
    /// Deletes a comment if its version is <paramref name="expectedVersion"/> (null: any). Its
    /// replies move up one level, to the deleted one's parent, with their whole subtree.
    /// </summary>
    public static async Task<(bool Found, bool Deleted)> DeleteAsync(NpgsqlDataSource db, long id, int? expectedVersion, CancellationToken cancellationToken)
    {
        const string sql = """
            with recursive target as (
                select id, parent_id from comments
                where id = @id and (@expectedVersion::int is null or version = @expectedVersion::int)
            ),
            subtree as (
                select c.id from comments c join target t on c.parent_id = t.id
                union all
                select c.id from comments c join subtree s on c.parent_id = s.id
            ),
            moved as (
                update comments c
                set depth = c.depth - 1,
                    parent_id = case when c.parent_id = (select id from target) then (select parent_id from target) else c.parent_id end
                where c.id in (select id from subtree)
            ),
            deleted as (
                delete from comments where id = (select id from target) returning id
            )
            select exists (select 1 from comments where id = @id) as found, exists (select 1 from deleted) as deleted
            """;
        return await ChangeCommentsAsync<(bool, bool)>(db, "c.id = @id", sql, new { id, expectedVersion }, cancellationToken);
    }

    /// <summary>Anonymises every comment of an email and forgets the idempotency records of them.</summary>
    public static async Task<int> EraseAsync(NpgsqlDataSource db, string authorEmail, CancellationToken cancellationToken)
    {
        const string sql = """
            with erased as (
                update comments
                set author_name = 'Anonymous', author_email = null, author_url = null, client_address = null, user_agent = null
                where lower(author_email) = lower(@authorEmail)
                returning id
            ),
            forgotten as (
                delete from comment_idempotency_keys where comment_id in (select id from erased)
            )
            select count(*)::int from erased
            """;
        return await ChangeCommentsAsync<int>(db, "lower(c.author_email) = lower(@authorEmail)", sql, new { authorEmail }, cancellationToken);
    }

    /// <summary>
    /// Runs a change of existing comments after locking their articles, in one round trip and
    /// one (implicit) transaction, and returns its single row. Every change of comments locks in
    /// one order: the articles by id, then the comments, then the content watermark (through the
    /// triggers). Without the first step an erasure, whose comments span several articles,
    /// takes an article after the watermark while moderation beside it holds that article and
    /// waits for the watermark: a deadlock.
    /// </summary>
    private static async Task<T> ChangeCommentsAsync<T>(NpgsqlDataSource db, string commentCondition, string sql, object parameters, CancellationToken cancellationToken)
    {
        var lockArticles = $"""
            select a.id from articles a
            where a.id in (select c.article_id from comments c where {commentCondition})
            order by a.id
            for no key update of a;

            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(lockArticles + sql, parameters, cancellationToken: cancellationToken));
        await results.ReadAsync(); // the locked articles
        return await results.ReadSingleAsync<T>();
    }
}
