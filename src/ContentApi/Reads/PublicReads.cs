using System.Data.Common;
using System.Globalization;
using ContentApi.Infrastructure.Http;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NpgsqlTypes;

namespace ContentApi.Reads;

/// <summary>
/// The read path shared by every public list and entity view: cursor or page-number paging,
/// conditional GET on the content watermark, and one SQL round trip for a 200.
/// </summary>
internal sealed class PublicReads(ReadRouting routing, ConditionalRequests conditionalRequests, CursorCodec cursors, ListTotals totals,
                                   IOptions<FullTextOptions> fullText)
{
    /// <summary>
    /// The one row of a list page's statement: the list's head (the watermark, whether the parent
    /// exists, its cache keys, the total and the version it holds for) and the page's items in the
    /// statement's order, each one's JSON (UTF-8) in <paramref name="Items"/>, a zero byte between
    /// two; the sort keys of the statement's first item and of the last one a page of
    /// <c>size</c> shows; no items (and no keys) on an empty page; whether the page came from the
    /// matches ranked above the floor alone (<see cref="ListSpec.RankFloor"/>; null for other lists).
    /// </summary>
    private sealed record PageRow(
        long Version, DateTime ChangedAt, DateTime? VisibleUntil, bool ParentExists, string? ParentCacheKeys, long? TotalItems,
        bool TotalEstimated, long TotalVersion, byte[]? Items, object? FirstKey0, long? FirstKey1, object? LastKey0, long? LastKey1,
        long? CountedItems, bool? PageFromRanked)
    {
        // In the order of the statement's columns.
        public static PageRow Read(DbDataReader row) => new(
            row.GetInt64(0), row.GetDateTime(1), row.IsDBNull(2) ? null : row.GetDateTime(2), row.GetBoolean(3),
            row.IsDBNull(4) ? null : row.GetString(4), row.IsDBNull(5) ? null : row.GetInt64(5), row.GetBoolean(6), row.GetInt64(7),
            row.IsDBNull(8) ? null : Utf8Json.Read(row, 8), row.IsDBNull(9) ? null : row.GetValue(9), row.IsDBNull(10) ? null : row.GetInt64(10),
            row.IsDBNull(11) ? null : row.GetValue(11), row.IsDBNull(12) ? null : row.GetInt64(12), row.IsDBNull(13) ? null : row.GetInt64(13),
            row.IsDBNull(14) ? null : row.GetBoolean(14));

        /// <summary>
        /// Every item, as slices of <see cref="Items"/>. No JSON text holds a zero byte: PostgreSQL's
        /// text cannot hold one, and JSON writes U+0000 escaped.
        /// </summary>
        public List<ReadOnlyMemory<byte>> AllItems()
        {
            if (Items is null)
            {
                return [];
            }

            var items = new List<ReadOnlyMemory<byte>>(Items.AsSpan().Count((byte)0) + 1);
            var rest = Items.AsMemory();
            for (var end = rest.Span.IndexOf((byte)0); end >= 0; end = rest.Span.IndexOf((byte)0))
            {
                items.Add(rest[..end]);
                rest = rest[(end + 1)..];
            }

            items.Add(rest);
            return items;
        }

        public (object Key0, long Key1)? FirstKeys => FirstKey0 is { } key0 ? (key0, FirstKey1!.Value) : null;

        public (object Key0, long Key1)? LastKeys => LastKey0 is { } key0 ? (key0, LastKey1!.Value) : null;
    }

    public async Task<Results<RawPagedResult<T>, NotModifiedResult, ProblemHttpResult>> ListAsync<T>(
        HttpContext httpContext, IPagedQuery query, ListSpec spec, CancellationToken cancellationToken)
    {
        Cursor? cursor = null;
        if (query.Cursor is { } token)
        {
            cursor = await cursors.DecodeAsync(token, spec.Scope, cancellationToken);
            if (cursor is null || cursor.Sort != spec.Sort.Name)
            {
                return Problems.Validation("cursor", "The cursor is not valid for this list: follow a 'next' or 'prev' link of the same query unchanged.");
            }
        }

        if (spec.IsPublic && await NotModifiedAsync(httpContext, "", cancellationToken) is { } notModified)
        {
            return notModified;
        }

        var size = query.Size();
        var backward = cursor?.Backward == true;
        var offset = cursor is null ? query.Offset() : 0;
        var (known, count, atMost) = spec.RemembersTotal ? await totals.KnownAsync(spec.Scope, spec.TotalVersion, cancellationToken) : default;
        // Ended below, or, when the statement fails, given back for the pages waiting for its total to count.
        using var counting = count;
        var statement = PageStatement.Of(spec, size, cursor, offset, known, atMost, fullText.Value.RankedMatchesAtMost);
        var db = await routing.SourceForAsync(httpContext, cancellationToken);
        var pageRow = (await CoalescedListStatements.RowsAsync(db, statement.Sql, statement.Parameters, PageRow.Read, cancellationToken))[0];
        var watermark = new ContentWatermark(pageRow.Version, pageRow.ChangedAt, pageRow.VisibleUntil);
        var totalItems = pageRow.TotalItems ?? pageRow.CountedItems ?? 0;
        if (spec.RemembersTotal)
        {
            var answer = new ListTotals.Counted(pageRow.TotalVersion, watermark.VisibleUntil, totalItems, pageRow.TotalEstimated, pageRow.PageFromRanked == true);
            if (known is null || known.Version != answer.Version || known.VisibleUntil != answer.VisibleUntil)
            {
                totals.Remember(spec.Scope, spec.TotalVersion, answer, spec.KeepsShortTotal);
            }

            counting?.Ended(answer);
        }

        if (!pageRow.ParentExists)
        {
            return Problems.NotFound(spec.NotFoundDetail ?? "Not found.");
        }

        // The statement reads one item past the page, to tell whether there are more; a page
        // backwards reads them in reverse.
        var items = pageRow.AllItems();
        var hasMore = items.Count > size;
        if (hasMore)
        {
            items.RemoveRange(size, items.Count - size);
        }

        if (backward)
        {
            items.Reverse();
        }

        var (first, last) = backward ? (pageRow.LastKeys, pageRow.FirstKeys) : (pageRow.FirstKeys, pageRow.LastKeys);

        var request = httpContext.Request;
        var urls = new PageUrls(request);
        var page = cursor is null ? query.PageNumber() : (int?)null;

        // next: forward from the last item; prev: backward from the first. On an empty page
        // reached by cursor, both continue from the cursor's own position.
        string? nextCursor = (backward, hasMore, last) switch
        {
            (false, true, { } keys) => await CursorAsync(spec, keys.Key0, keys.Key1, backward: false, cancellationToken),
            (true, _, { } keys) => await CursorAsync(spec, keys.Key0, keys.Key1, backward: false, cancellationToken),
            (true, _, null) => await CursorAsync(spec, cursor!.Key0, cursor.Key1, backward: false, cancellationToken),
            _ => null,
        };
        string? prevLink = (cursor, backward, hasMore, first) switch
        {
            (null, _, _, _) => page > 1 ? urls.With(size, page: page - 1) : null,
            (_, false, _, { } keys) => urls.With(size, cursor: await CursorAsync(spec, keys.Key0, keys.Key1, backward: true, cancellationToken)),
            (_, false, _, null) => urls.With(size, cursor: await CursorAsync(spec, cursor.Key0, cursor.Key1, backward: true, cancellationToken)),
            (_, true, true, { } keys) => urls.With(size, cursor: await CursorAsync(spec, keys.Key0, keys.Key1, backward: true, cancellationToken)),
            _ => null,
        };

        var links = new PageLinks(
            Self: urls.With(size, page: page, cursor: query.Cursor),
            First: urls.With(size, page: 1),
            Next: nextCursor is null ? null : urls.With(size, cursor: nextCursor),
            Prev: prevLink);
        var totalPages = (int)Math.Max(1, (totalItems + size - 1) / size);

        if (spec.IsPublic)
        {
            var validators = watermark.ValidatorsFor(request);
            conditionalRequests.Apply(httpContext.Response, validators);
            CacheTags.Set(httpContext.Response, spec.CacheKeys.Concat(pageRow.ParentCacheKeys?.Split(' ') ?? []));
            if (ConditionalRequests.HasConditions(request) && ConditionalRequests.IsNotModified(request, validators))
            {
                return NotModifiedResult.Instance;
            }
        }

        httpContext.Response.Headers.Link = PageUrls.LinkHeader(links);
        // Only search hits are rendered here (their snippets cut from the stored text), UTF-8 to UTF-8.
        if (spec.RenderItem is { } render)
        {
            items = items.ConvertAll(item => (ReadOnlyMemory<byte>)render(item));
        }

        return new RawPagedResult<T>(items, new PageInfo(page, size, totalItems, pageRow.TotalEstimated, totalPages), links);
    }

    /// <summary>The statement of one list page (one row, <see cref="PageRow"/>) with its values.</summary>
    internal sealed record PageStatement(string Sql, SqlParameters Parameters)
    {
        /// <summary>
        /// The page of <paramref name="size"/> items at the cursor or offset, its total counted unless
        /// <paramref name="known"/> still holds (whose <see cref="ListTotals.Counted.PageFromRanked"/>
        /// it is given as a hint); <paramref name="atMost"/>: how many items the list
        /// likely holds, when known (<see cref="ListTotals.Known"/>); <paramref name="rankedAtMost"/>:
        /// <see cref="FullTextOptions.RankedMatchesAtMost"/>.
        /// </summary>
        public static PageStatement Of(ListSpec spec, int size, Cursor? cursor, int offset, ListTotals.Counted? known, long? atMost = null,
                                       int rankedAtMost = FullTextOptions.DefaultRankedMatchesAtMost)
        {
            var descending = spec.Sort.Descending ^ (cursor?.Backward == true);
            var direction = descending ? "desc" : "asc";
            var parameters = new SqlParameters();
            // The limit is a validated integer written into the text, and OFFSET appears only when it
            // is not zero: a prepared statement's generic plan with an unknown LIMIT/OFFSET runs ~4×
            // slower than the plan for the known values.
            var order = $"order by {spec.Sort.Key0} {direction}, {spec.Sort.Key1} {direction}";
            var limit = string.Create(CultureInfo.InvariantCulture, $"limit {size + 1}");
            parameters.Add("offset", offset);
            var keyset = "";
            if (cursor is not null)
            {
                keyset = $" and ({spec.Sort.Key0}, {spec.Sort.Key1}) {(descending ? "<" : ">")} (@cursorKey0, @cursorKey1)";
                parameters.Add("cursorKey0", cursor.Key0);
                parameters.Add("cursorKey1", cursor.Key1);
            }
            else if (offset > 0 && spec.Sort.Indexed)
            {
                // A page by number starts at the keys of its first item, found by skipping the sort
                // keys alone (an index-only scan), not whole rows: OFFSET read and dropped every
                // skipped article (page 20 of 50: 1,000 rows, 1.4 ms; 10,000 deep: 31 → 1.6 ms).
                keyset = $" and ({spec.Sort.Key0}, {spec.Sort.Key1}) {(descending ? "<=" : ">=")} (select {spec.Sort.Key0}, {spec.Sort.Key1} {spec.FromWhere} {order} limit 1 offset @offset)";
            }
            else if (offset > 0)
            {
                limit += " offset @offset";
            }

            if (spec.ReadsFromPosition)
            {
                parameters.Add("pageReach", offset + size + 1);
                _ = spec.PositionKey0Type switch
                {
                    NpgsqlDbType.Real => parameters.Add("positionKey0", cursor?.Key0 as float?, NpgsqlDbType.Real),
                    NpgsqlDbType.TimestampTz => parameters.Add("positionKey0", cursor?.Key0 as DateTime?, NpgsqlDbType.TimestampTz),
                    NpgsqlDbType.Text => parameters.Add("positionKey0", cursor?.Key0 as string),
                    var type => throw new NotSupportedException($"A list read from its position by a key of type {type}."),
                };
                parameters.Add("positionKey", cursor?.Key1, NpgsqlDbType.Bigint);
                parameters.Add("positionBackward", cursor?.Backward == true);
                parameters.Add("totalAtMost", atMost, NpgsqlDbType.Bigint);
                parameters.Add("pageFromRanked", known?.PageFromRanked == true);
                parameters.Add("rankedAtMost", rankedAtMost);
            }

            parameters.Add("knownVersion", known?.Version ?? -1);
            // Typed even when null: an untyped parameter keeps Npgsql from preparing the statement.
            parameters.Add("knownVisibleUntil", known?.VisibleUntil, NpgsqlDbType.TimestampTz);
            parameters.Add("knownTotal", known?.Total ?? 0);
            parameters.Add("knownEstimated", known?.Estimated == true);
            var countedWithPage = spec.ReadsAllItems && cursor is null && offset == 0 && known is null;
            // The total and whether it is estimated, run only when the known total no longer holds:
            // a condition on the head alone, checked once before the count (`offset 0`: pulled up,
            // it became the join's filter, after the count).
            var count = spec.BoundedTotal ?? $"select count(*) as total, false as estimated {spec.CountFromWhere ?? spec.FromWhere}";
            // The version the total holds for (ListSpec.TotalVersion), from the watermark's row.
            var (totalVersion, totalVersionSource) = spec.TotalVersion switch
            {
                TotalVersion.ArticleListMembers => ("m.members_version", "cross join (select c.members_version from content_changes c where c.id) m"),
                _ => ("w.version", ""),
            };
            var totalHolds = $"{totalVersion} = @knownVersion and w.visible_until is not distinct from @knownVisibleUntil";
            // A 404 unless this holds.
            var parentExists = (spec.Parent, spec.EmptyWithoutParent) switch
            {
                (null, _) => spec.ParentExists ?? "true",
                (_, true) => "true",
                _ => "parent.id is not null",
            };
            // One statement of one row: the watermark with the parent check and the total (counted
            // only when its version moved since it was cached), and the page's items. Pages asked at
            // the same time with the same statement share it.
            // `offset 0` keeps the head a subquery of one row, computed once: pulled up into the join,
            // its count and parent check ran again for every item of the page.
            // A list with a parent finds it once, in the head (`parent`), and its items' statement
            // reads the id the head found under the same name. The watermark is a subquery of its own
            // (`offset 0`) for the same reason: flattened, its newest visible publication (a lookup
            // in the index) was copied into each expression that names it, up to four lookups a page.
            // The items are aggregated in the order their subquery sorts them (an aggregate reads a
            // sorted subquery's rows in that order): a row for each item cost PostgreSQL a row to
            // sort and send with the head's columns, and the API a row to read and an array each.
            // By hand (cache off, the build before and this one serving at once, measured in turns):
            // the whole machine's CPU a page of 50 articles 435–527 → 366–448 µs, of 10 articles
            // 223 → 208, a comments page 314–319 → 261–300. Their JSON is one value, a zero byte
            // between two, and the cursors' positions are the first item's keys and those of the
            // last one the page shows: arrays of every item's length and keys cost the API their
            // decoding (5% of its CPU a list page in a profile); without them the API's CPU a
            // `list` page 181 → 176 µs, a comments page 126 → 121.
            var sql = $"""
                select h.version, h.changed_at, h.visible_until, h.parent_exists, h.parent_cache_keys, h.total_items, h.total_estimated, h.total_version,
                       p.items, p.first_key0, p.first_key1, p.last_key0, p.last_key1, p.counted_items, p.page_from_ranked
                from (select w.version, w.changed_at, w.visible_until,
                             {parentExists} as parent_exists,
                             {(spec.Parent is null ? spec.ParentCacheKeys ?? "null::text" : "parent.cache_keys")} as parent_cache_keys,
                             case when {totalHolds} then @knownTotal::bigint else {(countedWithPage ? "null" : "c.total")} end as total_items,
                             case when {totalHolds} then @knownEstimated else {(countedWithPage ? "false" : "c.estimated")} end as total_estimated,
                             {totalVersion} as total_version
                             {(spec.Parent is null ? "" : ", parent.id as parent_id")}
                      from (select * from content_watermark() offset 0) w
                      {totalVersionSource}
                      {(spec.Parent is null ? "" : $"left join lateral ({spec.Parent}) parent on true")}
                      {(countedWithPage ? "" : $"left join lateral (select c.total, c.estimated from ({count}) c where not ({totalHolds}) offset 0) c on true")}
                      offset 0) h
                {(spec.Parent is null ? "" : "cross join lateral (select h.parent_id as id) parent")}
                cross join lateral (
                    select string_agg(i.item, '\x00'::bytea) as items,
                           (array_agg(i.cursor_key0))[1] as first_key0, (array_agg(i.cursor_key1))[1] as first_key1,
                           (array_agg(i.cursor_key0))[least(count(*)::int, {size})] as last_key0,
                           (array_agg(i.cursor_key1))[least(count(*)::int, {size})] as last_key1,
                           max(i.counted_items) as counted_items,
                           {(spec.RankFloor is null ? "null::boolean" : $"count(*) > {size} and bool_and(i.cursor_key0 > {spec.RankFloor})")} as page_from_ranked
                    from (select convert_to({spec.ItemJson}::text, 'UTF8') as item, {spec.Sort.Key0} as cursor_key0, {spec.Sort.Key1} as cursor_key1,
                                 {(countedWithPage ? "count(*) over ()" : "null::bigint")} as counted_items
                          {spec.FromWhere}{keyset}
                          {order}
                          {limit}) i) p
                """;

            return new PageStatement(sql, spec.Parameters.With(parameters));
        }
    }

    /// <summary>
    /// One entity view, addressed by slug, as JSON built by <paramref name="documentSql"/> (document
    /// and resource_id from <c>@slug</c>, or no row when the entity does not exist), with the
    /// watermark's validators. <paramref name="noun"/> names the entity in the 404 and its cache key.
    /// </summary>
    public async Task<Results<RawJsonResult<T>, NotModifiedResult, ProblemHttpResult>> DocumentAsync<T>(
        HttpContext httpContext, string slug, string documentSql, string noun, CancellationToken cancellationToken)
    {
        if (Slugs.Problem(slug) is { } badSlug)
        {
            return badSlug;
        }

        return await DocumentAsync<T>(httpContext, documentSql, new { slug }, $"No {noun} has the slug '{slug}'.", noun, DocumentFormat.Json, cancellationToken);
    }

    /// <summary>A representation of a document: its media type and what tells its validators apart from the JSON's.</summary>
    public sealed record DocumentFormat(string MediaType, string Variant)
    {
        public static DocumentFormat Json { get; } = new("application/json", "");
    }

    /// <summary>
    /// An item's rendering, the id its cache key names, and its last change in the changes feed
    /// (null before its first one): the item's own validators, which the feed's entries tell.
    /// </summary>
    private sealed record DocumentRow(string Document, long ResourceId, long? LastChange, DateTime? LastChangedAt);

    /// <summary>
    /// One public item built by <paramref name="documentSql"/> (columns document and resource_id)
    /// from <paramref name="parameters"/>, in <paramref name="format"/>; <paramref name="kind"/>
    /// names its cache key (<c>person</c> → <c>person:{resource_id}</c>).
    /// </summary>
    public async Task<Results<RawJsonResult<T>, NotModifiedResult, ProblemHttpResult>> DocumentAsync<T>(
        HttpContext httpContext, string documentSql, object parameters, string notFoundDetail, string kind, DocumentFormat format,
        CancellationToken cancellationToken)
    {
        // A page validated by the watermark answers a 304 from it alone; one with validators of
        // its own (its last change in the feed) is compared after its one query.
        if (ContentWatermark.IsNamedIn(httpContext.Request) && await NotModifiedAsync(httpContext, format.Variant, cancellationToken) is { } notModified)
        {
            return notModified;
        }

        var db = await routing.SourceForAsync(httpContext, cancellationToken);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            ContentWatermark.Sql + "\n" + documentSql, parameters, cancellationToken: cancellationToken));
        var watermark = await results.ReadSingleAsync<ContentWatermark>();
        if (await results.ReadSingleOrDefaultAsync<DocumentRow>() is not { } row)
        {
            return Problems.NotFound(notFoundDetail);
        }

        var validators = row is { LastChange: { } position, LastChangedAt: { } changedAt }
            ? ContentValidators.From(format.Variant + kind, position, DateTime.SpecifyKind(changedAt, DateTimeKind.Utc))
            : watermark.ValidatorsFor(httpContext.Request, format.Variant);
        conditionalRequests.Apply(httpContext.Response, validators);
        CacheTags.Set(httpContext.Response, string.Create(CultureInfo.InvariantCulture, $"{kind}:{row.ResourceId}"));
        return ConditionalRequests.HasConditions(httpContext.Request) && ConditionalRequests.IsNotModified(httpContext.Request, validators)
            ? NotModifiedResult.Instance
            : new RawJsonResult<T>(row.Document, format.MediaType);
    }

    // A client that holds a copy (an entity tag of ours) costs the watermark query only: no
    // body is built for a 304. Other conditions are answered after the read.
    private async Task<NotModifiedResult?> NotModifiedAsync(HttpContext httpContext, string variant, CancellationToken cancellationToken)
    {
        if (!ConditionalRequests.HasEntityTags(httpContext.Request))
        {
            return null;
        }

        var validators = (await ContentWatermark.ReadAsync(await routing.SourceForAsync(httpContext, cancellationToken), cancellationToken)).ValidatorsFor(httpContext.Request, variant);
        if (!ConditionalRequests.IsNotModified(httpContext.Request, validators))
        {
            return null;
        }

        conditionalRequests.Apply(httpContext.Response, validators);
        return NotModifiedResult.Instance;
    }

    private Task<string> CursorAsync(ListSpec spec, object key0, long key1, bool backward, CancellationToken cancellationToken) =>
        cursors.EncodeAsync(new Cursor(spec.Sort.Name, backward, NormaliseKey(key0), key1), spec.Scope, cancellationToken);

    // Npgsql reads a date as a DateTime of unspecified kind, a timestamptz as UTC.
    private static object NormaliseKey(object key) => key switch
    {
        DateTime { Kind: DateTimeKind.Unspecified } date => DateOnly.FromDateTime(date),
        int number => (long)number,
        _ => key,
    };
}
