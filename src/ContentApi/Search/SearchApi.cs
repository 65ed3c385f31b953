using ContentApi.Reads;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContentApi.Search;

internal static class SearchApi
{
    public static RouteGroupBuilder MapSearchApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/search").WithTags("Search");

        group.MapGet("/", SearchContent)
            .WithName(nameof(SearchContent))
            .WithSummary("Search articles, people, organisations and events")
            .WithDescription("PostgreSQL full-text search with web-search syntax (`\"shared cooperation\" -terrorism`), ranked best first (title/name > summary > the opening of an article's body: matches further into a body count as found, ranked below; of the articles with a query word in their title, summary or opening, the newest 50,000 are ranked (`FullText:RankedMatchesAtMost`), older ones follow with those further into a body, newest first). Each hit has a snippet with matches wrapped in ⟦ and ⟧. Only a few full-text queries run at once; the others wait their turn (429 + `Retry-After` when too many wait).")
            .WithFullTextTurns();

        return group;
    }

    public static Task<Results<RawPagedResult<SearchHit>, NotModifiedResult, ProblemHttpResult>> SearchContent(
        [AsParameters] SearchQuery query, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken) =>
        reads.ListAsync<SearchHit>(httpContext, query, SearchQueries.ListSpec(query), cancellationToken);
}
