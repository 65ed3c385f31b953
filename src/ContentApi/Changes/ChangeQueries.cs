using ContentApi.Reads;
using Dapper;
using Npgsql;

namespace ContentApi.Changes;

/// <summary>
/// Reads the changes feed: the outbox (migration 0014) after a position, or, without one, the
/// initial sync — every public resource as an upsert, kind by kind in id order — then the
/// outbox from the position it had when the sync began. Changes made while the sync pages are
/// reported again after it (at least once, never lost).
/// </summary>
internal sealed class ChangeQueries(NpgsqlDataSource db, CursorCodec tokens)
{
    private const string TokenScope = "changes";
    private const string ChangesPhase = "changes";
    private const string SyncPhase = "sync";

    /// <summary>Where a reader is: the outbox position read up to, and during the sync the kind (rank) and id reached.</summary>
    private sealed record FeedPosition(long Outbox, int? SyncRank, long SyncId);

    private const string ChangesSql = """
        select o.position, content_change_json(o.resource, o.resource_id, o.slug, o.event, o.deleted, o.changed_at, content_outbox_etag(o), o.keys)::text as document
        from content_outbox o
        where o.position > @outbox
        order by o.position
        limit @take
        """;

    // The head of the outbox, then the next sync items: each kind reads its own index from the
    // id reached (the kinds before the current one are skipped by a one-time filter).
    private const string SyncSql = """
        select coalesce(max(o.position), 0) from content_outbox o;

        select s.rank, s.id, s.document::text as document from (
            (select 1 as rank, p.id, content_change_json('person', p.id, p.slug, 'person.created', false, p.updated_at, content_outbox_resource_etag('person', p.id), content_outbox_keys('person', p.id)) as document
             from people p where @rank <= 1 and p.id > case when @rank = 1 then @id else 0 end order by p.id limit @take)
            union all
            (select 2, o.id, content_change_json('organisation', o.id, o.slug, 'organisation.created', false, o.updated_at, content_outbox_resource_etag('organisation', o.id), content_outbox_keys('organisation', o.id))
             from organisations o where @rank <= 2 and o.id > case when @rank = 2 then @id else 0 end order by o.id limit @take)
            union all
            (select 3, e.id, content_change_json('event', e.id, e.slug, 'event.created', false, e.updated_at, content_outbox_resource_etag('event', e.id), content_outbox_keys('event', e.id))
             from events e where @rank <= 3 and e.id > case when @rank = 3 then @id else 0 end order by e.id limit @take)
            union all
            (select 4, pl.id, content_change_json('place', pl.id, pl.slug, 'place.created', false, pl.updated_at, content_outbox_resource_etag('place', pl.id), content_outbox_keys('place', pl.id))
             from places pl where @rank <= 4 and pl.id > case when @rank = 4 then @id else 0 end order by pl.id limit @take)
            union all
            (select 5, t.id, content_change_json('tag', t.id, t.slug, 'tag.created', false, t.updated_at, content_outbox_resource_etag('tag', t.id), content_outbox_keys('tag', t.id))
             from tags t where @rank <= 5 and t.id > case when @rank = 5 then @id else 0 end order by t.id limit @take)
            union all
            (select 6, au.id, content_change_json('author', au.id, au.slug, 'author.created', false, au.updated_at, content_outbox_resource_etag('author', au.id), content_outbox_keys('author', au.id))
             from authors au where @rank <= 6 and au.id > case when @rank = 6 then @id else 0 end order by au.id limit @take)
            union all
            (select 7, a.id, content_change_json('article', a.id, a.slug, 'article.published', false, a.content_modified_at,
                                                 'W/"a' || a.content_version || '"', content_outbox_keys('article', a.id))
             from articles a where @rank <= 7 and a.id > case when @rank = 7 then @id else 0 end and article_is_public(a) order by a.id limit @take)
            union all
            (select 8, c.id, content_change_json('comment', c.id, null, 'comment.approved', false, c.updated_at, content_outbox_resource_etag('comment', c.id), content_outbox_keys('comment', c.id, c.article_id))
             from comments c join articles a on a.id = c.article_id
             where @rank <= 8 and c.id > case when @rank = 8 then @id else 0 end and c.status = 'approved' and article_is_public(a)
             order by c.id limit @take)
        ) s
        order by s.rank, s.id
        limit @take;
        """;

    /// <summary>The page after <paramref name="since"/> (null: the start of the initial sync); null when the token is not one this feed issued.</summary>
    public async Task<RawChangesPage?> ReadAsync(string? since, int pageSize, CancellationToken cancellationToken)
    {
        var position = since is null ? new FeedPosition(0, 1, 0) : await DecodeAsync(since, cancellationToken);
        return position switch
        {
            null => null,
            { SyncRank: { } rank } => await SyncPageAsync(position, rank, pageSize, since is null, cancellationToken),
            _ => await ChangesPageAsync(position, pageSize, cancellationToken),
        };
    }

    private async Task<RawChangesPage> ChangesPageAsync(FeedPosition position, int pageSize, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<(long Position, string Document)>(new CommandDefinition(
            ChangesSql, new { outbox = position.Outbox, take = pageSize + 1 }, cancellationToken: cancellationToken))).ToList();
        var page = rows.Take(pageSize).ToList();
        var reached = page.Count > 0 ? page[^1].Position : position.Outbox;
        return Page(page.Select(r => r.Document), await EncodeAsync(new FeedPosition(reached, null, 0), cancellationToken), rows.Count > pageSize, ChangesPhase);
    }

    private async Task<RawChangesPage> SyncPageAsync(FeedPosition position, int rank, int pageSize, bool first, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            SyncSql, new { rank, id = position.SyncId, take = pageSize + 1 }, cancellationToken: cancellationToken));
        var head = await results.ReadSingleAsync<long>();
        var rows = (await results.ReadAsync<(int Rank, long Id, string Document)>()).ToList();
        // The sync reports the dataset as of its first page; the outbox is read from there.
        var outbox = first ? head : position.Outbox;
        var page = rows.Take(pageSize).ToList();
        if (rows.Count > pageSize)
        {
            var last = page[^1];
            return Page(page.Select(r => r.Document), await EncodeAsync(new FeedPosition(outbox, last.Rank, last.Id), cancellationToken), true, SyncPhase);
        }

        return Page(page.Select(r => r.Document), await EncodeAsync(new FeedPosition(outbox, null, 0), cancellationToken), head > outbox, SyncPhase);
    }

    private static RawChangesPage Page(IEnumerable<string> documents, string next, bool hasMore, string phase) =>
        new(documents.ToList(), next, hasMore, phase);

    private Task<string> EncodeAsync(FeedPosition position, CancellationToken cancellationToken) =>
        tokens.EncodeAsync(new Cursor(position.SyncRank is { } rank ? SyncPhase + rank : ChangesPhase, false, position.Outbox, position.SyncId),
                           TokenScope, cancellationToken);

    private async Task<FeedPosition?> DecodeAsync(string token, CancellationToken cancellationToken) =>
        await tokens.DecodeAsync(token, TokenScope, cancellationToken) switch
        {
            { Sort: ChangesPhase, Key0: long outbox } => new FeedPosition(outbox, null, 0),
            { Sort: var sort, Key0: long outbox, Key1: var id } when sort.StartsWith(SyncPhase, StringComparison.Ordinal)
                && int.TryParse(sort.AsSpan(SyncPhase.Length), out var rank) && rank is >= 1 and <= 8 => new FeedPosition(outbox, rank, id),
            _ => null,
        };
}
