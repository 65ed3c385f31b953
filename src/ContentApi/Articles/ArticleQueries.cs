using ContentApi.Reads;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace ContentApi.Articles;

internal static class ArticleQueries
{
    /// <summary>Public visibility of an article (alias <c>a</c>): the SQL function of migration 0008, inlined by the planner.</summary>
    public const string IsPublic = "article_is_public(a)";

    /// <summary>One ArticleSummary as JSON, from an <c>articles a</c> row (kept rendered by a trigger with article_summary_json).</summary>
    public const string SummaryJson = "a.summary_document";

    /// <summary>The summary of a list by title: from the article's row <c>d</c>, read for the page's items alone.</summary>
    private const string TitleWalkSummaryJson = "d.summary_document";

    /// <summary>
    /// Whether an article (alias <c>a</c>) matches the full-text query <c>@q</c>: anywhere in its
    /// text. The expression of the search index (migration 0034), whose other terms no query names,
    /// given what the index answers exactly (search_index_query: a phrase as an AND of its words);
    /// each article it finds checked against <c>@q</c> by <c>search_vector</c> where the two differ
    /// (search_exact_query, null where they do not: then nothing is left to check). Given a phrase
    /// itself, the index checked each article with its words by the expression rebuilt from the
    /// row, as migration 0055 found for the public reads: the count of <c>"city council"</c> at
    /// 100,000 articles (11,187 with both words, none side by side) 548 → 164 ms. The lists beside
    /// two filters of links and editors' lists of drafts, scheduled and archived articles match here.
    /// </summary>
    public const string MatchesQuery =
        "article_search_terms(a.search_vector, a.rank_vector, a.id) @@ (select search_index_query(search_query(@q)))"
        + " and coalesce(a.search_vector @@ (select search_exact_query(search_query(@q))), true)";

    /// <summary>
    /// An article's relevance to <c>@q</c>: ranked by its title, summary and the body's opening
    /// (rank_vector, migration 0018), small and in the row, not by the whole text's vector.
    /// </summary>
    public const string Rank = $"ts_rank(a.rank_vector, {FullTextQueries.Sql})";

    // The allow-list of orders; the names are the public `sort` values.
    private static readonly Dictionary<string, SortOrder> Sorts = new()
    {
        [ArticleSorts.Newest] = new(ArticleSorts.Newest, "a.published_at", "a.id", Descending: true),
        [ArticleSorts.Oldest] = new(ArticleSorts.Oldest, "a.published_at", "a.id", Descending: false),
        [ArticleSorts.Title] = new(ArticleSorts.Title, "a.title", "a.id", Descending: false),
        // Over the ranked matches `m` (RankedMatches), not the articles.
        [ArticleSorts.Relevance] = new(ArticleSorts.Relevance, "m.rank", "m.id", Descending: true, Indexed: false),
    };

    // Each metadata filter: the links from articles to the entity named by slug. A link keeps
    // its article's publication time while the article is published (migration 0022), indexed
    // by entity and time. The first filter's entity is the list's parent, found once in the
    // page's statement (ListSpec.Parent); the others are looked up where they are named.
    private sealed record LinkFilter(Func<ListArticlesQuery, string?> Value, string Name, string Links, string EntityId, string Entities)
    {
        // Built once per filter, not per request, where they are the same for every list.
        /// <summary>The entity named, as a list's parent: its id, no cache keys of its own; no row when no entity has the slug.</summary>
        public string Entity { get; } = $"select e.id, null::text as cache_keys {Named(Entities, Name)}";

        /// <summary>
        /// The condition on an article <c>a</c>, the entity looked up by its slug, or found as the
        /// list's parent; <paramref name="linkBounds"/>: more conditions on its links <c>l</c>.
        /// </summary>
        public string Condition(bool isParent, string linkBounds) =>
            $"a.id in (select l.article_id from {Links} l where l.{EntityId} = {(isParent ? "parent.id" : $"(select e.id {Named(Entities, Name)})")}{linkBounds})";

