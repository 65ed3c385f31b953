using ContentApi.Reads;
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

    // The head of the outbox, then the next sync items from the kind and id reached (migration
    // 0019: each kind read from its own index only while the page has room).
    private const string SyncSql = """
        select coalesce(max(o.position), 0) from content_outbox o;
        select s.rank, s.id, s.document from content_sync_page(@rank, @id, @take) s;
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
        await using var command = new NpgsqlCommand(ChangesSql, connection)
        {
            Parameters = { new("outbox", position.Outbox), new("take", pageSize + 1) },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var (page, hasMore) = await ReadPageAsync(reader, pageSize, static row => row.GetInt64(0), cancellationToken);
        var reached = page.Count > 0 ? page[^1].Key : position.Outbox;
        return Page(page, await EncodeAsync(new FeedPosition(reached, null, 0), cancellationToken), hasMore, ChangesPhase);
    }

    private async Task<RawChangesPage> SyncPageAsync(FeedPosition position, int rank, int pageSize, bool first, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SyncSql, connection)
        {
            Parameters = { new("rank", rank), new("id", position.SyncId), new("take", pageSize + 1) },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var head = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        var (page, hasMore) = await ReadPageAsync(reader, pageSize, static row => (Rank: row.GetInt32(0), Id: row.GetInt64(1)), cancellationToken);
        // The sync reports the dataset as of its first page; the outbox is read from there.
        var outbox = first ? head : position.Outbox;
        if (hasMore)
        {
            var last = page[^1].Key;
            return Page(page, await EncodeAsync(new FeedPosition(outbox, last.Rank, last.Id), cancellationToken), true, SyncPhase);
        }

        return Page(page, await EncodeAsync(new FeedPosition(outbox, null, 0), cancellationToken), head > outbox, SyncPhase);
    }

    /// <summary>
    /// Up to <paramref name="pageSize"/> rows, each its position (<paramref name="readKey"/>) and its
    /// item, the last column, as the UTF-8 JSON PostgreSQL sent (not made a string of twice its size
    /// and encoded back for the response); and whether the statement had a row beyond them.
    /// </summary>
    private static async Task<(List<(TKey Key, byte[] Document)> Items, bool HasMore)> ReadPageAsync<TKey>(
        NpgsqlDataReader reader, int pageSize, Func<NpgsqlDataReader, TKey> readKey, CancellationToken cancellationToken)
    {
        var items = new List<(TKey, byte[])>(pageSize);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (items.Count == pageSize)
            {
                return (items, true);
            }

            items.Add((readKey(reader), Utf8Json.Read(reader, reader.FieldCount - 1)));
        }

        return (items, false);
    }

    private static RawChangesPage Page<TKey>(List<(TKey Key, byte[] Document)> page, string next, bool hasMore, string phase) =>
        new(page.ConvertAll(row => (ReadOnlyMemory<byte>)row.Document), next, hasMore, phase);

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
