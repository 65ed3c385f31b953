using System.Reflection;
using System.Text.Json;
using System.Text;
using Microsoft.AspNetCore.Http.Metadata;

namespace ContentApi.Reads;

/// <summary>
/// A 200 whose JSON body PostgreSQL already built: written through as it is, never parsed and
/// re-serialised. <typeparamref name="T"/> is the contract the JSON follows (the tests hold it
/// to that); it documents the response in OpenAPI as <c>Ok&lt;T&gt;</c> would.
/// </summary>
internal sealed class RawJsonResult<T>(byte[] body, string mediaType = "application/json") : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public RawJsonResult(string json, string mediaType = "application/json")
        : this(Encoding.UTF8.GetBytes(json), mediaType)
    {
    }

    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = mediaType + "; charset=utf-8";
        response.ContentLength = body.Length; // lets compression skip small bodies
        return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}

/// <summary>A 201 Created whose JSON body PostgreSQL built, with the new resource's Location.</summary>
internal sealed class CreatedRawJsonResult<T>(string location, string json) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status201Created;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = location;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(T), ["application/json"]));
}

/// <summary>
/// A list page whose items PostgreSQL built as JSON (UTF-8): the envelope of <see cref="Paged{T}"/>
/// written around them without parsing them.
/// </summary>
internal sealed class RawPagedResult<T>(IReadOnlyList<byte[]> items, PageInfo page, PageLinks links)
    : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    // URLs in links keep their '&' readable; the body is never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("items");
            foreach (var item in items)
            {
                writer.WriteRawValue(item, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WritePropertyName("page");
            JsonSerializer.Serialize(writer, page, ReadsJsonContext.Default.PageInfo);
            writer.WritePropertyName("links");
            JsonSerializer.Serialize(writer, links, ReadsJsonContext.Default.PageLinks);
            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Paged<T>), ["application/json"]));
}
