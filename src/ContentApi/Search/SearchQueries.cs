using ContentApi.Articles;
using ContentApi.Reads;

namespace ContentApi.Search;

internal static class SearchQueries
{
    public static readonly string[] AllTypes = ["articles", "people", "organisations", "events"];

    // Each searchable kind: its branch of the union, each naming its columns (any may come first). `key` makes hits of different tables
    // unique for keyset paging (id × 4 + kind).
    private static readonly Dictionary<string, string> Branches = new()
    {
        ["articles"] = $"""
            select 'article' as type, a.id * 4 + 0 as key, a.id, a.slug, a.title, {ArticleQueries.Rank} as rank, a.snippet
            from articles a
            where {ArticleQueries.MatchesQuery} and {ArticleQueries.IsPublic}
            """,
        ["people"] = $"""
            select 'person' as type, p.id * 4 + 1 as key, p.id, p.slug, p.name as title,
                   ts_rank(p.search_vector, {FullTextQueries.Sql}) as rank, null::json as snippet
            from people p
            where p.search_vector @@ {FullTextQueries.Sql}
            """,
        ["organisations"] = $"""
            select 'organisation' as type, o.id * 4 + 2 as key, o.id, o.slug, o.name as title,
                   ts_rank(o.search_vector, {FullTextQueries.Sql}) as rank, null::json as snippet
            from organisations o
            where o.search_vector @@ {FullTextQueries.Sql}
            """,
        ["events"] = $"""
            select 'event' as type, e.id * 4 + 3 as key, e.id, e.slug, e.name as title,
                   ts_rank(e.search_vector, {FullTextQueries.Sql}) as rank, null::json as snippet
            from events e
            where e.search_vector @@ {FullTextQueries.Sql}
            """,
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
        return new ListSpec(
            Scope: $"search\nq={q}\ntypes={string.Join(',', types)}",
            ItemJson: $"""
                json_build_object('type', h.type, 'slug', h.slug, 'title', h.title, 'rank', h.rank,
                                  'snippet', coalesce(h.snippet, entity_snippet(h.type, h.id)), 'marked', {MarkedLexemes})
                """,
            FromWhere: $"from ({string.Join("\nunion all\n", types.Select(t => Branches[t]))}) h where true",
            Sort: new SortOrder("relevance", "h.rank", "h.key", Descending: true, Indexed: false),
            Parameters: parameters) { CacheKeys = types, ReadsAllItems = true, RenderItem = SearchSnippets.RenderHit };
    }
}