        /// <summary>Whether a link <c>l</c> of this table is the parent's, to a published article: the index's order.</summary>
        public string IsPublishedLink { get; } = $"l.{EntityId} = parent.id and l.published_at <= now()";

        /// <summary>The parent's links, as the arguments of migration 0050's functions: the table, its entity's column, the parent's id, no event range.</summary>
        public string Source { get; } = $"'{Links}', '{EntityId}', parent.id, null, null";

        /// <summary>As <see cref="Source"/>, each link's article about an event in the range of <c>@eventFrom</c> and <c>@eventTo</c> (migration 0053).</summary>
        public string SourceInEventRange { get; } = $"'{Links}', '{EntityId}', parent.id, @eventFrom::date, @eventTo::date";

        private static string Named(string entities, string name) => $"from {entities} e where e.slug = @{name}";
    }

    private static readonly LinkFilter[] LinkFilters =
    [
        new(q => q.Tag, "tag", "article_tags", "tag_id", "tags"),
        new(q => q.Person, "person", "article_people", "person_id", "people"),
        new(q => q.Organisation, "organisation", "article_organisations", "organisation_id", "organisations"),
        new(q => q.Event, "event", "article_events", "event_id", "events"),
        new(q => q.Place, "place", "article_places", "place_id", "places"),
        new(q => q.Author, "author", "article_authors", "author_id", "authors"),
    ];

    // Editors' lists of drafts and archived articles (status=draft, archived) hold articles
    // without a publication time: ordered by it, or by their last change when they have none, in
    // the order of migration 0044's index; by title they are sorted (the title index holds
    // published articles only). Published and scheduled articles always have a publication time:
    // their editors' lists take the public orders and indexes (ordered by this expression, each
    // page read and sorted every published article: 316 ms at 100,000).
    private static readonly Dictionary<string, SortOrder> EditorialSorts = new()
    {
        [ArticleSorts.Newest] = new(ArticleSorts.Newest, "coalesce(a.published_at, a.updated_at)", "a.id", Descending: true, Indexed: false),
        [ArticleSorts.Oldest] = new(ArticleSorts.Oldest, "coalesce(a.published_at, a.updated_at)", "a.id", Descending: false, Indexed: false),
        [ArticleSorts.Title] = Sorts[ArticleSorts.Title] with { Indexed = false },
        [ArticleSorts.Relevance] = Sorts[ArticleSorts.Relevance],
    };

