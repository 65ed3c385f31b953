using System.Reflection;
using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace ContentApi.Changes;

internal static class ChangesApi
{
    public static RouteGroupBuilder MapChangesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/changes").WithTags("Changes").NeverFromMemory();
        group.MapGet("/", ListChanges)
            .WithName(nameof(ListChanges))
            .WithSummary("Changes to public content since a token")
            .WithDescription("""
                Every change to public content in commit order: upserts (an article published or edited, an entity created or edited, a comment approved) and tombstones (`deleted: true`: an article unpublished, archived, taken down or deleted; a comment unapproved or deleted; an entity deleted). Without `since`, the feed starts with a full sync of the public dataset (`phase: sync`), then continues with the changes made since the sync began. Keep each page's `next` and ask with it; `hasMore: false` means you are up to date. A scheduled article appears when it becomes visible. Delivery is at least once: apply upserts and tombstones by `type` and `id`, idempotently.
                """);
        return group;
    }

    /// <param name="query">Where to read from and how many.</param>
    public static async Task<Results<RawChangesPage, ProblemHttpResult>> ListChanges(
        [AsParameters] ChangesQuery query, ChangeQueries changes, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (await changes.ReadAsync(query.Since, query.PageSize ?? ChangesQuery.DefaultPageSize, cancellationToken) is not { } page)
        {
            return Problems.Validation("since", "'since' is not a token this feed issued (keep the `next` of a page as it was given).");
        }

        // Each page answers for the moment it is read: a client asks again with `next`.
        httpContext.Response.Headers.CacheControl = "no-cache";
        return page;
    }
}

/// <summary>A page of the changes feed whose items PostgreSQL rendered (content_change_json), written through as the UTF-8 it sent.</summary>
internal sealed record RawChangesPage(IReadOnlyList<ReadOnlyMemory<byte>> Items, string Next, bool HasMore, string Phase)
    : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext) =>
        ItemsEnvelope.WriteAsync(httpContext, Items, this, default, static (writer, page) =>
        {
            writer.WriteString("next", page.Next);
            writer.WriteBoolean("hasMore", page.HasMore);
            writer.WriteString("phase", page.Phase);
        });

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(ChangesPage), ["application/json"]));
}
