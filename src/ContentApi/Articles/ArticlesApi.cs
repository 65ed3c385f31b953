using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace ContentApi.Articles;

internal static class ArticlesApi
{
    public static RouteGroupBuilder MapArticlesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/articles").WithTags("Articles");

        group.MapGet("/", ListArticles)
            .WithName(nameof(ListArticles))
            .WithSummary("List published articles")
            .WithDescription("Summaries of published articles, filtered and ordered as asked, paged by page number (first 10,000 items) or by cursor (`next`/`prev` links, any depth). The `Link` header repeats the navigation links. Conditional with If-None-Match / If-Modified-Since.");
        group.MapGet("/{slug}", GetArticle)
            .WithName(nameof(GetArticle))
            .WithSummary("Get one article with its metadata")
            .WithDescription("The article's body and its whole metadata block (event, dates, people with affiliations, organisations, places, tags). Conditional with If-None-Match / If-Modified-Since.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    public static Task<Results<RawPagedResult<ArticleSummary>, NotModifiedResult, ProblemHttpResult>> ListArticles(
        [AsParameters] ListArticlesQuery query, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken) =>
        reads.ListAsync<ArticleSummary>(httpContext, query, ArticleQueries.ListSpec(query), cancellationToken);

    /// <param name="slug">The article's slug.</param>
    public static async Task<Results<RawJsonResult<ArticleDetail>, NotModifiedResult, ProblemHttpResult>> GetArticle(
        string slug, NpgsqlDataSource db, ConditionalRequests conditionalRequests, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (Slugs.Problem(slug) is { } badSlug)
        {
            return badSlug;
        }

        // A client that holds a copy costs one cheap query: no body is built for a 304.
        if (ConditionalRequests.HasConditions(httpContext.Request))
        {
            if (await ArticleQueries.GetValidatorsAsync(db, slug, cancellationToken) is not { } current)
            {
                return NotFound(slug);
            }

            var validators = ContentValidators.From("a", current.ContentVersion, current.ContentModifiedAt);
            if (ConditionalRequests.IsNotModified(httpContext.Request, validators))
            {
                conditionalRequests.Apply(httpContext.Response, validators);
                return NotModifiedResult.Instance;
            }
        }

        if (await ArticleQueries.GetDocumentAsync(db, slug, cancellationToken) is not { } row)
        {
            return NotFound(slug);
        }

        conditionalRequests.Apply(httpContext.Response, ContentValidators.From("a", row.ContentVersion, row.ContentModifiedAt));
        return new RawJsonResult<ArticleDetail>(row.Document);
    }

    private static ProblemHttpResult NotFound(string slug) => Problems.NotFound($"No published article has the slug '{slug}'.");
}