    /// <summary>
    /// The article list for these filters: conditions are fixed SQL texts, values are
    /// parameters. Public unless <c>status</c> asks for an editors' list. With
    /// <paramref name="notFoundDetail"/>, the list of one entity's articles (its only filter): a
    /// 404 with that detail when no entity has the slug; otherwise an unknown slug finds nothing.
    /// </summary>
    public static ListSpec ListSpec(ListArticlesQuery query, string? notFoundDetail = null)
    {
        // Readers' lists and editors' list of published articles show the same articles: those
        // whose links have a publication time now past (migration 0022).
        var publicArticles = query.Status is null or "published";
        var visibility = query.Status switch
        {
            null or "published" => IsPublic,
            "draft" => "a.status = 'draft'",
            "scheduled" => "a.status = 'published' and a.published_at > now()",
            _ => "a.status = 'archived'",
        };
        var conditions = new List<string> { visibility };
        var parameters = new SqlParameters();
        var scope = new List<string> { query.Status is null ? "articles" : $"articles\nstatus={query.Status}" };
        var linkFilters = LinkFilters.Where(filter => filter.Value(query) is not null).ToList();
        foreach (var filter in linkFilters)
        {
            var slug = filter.Value(query)!;
            parameters.Add(filter.Name, slug);
            scope.Add($"{filter.Name}={slug}");
        }

        // Public, by date, with a link filter: the list reads the first filter's links in the
        // order of their index and joins the articles of the page; the others stay conditions.
        var sort = (publicArticles || query.Status is "scheduled" ? Sorts : EditorialSorts)[query.Sort ?? ArticleSorts.Newest];
        var parentFilter = linkFilters.FirstOrDefault();
        var byLinks = publicArticles && sort.Name is ArticleSorts.Newest or ArticleSorts.Oldest ? parentFilter : null;
        // The publication range on the links too, for the lists of published articles (scheduled
        // ones included): a link keeps its article's publication time while it is published
        // (migration 0022), so that the links' index of entity and time bounds their read. On the
        // articles' alone, the statements planned for parameters read the articles of the range
        // (from 2024 at 1,000,000 articles: 293,421) and kept those of the tag (1,760): by hand,
        // `tag=tag-3&publishedFrom=2024-01-01` 299 → 5 ms a page, by title 281 → 19 ms, its 40th
        // page 1.1 s → 59 ms, `tag=tag-4&publishedTo=2017-01-01&sort=title` 0.92 s → 6 ms.
        var linkBounds = publicArticles || query.Status is "scheduled"
            ? string.Concat(
                query.PublishedFrom is null ? "" : $" and l.published_at >= {PublishedFromTime}",
                query.PublishedTo is null ? "" : $" and l.published_at < {PublishedToTime}")
            : "";
        conditions.AddRange(linkFilters.Where(filter => filter != byLinks)
            .Select(filter => filter.Condition(filter == parentFilter, linkBounds)));

        if (query.PublishedFrom is { } publishedFrom)
        {
            conditions.Add($"a.published_at >= {PublishedFromTime}");
            parameters.Add("publishedFrom", publishedFrom);
            scope.Add($"publishedFrom={publishedFrom:O}");
        }

        if (query.PublishedTo is { } publishedTo)
        {
            conditions.Add($"a.published_at < {PublishedToTime}");
            parameters.Add("publishedTo", publishedTo);
            scope.Add($"publishedTo={publishedTo:O}");
        }

        var eventRange = query.EventFrom is not null || query.EventTo is not null;
        if (eventRange)
        {
            conditions.Add(EventRangeCondition);
            parameters.Add("eventFrom", query.EventFrom, NpgsqlDbType.Date);
            parameters.Add("eventTo", query.EventTo, NpgsqlDbType.Date);
            scope.Add($"event={query.EventFrom:O}..{query.EventTo:O}");
        }

        if (query.Language is { } language)
        {
            conditions.Add("a.language = @language");
            parameters.Add("language", language);
            scope.Add($"language={language}");
        }

        if (FullTextQueries.Normalize(query.Q) is { } q)
        {
            conditions.Add(MatchesQuery);
            parameters.Add("q", q);
            scope.Add($"q={q}");
        }

        scope.Add($"sort={sort.Name}");
        var relevance = sort.Name == ArticleSorts.Relevance;
        // Public matches of q, filtered by the article's own columns at most (its language and
        // publication time): ranked, the matches a page can show (migrations 0034, 0049); by date
        // or title, read from the page's position along the order's index or by the search index,
        // whichever the matches' total says is the cheaper read (MatchesInOrderFromPosition); in
        // any order, a total exact up to a bound (migrations 0035, 0048). So is an editor's list of
        // published articles, the same articles, its total remembered as a reader's list's
        // (ListSpec.RemembersTotal): matched in the list's own statement and counted every time,
        // `q=city` took 0.17–0.26 s a page at 100,000 articles, `q="city council"` ~1 s.
        var publicFullText = publicArticles && query.Q is not null;
        var matchesFromPosition = publicFullText && linkFilters.Count == 0 && !eventRange;
        // The same beside one link filter, or an event range, or both: the matches among the
        // published links of the entity or of the events in range (migrations 0050, 0053, 0055),
        // ranked, or by date or title, read from the page's position; the total counted among
        // them. Beside more filters of links, as the others.
        var linkSource = (publicFullText, linkFilters.Count, eventRange) switch
        {
            (true, 1, false) => parentFilter!.Source,
            (true, 1, true) => parentFilter!.SourceInEventRange,
            (true, 0, true) => EventsInRangeSource,
            _ => null,
        };
        var linkedMatches = linkSource is not null;
        var rankedFromPosition = relevance && (matchesFromPosition || linkedMatches);
        var inOrderFromPosition = !relevance && (matchesFromPosition || linkedMatches);
        // Written only for the lists that read them, not for every list request.
        var ownColumnFilters = matchesFromPosition || linkedMatches
            ? string.Join(", ",
                query.Language is null ? "null" : "@language",
                query.PublishedFrom is null ? "null" : PublishedFromTime,
                query.PublishedTo is null ? "null" : PublishedToTime)
            : "";
        // Public, by date, with the event dates alone: the list reads the links of the events the
        // range overlaps, sorted, and the articles of the page only (EventLinksInRange).
        var byEventLinks = publicArticles && sort.Name is ArticleSorts.Newest or ArticleSorts.Oldest && eventRange && conditions.Count == 2;
        // Public by title, filtered by the article's own columns alone: the title index holds each
        // published article's publication time and language (migration 0046), so that a walk
        // which a filter passes over most of (publishedTo=1990-01-01, a language few articles
        // have) reads the index alone, and the page's articles (`d`) are read for their summaries
        // only; its left join is dropped where nothing of `d` is read (the first item of a page by
        // number, the count). Not beside a link, event or full-text filter: the planner then
        // walks the index and looks each article up in the links (a tag of one article: 11 → 208
        // ms a page at 100,000), where it reads the links first and sorts their articles.
        var byTitle = sort == Sorts[ArticleSorts.Title] && linkFilters.Count == 0 && !eventRange && query.Q is null;
        var where = string.Join("\n  and ", conditions);
        var articles = $"from articles a where {where}";
        return new ListSpec(
            Scope: string.Join('\n', scope),
            ItemJson: (relevance || inOrderFromPosition, byEventLinks, byTitle) switch
            {
                (true, _, _) => SummaryJsonOf("m.id"),
                (_, true, _) => SummaryJsonOf("l.article_id"),
                (_, _, true) => TitleWalkSummaryJson,
                _ => SummaryJson,
            },
            FromWhere: (relevance, byLinks, byEventLinks) switch
            {
                (true, _, _) when rankedFromPosition => RankedMatchesFromPosition(ownColumnFilters, linkSource),
                (true, _, _) => RankedMatches(articles),
                _ when inOrderFromPosition => MatchesInOrderFromPosition(sort, ownColumnFilters, linkSource),
                (false, null, true) => EventLinksInRange,
                (false, null, false) when byTitle => $"from articles a left join articles d on d.id = a.id where {where}",
                (false, null, false) => articles,
                (false, { } links, _) => $"from {links.Links} l join articles a on a.id = l.article_id where {links.IsPublishedLink}{linkBounds}\n  and {where}",
            },
            Sort: (byLinks, byEventLinks) switch
            {
                _ when inOrderFromPosition => sort with { Key0 = "m.key", Key1 = "m.id", Indexed = false },
                (null, false) => sort,
                (null, true) => sort with { Key0 = "l.published_at", Key1 = "l.article_id", Indexed = false },
                _ => sort with { Key0 = "l.published_at", Key1 = "l.article_id" },
            },
            Parameters: parameters,
            NotFoundDetail: notFoundDetail)
        {
            Parent = parentFilter?.Entity,
            EmptyWithoutParent = notFoundDetail is null,
            IsPublic = query.Status is null,
            RemembersTotal = publicArticles,
            TotalVersion = TotalVersion.ArticleListMembers,
            CacheKeys = ["articles"],
            // Ranked by relevance, every match is read before the first is known. Not so for the
            // other filters: for a tag of 6,000 of 1,000,000 articles the page walks the date
            // index until it has enough, and counting in that pass made it walk all of it.
            // So does a list of the event dates alone: it sorts every link of the events in range.
            ReadsAllItems = (relevance && !rankedFromPosition) || byEventLinks,
            ReadsFromPosition = rankedFromPosition || inOrderFromPosition,
            RankFloor = rankedFromPosition ? FullTextQueries.FloorRank : null,
            PositionKey0Type = (inOrderFromPosition, sort.Name) switch
            {
                (false, _) => NpgsqlDbType.Real,
                (true, ArticleSorts.Title) => NpgsqlDbType.Text,
                _ => NpgsqlDbType.TimestampTz,
            },
            BoundedTotal = (matchesFromPosition, linkSource) switch
            {
                (true, _) => FullTextQueries.ArticleMatchTotalOf(ownColumnFilters),
                (_, { } source) => $"select total, estimated from article_linked_match_total({FullTextQueries.Sql}, {source}, {FullTextQueries.ExactTotalUpTo}, {ownColumnFilters})",
                _ => null,
            },
            // The links alone are the total when nothing else filters (the visibility is theirs);
            // ranked matches are counted without their ranks.
            CountFromWhere = (relevance, byLinks) switch
            {
                (true, _) => articles,
                (false, { } links) when conditions.Count == 1 => $"from {links.Links} l where {links.IsPublishedLink}",
                _ => null,
            },
        };
    }

