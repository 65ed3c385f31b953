using System.Buffers;
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
internal sealed class RawPagedResult<T>(IReadOnlyList<ReadOnlyMemory<byte>> items, PageInfo page, PageLinks links)
    : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    // URLs in links keep their '&' readable; the body is never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public Task ExecuteAsync(HttpContext httpContext) =>
        ItemsEnvelope.WriteAsync(httpContext, items, (page, links), WriterOptions, static (writer, rest) =>
        {
            writer.WritePropertyName("page");
            JsonSerializer.Serialize(writer, rest.page, ReadsJsonContext.Default.PageInfo);
            writer.WritePropertyName("links");
            JsonSerializer.Serialize(writer, rest.links, ReadsJsonContext.Default.PageLinks);
        });

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Paged<T>), ["application/json"]));
}

/// <summary>
/// A 200 whose JSON object starts with <c>items</c>, an array of JSON values PostgreSQL built
/// (UTF-8, written through unparsed), followed by the members a writer adds. Its length is known
/// before a byte is written, so it goes out with its Content-Length, and a HEAD tells it. Sent
/// chunked, a page took a send of its own for the closing chunk after the rest: by hand (cache
/// off, `list` pages, `perf stat` on the API) 1.58 → 0.61 `sendto` a page, PostgreSQL's included.
/// </summary>
internal static class ItemsEnvelope
{
    public static Task WriteAsync<TRest>(
        HttpContext httpContext, IReadOnlyList<ReadOnlyMemory<byte>> items, TRest rest, JsonWriterOptions options, Action<Utf8JsonWriter, TRest> writeRest)
    {
        // The object with no items: {"items":[] and the other members}; the items go between its brackets.
        var shell = new ArrayBufferWriter<byte>(512);
        int itemsAt;
        using (var writer = new Utf8JsonWriter(shell, options))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("items");
            writer.Flush();
            itemsAt = shell.WrittenCount;
            writer.WriteEndArray();
            writeRest(writer, rest);
            writer.WriteEndObject();
        }

        var length = shell.WrittenCount + Math.Max(0, items.Count - 1);
        foreach (var item in items)
        {
            length += item.Length;
        }

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = length;
        var body = response.BodyWriter;
        body.Write(shell.WrittenSpan[..itemsAt]);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            body.Write(items[i].Span);
        }

        body.Write(shell.WrittenSpan[itemsAt..]);
        return body.FlushAsync(httpContext.RequestAborted).AsTask();
    }
}
