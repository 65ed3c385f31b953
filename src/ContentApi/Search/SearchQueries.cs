using ContentApi.Articles;
using ContentApi.Reads;
using Dapper;

namespace ContentApi.Search;

internal static class SearchQueries
{
    public static readonly string[] AllTypes = ["articles", "people", "organisations", "events"];

    // Each searchable kind: its branch of the union, each naming its columns (any may come first). `key` makes hits of different tables
    // unique for keyset paging (id × 4 + kind).
    private static readonly Dictionary<string, string> Branches = new()
    {
        ["articles"] = $"""
            select 'article' as type, a.id * 4 + 0 as key, a.id, a.slug, a.title, {ArticleQueries.Rank} as rank
            from articles a
            where {ArticleQueries.MatchesQuery} and {ArticleQueries.IsPublic}
            """,
        ["people"] = """
            select 'person' as type, p.id * 4 + 1 as key, p.id, p.slug, p.name as title,
                   ts_rank(p.search_vector, websearch_to_tsquery('english', @q)) as rank
            from people p
            where p.search_vector @@ websearch_to_tsquery('english', @q)
            """,
        ["organisations"] = """
            select 'organisation' as type, o.id * 4 + 2 as key, o.id, o.slug, o.name as title,
                   ts_rank(o.search_vector, websearch_to_tsquery('english', @q)) as rank
            from organisations o
            where o.search_vector @@ websearch_to_tsquery('english', @q)
            """,
        ["events"] = """
            select 'event' as type, e.id * 4 + 3 as key, e.id, e.slug, e.name as title,
                   ts_rank(e.search_vector, websearch_to_tsquery('english', @q)) as rank
            from events e
            where e.search_vector @@ websearch_to_tsquery('english', @q)
            """,
    };

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

    /// <summary>Ranked hits across the kinds asked for; snippets are built for the page's rows only.</summary>
    public static ListSpec ListSpec(SearchQuery query)
    {
        var types = ParseTypes(query.Types)!;
        var q = FullTextQueries.Normalize(query.Q);
        var parameters = new DynamicParameters();
        parameters.Add("q", q);
        return new ListSpec(
            Scope: $"search\nq={q}\ntypes={string.Join(',', types)}",
            ItemJson: "search_hit_json(h.type, h.slug, h.title, search_snippet(h.type, h.id, websearch_to_tsquery('english', @q)), h.rank)",
            FromWhere: $"from ({string.Join("\nunion all\n", types.Select(t => Branches[t]))}) h where true",
            Sort: new SortOrder("relevance", "h.rank", "h.key", Descending: true),
            Parameters: parameters) { CacheKeys = types, ReadsAllItems = true };
    }
}