    /// <summary>
    /// The articles of <paramref name="articles"/> (<c>from articles a where …</c>) as <c>m</c>: each
    /// id with its rank, ranked in a subquery of its own (<c>offset 0</c>). Every match is held for
    /// the count and the sort: flattened into the list, each carried its rank vector and summary
    /// up to be ranked there (~1.2 kB a match, on disk past 4 MB). By hand at 100,000 articles, a
    /// word in 9,856 of them 66 → 27 ms, two words in 1,223 16 → 5 ms.
    /// </summary>
    private static string RankedMatches(string articles) => $"from (select a.id, {Rank} as rank {articles} offset 0) m where true";

    /// <summary>
    /// The public matches of <c>@q</c> a ranked page at its position can show, as <c>m</c> (see
    /// <see cref="ListSpec.ReadsFromPosition"/>), of the filters <paramref name="ownColumnFilters"/>
    /// (as <see cref="MatchesInOrderFromPosition"/>'s). With <paramref name="linkSource"/> (as
    /// <see cref="MatchesInOrderFromPosition"/>'s), among the linked articles, read the way the
    /// list's total (<c>h.total_items</c>, counted among them) says is the cheapest (migration 0055).
    /// </summary>
    private static string RankedMatchesFromPosition(string ownColumnFilters, string? linkSource) =>
        $"from article_ranked_matches({FullTextQueries.Sql}, @pageReach, @positionKey0, @positionKey, @positionBackward, {(linkSource is null ? "@totalAtMost" : "h.total_items")}, @pageFromRanked, @rankedAtMost, {ownColumnFilters}{(linkSource is null ? "" : $", {linkSource}")}) m where true";

