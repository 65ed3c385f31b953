using ContentApi.Reads;

namespace ContentApi.Search;

internal static class SearchQueries
{
    public static readonly string[] AllTypes = ["articles", "people", "organisations", "events"];

    // Each searchable kind: its branch of the union, each naming its columns (any may come first). `key` makes hits of different tables
    // unique for keyset paging (id × 4 + kind). A branch gives the hit's key and rank alone, and
    // the page's few hits find the rest (Details). Articles give the matches a page can show (every
    // one ranked above the floor, and the floor's nearest the page's position: migration 0034),
    // entities every match: an entity is ranked by its few words, not an article's text.
    private static readonly Dictionary<string, string> Branches = new()
    {
        // The position's article id from its key: below it going forwards (id × 4 < key), above it backwards.
        ["articles"] = $"""
            select 'article' as type, m.id * 4 + 0 as key, m.id, m.rank
            from article_ranked_matches({FullTextQueries.Sql}, @pageReach, @positionKey0,
                                        case when @positionBackward then @positionKey / 4 else (@positionKey + 3) / 4 end, @positionBackward,
                                        @totalAtMost, @pageFromRanked, @rankedAtMost) m
            """,
        ["people"] = $"""
            select 'person' as type, p.id * 4 + 1 as key, p.id, ts_rank(p.search_vector, {FullTextQueries.Sql}) as rank
            from people p
            where p.search_vector @@ {FullTextQueries.Sql}
            """,
        ["organisations"] = $"""
            select 'organisation' as type, o.id * 4 + 2 as key, o.id, ts_rank(o.search_vector, {FullTextQueries.Sql}) as rank
            from organisations o
            where o.search_vector @@ {FullTextQueries.Sql}
            """,
        ["events"] = $"""
            select 'event' as type, e.id * 4 + 3 as key, e.id, ts_rank(e.search_vector, {FullTextQueries.Sql}) as rank
            from events e
            where e.search_vector @@ {FullTextQueries.Sql}
            """,
    };

    // A hit's slug, title and stored snippet, from its kind's table by id: read for the page's hits
    // only. The condition on h.type is a constant for each hit, so one table is read.
    private static readonly Dictionary<string, string> Details = new()
    {
        ["articles"] = "select a.slug, a.title, a.snippet from articles a where h.type = 'article' and a.id = h.id",
        ["people"] = "select p.slug, p.name, null::json from people p where h.type = 'person' and p.id = h.id",
        ["organisations"] = "select o.slug, o.name, null::json from organisations o where h.type = 'organisation' and o.id = h.id",
        ["events"] = "select e.slug, e.name, null::json from events e where h.type = 'event' and e.id = h.id",
    };

    // The lexemes a snippet marks: those of the query's words (an excluded word is in no hit). An
    // uncorrelated subquery: computed once per statement, not per hit.
    private const string MarkedLexemes = "(select array_agg(v.lexeme) from unnest(to_tsvector('english', @q)) v)";

    /// <summary>The kinds asked for, in canonical order; null when one is unknown.</summary>
    public static string[]? ParseTypes(string? types)
    {
        if (types is null)
        {
            return AllTypes;
        }

        var asked = types.Split(',', StringSplitOptions.TrimEntries);
        return asked.Length > 0 && asked.All(AllTypes.Contains)
            ? AllTypes.Where(asked.Contains).ToArray()
            : null;
    }

    /// <summary>Ranked hits across the kinds asked for, finished by <see cref="SearchSnippets.RenderHit"/>; entity snippets are parsed for the page's rows only.</summary>
    public static ListSpec ListSpec(SearchQuery query)
    {
        var types = ParseTypes(query.Types)!;
        var q = FullTextQueries.Normalize(query.Q);
        var parameters = new SqlParameters();
        parameters.Add("q", q);
        var hits = string.Join("\nunion all\n", types.Select(t => Branches[t]));
        var entityHits = string.Join("\nunion all\n", types.Where(t => t != "articles").Select(t => Branches[t]));
        return new ListSpec(
            Scope: $"search\nq={q}\ntypes={string.Join(',', types)}",
            // The hit's JSON is an expression PostgreSQL computes after the sort and the limit, for
            // the page's hits only; below the sort the rows hold a key and a rank (~40 bytes, not
            // ~800 with the title and the snippet's tokens), and the union is a subquery of its own
            // (`offset 0`): flattened, as one kind alone was, each match carried its rank vector up
            // to be ranked there. By hand at 100,000 articles, a word in 9,856 of them: 33 → 28 ms,
            // articles alone 62 → 28 ms.
            ItemJson: $"""
                (select json_build_object('type', h.type, 'slug', d.slug, 'title', d.title, 'rank', h.rank,
                                          'snippet', coalesce(d.snippet, entity_snippet(h.type, h.id)), 'marked', {MarkedLexemes})
                 from ({string.Join("\nunion all\n", types.Select(t => Details[t]))}) d(slug, title, snippet))
                """,
            FromWhere: $"from ({hits}\noffset 0) h where true",
            Sort: new SortOrder("relevance", "h.rank", "h.key", Descending: true, Indexed: false),
            Parameters: parameters)
        {
            CacheKeys = types,
            ReadsFromPosition = true,
            RankFloor = types.Contains("articles") ? FullTextQueries.FloorRank : null,
            // The articles' matches exact up to a bound, then estimated; the entities' all counted
            // (a count alone, flattened, ranks nothing).
            CountFromWhere = $"from ({hits}) h where true",
            BoundedTotal = (types.Contains("articles"), entityHits) switch
            {
                (false, _) => null,
                (true, "") => FullTextQueries.ArticleMatchTotal,
                (true, _) => $"select a.total + e.total as total, a.estimated from ({FullTextQueries.ArticleMatchTotal}) a, (select count(*) as total from ({entityHits}) h) e",
            },
            RenderItem = SearchSnippets.RenderHit,
        };
    }
}
