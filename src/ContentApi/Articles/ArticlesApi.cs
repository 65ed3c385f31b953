using ContentApi.Infrastructure.Http;
using ContentApi.Infrastructure.Security;
using ContentApi.Reads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
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
            .WithDescription("Summaries of published articles, filtered and ordered as asked, paged by page number (first 10,000 items) or by cursor (`next`/`prev` links, any depth). The `Link` header repeats the navigation links. Conditional with If-None-Match / If-Modified-Since. Editors (API key with content:write) list drafts, scheduled, published or archived articles with `status`; without a key `status` is a 400.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithFullTextTurns();
        group.MapGet("/{slug}", GetArticle)
            .WithName(nameof(GetArticle))
            .WithSummary("Get one article with its metadata")
            .WithDescription("The article's body and its whole metadata block (event, dates, people with affiliations, organisations, places, tags). Conditional with If-None-Match / If-Modified-Since. A former slug of a renamed article answers 301 to its current URL; a taken-down article 410. Editors (API key with content:write) also read drafts and scheduled articles, privately, with the stored version as a strong ETag (for If-Match). `Accept: application/ld+json` gives a schema.org NewsArticle, `Accept: application/ninjs+json` an IPTC ninjs 3.1 document; an Accept that none matches is a 406.")
            .Produces(StatusCodes.Status301MovedPermanently)
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status406NotAcceptable, StatusCodes.Status410Gone);
        group.MapArticleEditing(routes);

        return group;
    }

    public static async Task<Results<RawPagedResult<ArticleSummary>, NotModifiedResult, ProblemHttpResult>> ListArticles(
        [AsParameters] ListArticlesQuery query, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (query.Status is not null)
        {
            var access = await Editors.CheckAsync(httpContext);
            if (access.Refusal is { } refused)
            {
                return refused;
            }

            if (!access.IsEditor)
            {
                return Problems.Validation("status", "'status' lists unpublished articles: it needs an API key with content:write (Authorization: Bearer …).");
            }
        }

        return await reads.ListAsync<ArticleSummary>(httpContext, query, ArticleQueries.ListSpec(query), cancellationToken);
    }

    /// <param name="slug">The article's slug.</param>
    public static async Task<Results<RawJsonResult<ArticleDetail>, NotModifiedResult, RedirectHttpResult, ProblemHttpResult>> GetArticle(
        string slug, ReadRouting routing, ConditionalRequests conditionalRequests, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (Slugs.Problem(slug) is { } badSlug)
        {
            return badSlug;
        }

        // Editors (with Authorization) read from the primary.
        var db = await routing.SourceForAsync(httpContext, cancellationToken);

        httpContext.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Accept);
        if (ArticleFormats.Negotiate(httpContext.Request) is not { } format)
        {
            // Only an article that is there can be not acceptable: others are still missing.
            return await ArticleQueries.GetValidatorsAsync(db, slug, cancellationToken) is null
                ? await MissingAsync(db, slug, "", cancellationToken)
                : ArticleFormats.NotAcceptable();
        }

        var access = await Editors.CheckAsync(httpContext);
        if (access.Refusal is { } refused)
        {
            return refused;
        }

        if (access.IsEditor || format != ArticleFormats.Format.Json)
        {
            return await GetFormattedAsync(slug, format, access.IsEditor, db, conditionalRequests, httpContext, cancellationToken);
        }

        // A client that holds a copy costs one cheap query: no body is built for a 304.
        if (ConditionalRequests.HasConditions(httpContext.Request))
        {
            if (await ArticleQueries.GetValidatorsAsync(db, slug, cancellationToken) is not { } current)
            {
                return await MissingAsync(db, slug, "", cancellationToken);
            }

            var validators = ContentValidators.From(ValidatorKind(ArticleFormats.Format.Json), current.ContentVersion, current.ContentModifiedAt);
            if (ConditionalRequests.IsNotModified(httpContext.Request, validators))
            {
                conditionalRequests.Apply(httpContext.Response, validators);
                CacheTags.Set(httpContext.Response, ArticleCacheKey(current.Id));
                return NotModifiedResult.Instance;
            }
        }

        if (await ArticleQueries.GetDocumentAsync(db, slug, cancellationToken) is not { } row)
        {
            return await MissingAsync(db, slug, "", cancellationToken);
        }

        conditionalRequests.Apply(httpContext.Response, ContentValidators.From(ValidatorKind(ArticleFormats.Format.Json), row.ContentVersion, row.ContentModifiedAt));
        CacheTags.Set(httpContext.Response, ArticleCacheKey(row.Id));
        return new RawJsonResult<ArticleDetail>(row.Document);
    }

    /// <summary>
    /// A slug with no published article: a former slug of one (301 to its current URL, plus
    /// <paramref name="rest"/>), a taken-down article (410), or nothing (404).
    /// </summary>
    public static async Task<Results<RawJsonResult<ArticleDetail>, NotModifiedResult, RedirectHttpResult, ProblemHttpResult>> MissingAsync(
        NpgsqlDataSource db, string slug, string rest, CancellationToken cancellationToken)
    {
        var whereabouts = await ArticleWriteQueries.LocateAsync(db, slug, cancellationToken);
        return whereabouts switch
        {
            { Gone: true } => ArticleProblems.Gone(slug),
            { CurrentSlug: { } current } => TypedResults.Redirect($"/v1/articles/{current}{rest}", permanent: true),
            _ => Problems.NotFound($"No published article has the slug '{slug}'."),
        };
    }

    // The key the changes feed names when anything the article shows changes (migration 0014).
    private static string ArticleCacheKey(long id) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"article:{id}");

    // Each representation has its own validators.
    private static string ValidatorKind(ArticleFormats.Format format) => format switch
    {
        ArticleFormats.Format.JsonLd => "ld",
        ArticleFormats.Format.Ninjs => "nj",
        _ => "a",
    };

    // Editors see drafts and scheduled articles, with the stored version as a strong ETag; any
    // reader may ask for JSON-LD or ninjs (the public validators, one per format).
    private static async Task<Results<RawJsonResult<ArticleDetail>, NotModifiedResult, RedirectHttpResult, ProblemHttpResult>> GetFormattedAsync(
        string slug, ArticleFormats.Format format, bool editor, NpgsqlDataSource db, ConditionalRequests conditionalRequests,
        HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (await ArticleQueries.GetFormattedAsync(db, slug, format, ArticleFormats.BaseUrl(httpContext.Request), editor, cancellationToken) is not { } article)
        {
            return await MissingAsync(db, slug, "", cancellationToken);
        }

        if (editor)
        {
            // The stored version (what If-Match takes), told apart per format.
            var etag = format == ArticleFormats.Format.Json
                ? Preconditions.ETag((int)article.Version)
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"\"{article.Version}-{ValidatorKind(format)}\"");
            httpContext.Response.Headers.ETag = etag;
            if (httpContext.Request.Headers.IfNoneMatch.ToString().Split(',').Any(tag => tag.Trim() == etag))
            {
                return NotModifiedResult.Instance;
            }
        }
        else
        {
            var validators = ContentValidators.From(ValidatorKind(format), article.Version, article.ModifiedAt);
            conditionalRequests.Apply(httpContext.Response, validators);
            CacheTags.Set(httpContext.Response, ArticleCacheKey(article.Id));
            if (ConditionalRequests.HasConditions(httpContext.Request) && ConditionalRequests.IsNotModified(httpContext.Request, validators))
            {
                return NotModifiedResult.Instance;
            }
        }

        return new RawJsonResult<ArticleDetail>(article.Document, ArticleFormats.MediaType(format));
    }
}