    /// <summary>
    /// The public matches of <c>@q</c> that a page by date or title at its position can show, as
    /// <c>m</c> (id, key: the order's first key): along the order's index, each article checked,
    /// when the list's total (<c>h.total_items</c>, see <see cref="ListSpec.ReadsFromPosition"/>)
    /// says that many match, else every match by the search index, sorted (migration 0048). In the
    /// list's own statement the planner, given <c>q</c> as a parameter, always walked the index: at
    /// 1,000,000 articles a word in none of them read them all (503 after 5 s).
    /// <paramref name="ownColumnFilters"/>: the language, and the publication's start and end
    /// (excluded), each <c>null</c> for none. With <paramref name="linkSource"/> (<see cref="LinkFilter.Source"/>,
    /// <see cref="EventsInRangeSource"/>), the matches among the linked articles: by date along
    /// the entity's links or the date index, by title along the title index, or all of them read
    /// and sorted (migration 0050).
    /// </summary>
    private static string MatchesInOrderFromPosition(SortOrder sort, string ownColumnFilters, string? linkSource)
    {
        var matches = linkSource is null
            ? $"article_matches_in_order({FullTextQueries.Sql}"
            : $"article_linked_matches_in_order({FullTextQueries.Sql}, {linkSource}";
        return $"from {matches}, @pageReach, '{(sort.Name == ArticleSorts.Title ? "title" : "published_at")}', @positionKey0, @positionKey, @positionBackward <> {(sort.Descending ? "true" : "false")}, h.total_items, {ownColumnFilters}) m where true";
    }

