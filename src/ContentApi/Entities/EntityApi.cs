using ContentApi.Articles;
using ContentApi.Infrastructure.Http;
using ContentApi.Infrastructure.Security;
using ContentApi.Reads;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace ContentApi.Entities;

/// <summary>
/// A kind of entity that articles link to (person, organisation, event, place, tag): served as
/// a list, one item by slug, and the list of its published articles.
/// </summary>
/// <param name="Path">Base path, e.g. /v1/people.</param>
/// <param name="Table">Its table, e.g. people.</param>
/// <param name="Singular">Operation-name noun for one, e.g. Person.</param>
/// <param name="Plural">Operation-name noun for many, e.g. People; also the OpenAPI tag.</param>
/// <param name="ListDescription">What the list holds and in which order.</param>
/// <param name="DetailDescription">What one item holds.</param>
/// <param name="DetailSql">The item as JSON from <c>@slug</c> (<see cref="EntityApi.DetailSql"/>), or no row.</param>
/// <param name="ArticlesOf">The article-list filter that keeps the articles of the entity with this slug.</param>
/// <param name="EditorDetailSql">The item as JSON (document) with its version (for a strong ETag) from <c>@slug</c>.</param>
internal sealed record EntityDefinition(
    string Path, string Table, string Singular, string Plural,
    string ListDescription, string DetailDescription, string DetailSql,
    Func<ListArticlesQuery, string, ListArticlesQuery> ArticlesOf, string EditorDetailSql)
{
    /// <summary>The noun in messages, e.g. "person"; also its kind in cache keys and the changes feed.</summary>
    public string Noun { get; } = Singular.ToLowerInvariant();

    /// <summary>The item as schema.org JSON-LD, rendered from <see cref="DetailSql"/> (migration 0016), from <c>@slug</c>, <c>@kind</c> and <c>@baseUrl</c>.</summary>
    public string JsonLdSql { get; } =
        $"select entity_jsonld(@kind, d.document::jsonb, @baseUrl)::text as document, d.resource_id, d.last_change, d.last_changed_at from ({DetailSql}) d";

    /// <summary>The noun with its indefinite article, e.g. "an organisation".</summary>
    public string OneNoun => ("aeiou".Contains(Noun[0], StringComparison.Ordinal) ? "an " : "a ") + Noun;
}

