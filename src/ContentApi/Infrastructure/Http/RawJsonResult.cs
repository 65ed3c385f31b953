using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace ContentApi.Infrastructure.Http;

/// <summary>
/// A 200 whose JSON body PostgreSQL already built: written through as it is, never parsed and
/// re-serialised. <typeparamref name="T"/> is the contract the JSON follows (the tests hold it
/// to that); it documents the response in OpenAPI as <c>Ok&lt;T&gt;</c> would.
/// </summary>
internal sealed class RawJsonResult<T>(string json) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        return httpContext.Response.WriteAsync(json, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}