    /// <summary>The start of the day <c>@publishedFrom</c>, UTC: the first publication time a list from that day shows.</summary>
    private const string PublishedFromTime = "(@publishedFrom::date)::timestamp at time zone 'UTC'";

    /// <summary>The start of the day after <c>@publishedTo</c>, UTC: the first publication time a list to that day leaves out.</summary>
    private const string PublishedToTime = "(@publishedTo::date + 1)::timestamp at time zone 'UTC'";

    /// <summary>The summary of the article with id <paramref name="id"/> (a ranked match's, a link's): read for the page's items only, after the sort.</summary>
    private static string SummaryJsonOf(string id) => $"(select {SummaryJson} from articles a where a.id = {id})";

    /// <summary>
    /// Whether an event <c>e</c> overlaps the days from <c>@eventFrom</c> to <c>@eventTo</c> (both
    /// included, null for no bound; validated in order): the expression of the events' range index
    /// (migration 0041), which finds the events of a range however few they are.
    /// </summary>
    private const string EventOverlapsRange = "daterange(e.start_date, e.end_date, '[]') && daterange(@eventFrom::date, @eventTo::date, '[]')";

    /// <summary>
    /// Whether an article <c>a</c> is about an event in range, beside other filters: a condition on
    /// the articles they walk in order. Not in the overlap's form: its plan reads every link in range
    /// first and joins each one's article for the other conditions (by hand at 100,000 articles,
    /// `eventFrom=2020-01-01&amp;language=en`: 0.3–0.7 s a page in that form, 8 ms in this one).
    /// A range that no event overlaps is found once, by the events' range index, before any
    /// article is read (an uncorrelated condition, a one-time filter of the plan): the walks read
    /// every article otherwise (at 1,000,000 articles, `eventFrom=2099-01-01&amp;sort=title` and
    /// `q=…` beside such a range were answered 503 after 5 s). Its `e.id > 0` (every id) names a
    /// column the dates' btree index lacks: else the planner read that whole index for the first
    /// event in range (100,000 events: 14 ms, 0.7 ms in the range index).
    /// </summary>
    private const string EventRangeCondition = $"""
        exists (select from events e where {EventOverlapsRange} and e.id > 0)
          and a.id in (select l.article_id from article_events l join events e on e.id = l.event_id
                       where (@eventFrom::date is null or e.end_date >= @eventFrom::date)
                         and (@eventTo::date is null or e.start_date <= @eventTo::date))
        """;

    /// <summary>The links of the events in range, as the arguments of migration 0050's functions (as <see cref="LinkFilter.Source"/>; no entity's column: migration 0053).</summary>
    private const string EventsInRangeSource = "'article_events', null, null, @eventFrom::date, @eventTo::date";

    /// <summary>
    /// The published links of the events in range, as <c>l</c>, when no other filter applies: a
    /// link keeps its article's publication time while it is published (migration 0022), so the
    /// links alone give the visible articles, their order and their total, and a page costs in
    /// proportion to the links in range. Walked from the articles by date, looking up each one's
    /// event, a page read the articles newer than its last item: every public article for a range
    /// no event overlaps, and in news, where an event's articles appear around it, most of them for
    /// a range in the past. By hand at 100,000 articles (the bench's, whose events are linked at random;
    /// medians of 12 requests): a range after the last event 514 → 3.0 ms, a month 17.5 → 3.6 ms,
    /// a year 3.7 → 7.1 ms, every event (100,000 links) 2.8 → 29.8 ms.
    /// </summary>
    private const string EventLinksInRange =
        $"from article_events l where l.published_at <= now() and l.event_id in (select e.id from events e where {EventOverlapsRange})";