internal static class EntityApi
{
    public static RouteGroupBuilder MapEntityApi<TQuery, TSummary, TDetail>(
        this IEndpointRouteBuilder routes, EntityDefinition entity, Func<TQuery, ListSpec> listSpec)
        where TQuery : PagingQuery
    {
        var group = routes.MapGroup(entity.Path).WithTags(entity.Plural);

        // A delegate rather than an inline lambda: the route-handler analyzer of .NET 10 throws on
        // an inline lambda whose parameter type is a type parameter (AD0001).
        Func<TQuery, PublicReads, HttpContext, CancellationToken, Task<Results<RawPagedResult<TSummary>, NotModifiedResult, ProblemHttpResult>>> list =
            ([AsParameters] query, reads, httpContext, cancellationToken) => reads.ListAsync<TSummary>(httpContext, query, listSpec(query), cancellationToken);
        group.MapGet("/", list)
            .WithName($"List{entity.Plural}")
            .WithSummary($"List {entity.Plural.ToLowerInvariant()}")
            .WithDescription(entity.ListDescription);
        Func<string, PublicReads, NpgsqlDataSource, HttpContext, CancellationToken, Task<Results<RawJsonResult<TDetail>, NotModifiedResult, ProblemHttpResult>>> item =
            (slug, reads, db, httpContext, cancellationToken) => GetAsync<TDetail>(entity, slug, reads, db, httpContext, cancellationToken);
        group.MapGet("/{slug}", item)
            .WithName($"Get{entity.Singular}")
            .WithSummary($"Get one {entity.Noun}")
            .WithDescription(entity.DetailDescription + " Editors (API key with content:write) get the stored version as a strong ETag, for If-Match. `Accept: application/ld+json` gives the schema.org JSON-LD of the page (with its own ETag); an Accept that neither matches is a 406.")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status406NotAcceptable);
        group.MapGet("/{slug}/articles", (string slug, [AsParameters] LinkedArticlesQuery query, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken) =>
                ListArticlesOf(entity, slug, query, reads, httpContext, cancellationToken))
            .WithName($"List{entity.Singular}Articles")
            .WithSummary($"List the published articles linked to one {entity.Noun}")
            .WithDescription($"Summaries of the published articles linked to the {entity.Noun}, newest first by default, paged like /v1/articles; 404 when no {entity.Noun} has the slug.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    /// <summary>
    /// One entity's page: document, resource_id, and its last change in the changes feed
    /// (last_change, last_changed_at: its validators; null before its first change).
    /// </summary>
    public static string DetailSql(string kind, string table, string alias, string json) => $"""
        select {json}::text as document, {alias}.id as resource_id, c.last_position as last_change, c.last_changed_at
        from {table} {alias} left join lateral content_outbox_last('{kind}', {alias}.id) c on true
        where {alias}.slug = @slug
        """;

    /// <summary>An entity list in name order; <paramref name="itemJson"/> renders one item from the row aliased <paramref name="alias"/>.</summary>
    public static ListSpec ListByName(string table, string alias, string itemJson) => new(
        Scope: table,
        ItemJson: itemJson,
        FromWhere: $"from {table} {alias} where true",
        Sort: new SortOrder("name", $"{alias}.name", $"{alias}.id", Descending: false),
        Parameters: new SqlParameters()) { CacheKeys = [table] };

    private static readonly PublicReads.DocumentFormat JsonLdFormat = new(ArticleFormats.JsonLd, "ld");

    // Readers get the public validators; editors the stored version as a strong ETag.
    private static async Task<Results<RawJsonResult<TDetail>, NotModifiedResult, ProblemHttpResult>> GetAsync<TDetail>(
        EntityDefinition entity, string slug, PublicReads reads, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        httpContext.Response.Headers.Append(Microsoft.Net.Http.Headers.HeaderNames.Vary, Microsoft.Net.Http.Headers.HeaderNames.Accept);
        if (ArticleFormats.NegotiateEntity(httpContext.Request) is not { } format)
        {
            return ArticleFormats.EntityNotAcceptable();
        }

        var access = await Editors.CheckAsync(httpContext);
        if (access.Refusal is { } refused)
        {
            return refused;
        }

        // JSON-LD holds nothing private: editors read it as everyone does.
        if (format == ArticleFormats.Format.JsonLd)
        {
            return Slugs.Problem(slug) is { } invalidSlug
                ? invalidSlug
                : await reads.DocumentAsync<TDetail>(httpContext, entity.JsonLdSql,
                    new { slug, kind = entity.Noun, baseUrl = ArticleFormats.BaseUrl(httpContext.Request) },
                    $"No {entity.Noun} has the slug '{slug}'.", entity.Noun, JsonLdFormat, cancellationToken);
        }

        if (!access.IsEditor)
        {
            return await reads.DocumentAsync<TDetail>(httpContext, slug, entity.DetailSql, entity.Noun, cancellationToken);
        }

        if (Slugs.Problem(slug) is { } badSlug)
        {
            return badSlug;
        }

        if (await EntityWrites.EditorDetailAsync(db, entity.EditorDetailSql, slug, cancellationToken) is not { } stored)
        {
            return Problems.NotFound($"No {entity.Noun} has the slug '{slug}'.");
        }

        httpContext.Response.Headers.ETag = Preconditions.ETag(stored.Version);
        return new RawJsonResult<TDetail>(stored.Document);
    }

    /// <summary>The published articles linked to one entity; 404 when the entity does not exist.</summary>
    private static async Task<Results<RawPagedResult<ArticleSummary>, NotModifiedResult, ProblemHttpResult>> ListArticlesOf(
        EntityDefinition entity, string slug, LinkedArticlesQuery query, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (Slugs.Problem(slug) is { } badSlug)
        {
            return badSlug;
        }

        var paging = new ListArticlesQuery { Page = query.Page, PageSize = query.PageSize, Cursor = query.Cursor, Sort = query.Sort };
        var spec = ArticleQueries.ListSpec(entity.ArticlesOf(paging, slug), notFoundDetail: $"No {entity.Noun} has the slug '{slug}'.");
        return await reads.ListAsync<ArticleSummary>(httpContext, query, spec, cancellationToken);
    }
}
