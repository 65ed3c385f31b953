using ContentApi.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContentApi.Articles;

/// <summary>
/// A kind of entity that articles link to (person, organisation, event, place, tag): served as
/// a list, one item by slug, and the list of its articles.
/// </summary>
/// <param name="Path">Base path, e.g. /v1/people.</param>
/// <param name="Tag">OpenAPI tag.</param>
/// <param name="Link">How articles link to it.</param>
/// <param name="Singular">Operation-name noun for one, e.g. Person.</param>
/// <param name="Plural">Operation-name noun for many, e.g. People.</param>
/// <param name="ListDescription">What the list holds and in which order.</param>
/// <param name="DetailDescription">What one item holds.</param>
/// <param name="DetailSql">The item as JSON from <c>@slug</c> (one text column, or no row).</param>
internal sealed record LinkedResource(
    string Path, string Tag, ArticleLink Link, string Singular, string Plural,
    string ListDescription, string DetailDescription, string DetailSql)
{
    /// <summary>The noun in messages, e.g. "person".</summary>
    public string Noun => Singular.ToLowerInvariant();
}

internal static class LinkedResources
{
    public static RouteGroupBuilder MapLinkedResource<TQuery, TSummary, TDetail>(
        this IEndpointRouteBuilder routes, LinkedResource resource, Func<TQuery, ListSpec> listSpec)
        where TQuery : PagingQuery
    {
        var group = routes.MapGroup(resource.Path).WithTags(resource.Tag).WithValidation();

        // A delegate rather than an inline lambda: the route-handler analyzer of .NET 10 throws on
        // an inline lambda whose parameter type is a type parameter (AD0001).
        Func<TQuery, PublicReads, HttpContext, CancellationToken, Task<Results<RawPagedResult<TSummary>, NotModifiedResult, ProblemHttpResult>>> list =
            ([AsParameters] query, reads, httpContext, cancellationToken) => reads.ListAsync<TSummary>(httpContext, query, listSpec(query), cancellationToken);
        group.MapGet("/", list)
            .WithName($"List{resource.Plural}")
            .WithSummary($"List {resource.Plural.ToLowerInvariant()}")
            .WithDescription(resource.ListDescription);
        group.MapGet("/{slug}", (string slug, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken) =>
                reads.DocumentAsync<TDetail>(httpContext, slug, resource.DetailSql, resource.Noun, cancellationToken))
            .WithName($"Get{resource.Singular}")
            .WithSummary($"Get one {resource.Noun}")
            .WithDescription(resource.DetailDescription)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{slug}/articles", (string slug, [AsParameters] LinkedArticlesQuery query, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken) =>
                ListLinkedArticles(resource, slug, query, reads, httpContext, cancellationToken))
            .WithName($"List{resource.Singular}Articles")
            .WithSummary($"List the published articles linked to one {resource.Noun}")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    /// <summary>The published articles linked to one entity; 404 when the entity does not exist.</summary>
    private static async Task<Results<RawPagedResult<ArticleSummary>, NotModifiedResult, ProblemHttpResult>> ListLinkedArticles(
        LinkedResource resource, string slug, LinkedArticlesQuery query, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (Slugs.Problem(slug) is { } badSlug)
        {
            return badSlug;
        }

        var paging = new ListArticlesQuery { Page = query.Page, PageSize = query.PageSize, Cursor = query.Cursor, Sort = query.Sort };
        var filtered = resource.Link switch
        {
            ArticleLink.Person => paging with { Person = slug },
            ArticleLink.Organisation => paging with { Organisation = slug },
            ArticleLink.Event => paging with { Event = slug },
            ArticleLink.Place => paging with { Place = slug },
            _ => paging with { Tag = slug },
        };
        var table = resource.Path[(resource.Path.LastIndexOf('/') + 1)..];
        var spec = ArticleQueries.ListSpec(
            filtered,
            parentExists: $"exists (select 1 from {table} where slug = @parentSlug)",
            notFoundDetail: $"No {resource.Noun} has the slug '{slug}'.");
        spec.Parameters.Add("parentSlug", slug);
        return await reads.ListAsync<ArticleSummary>(httpContext, query, spec, cancellationToken);
    }
}