    public sealed record ValidatorsRow(long Id, long ContentVersion, DateTime ContentModifiedAt);

    /// <summary>An article's detail document as the UTF-8 JSON PostgreSQL sent, with its public validators.</summary>
    public sealed record DocumentRow(long Id, long ContentVersion, DateTime ContentModifiedAt, byte[] Document);

    /// <summary>The public validators of an article: what a conditional GET is answered from, without its document.</summary>
    public static Task<ValidatorsRow?> GetValidatorsAsync(NpgsqlDataSource db, string slug, CancellationToken cancellationToken) =>
        ValidatorLookups.FindAsync(db, slug, cancellationToken);

    private static readonly CoalescedLookups<ValidatorsRow> ValidatorLookups = new(
        PublicBySlugs("a.id, a.content_version, a.content_modified_at"),
        static row => new ValidatorsRow(row.GetInt64(1), row.GetInt64(2), row.GetDateTime(3)));

    public sealed record FormattedRow(long Id, long Version, DateTime ModifiedAt, string Document);

    /// <summary>
    /// The article in a format (editors: any status but deleted, with the stored version;
    /// readers: published, with the content version, from its read row as the JSON lookups),
    /// rendered from its detail document.
    /// </summary>
    public static async Task<FormattedRow?> GetFormattedAsync(
        NpgsqlDataSource db, string slug, ArticleFormats.Format format, string baseUrl, bool editor, CancellationToken cancellationToken)
    {
        var document = format == ArticleFormats.Format.Json ? "a.document::text" : $"{ArticleFormats.Renderer(format)}(a.document::jsonb, @baseUrl)::text";
        var sql = editor
            ? $"select a.id, a.row_version::bigint as version, a.updated_at as modified_at, {document} as document from articles a where a.slug = @slug and a.status <> 'deleted'"
            : $"select a.id, a.content_version as version, a.content_modified_at as modified_at, {document} as document from article_reads a where a.slug = @slug and {IsPublic}";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<FormattedRow>(new CommandDefinition(sql, new { slug, baseUrl }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The whole detail view (ArticleDetail) as JSON: kept rendered in the row with article_json
    /// by triggers (migrations 0005, 0008) whenever the article, a link or a linked entity changes.
    /// </summary>
    /// <remarks>
    /// The hottest read: the lookups that arrive together share one statement (the bench's 100,000-article
    /// database, cache off, by hand: 8,800–10,500 → 10,200–14,000 articles/s, PostgreSQL 72–86 → 42–54 µs an
    /// article), read with plain Npgsql (Dapper cost a few percent of throughput here).
    /// </remarks>
    public static Task<DocumentRow?> GetDocumentAsync(NpgsqlDataSource db, string slug, CancellationToken cancellationToken) =>
        DocumentLookups.FindAsync(db, slug, cancellationToken);

    private static readonly CoalescedLookups<DocumentRow> DocumentLookups = new(
        PublicBySlugs("a.id, a.content_version, a.content_modified_at, a.document"),
        static row => new DocumentRow(row.GetInt64(1), row.GetInt64(2), row.GetDateTime(3), Utf8Json.Read(row, 4)));

    // The published articles among a batch of slugs ($1), each row led by its slug (CoalescedLookups):
    // from each article's narrow read row (migration 0023), its document in the row, not from TOAST.
    private static string PublicBySlugs(string columns) => $"""
        select a.slug, {columns}
        from article_reads a
        where a.slug = any($1) and {IsPublic}
        """;
}
