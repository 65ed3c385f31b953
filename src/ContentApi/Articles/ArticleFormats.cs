using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Articles;

/// <summary>
/// The representations of an article, chosen by the request's Accept (highest q first): the
/// API's JSON, schema.org JSON-LD, or IPTC ninjs 3.1 (SQL functions of migration 0010). Entity
/// pages offer JSON and JSON-LD (migration 0016).
/// </summary>
internal static class ArticleFormats
{
    public const string JsonLd = "application/ld+json";
    public const string Ninjs = "application/ninjs+json";

    public enum Format { Json, JsonLd, Ninjs }

    private static readonly (string MediaType, Format Format)[] Offered =
        [("application/json", Format.Json), (JsonLd, Format.JsonLd), (Ninjs, Format.Ninjs)];

    private static readonly (string MediaType, Format Format)[] EntityOffered = [("application/json", Format.Json), (JsonLd, Format.JsonLd)];

    /// <summary>The format of an article the request asks for; null when it accepts none of them (406).</summary>
    public static Format? Negotiate(HttpRequest request) => Negotiate(request, Offered);

    /// <summary>The format of an entity page the request asks for; null when it accepts neither (406).</summary>
    public static Format? NegotiateEntity(HttpRequest request) => Negotiate(request, EntityOffered);

    public static ProblemHttpResult EntityNotAcceptable() =>
        TypedResults.Problem(statusCode: StatusCodes.Status406NotAcceptable, title: "Not Acceptable",
            detail: $"This page is served as application/json or {JsonLd} (schema.org).");

    private static Format? Negotiate(HttpRequest request, (string MediaType, Format Format)[] offered)
    {
        var accept = request.Headers.Accept;
        if (accept.Count == 0 || !MediaTypeHeaderValue.TryParseList(accept, out var ranges))
        {
            return Format.Json;
        }

        foreach (var range in ranges.Where(r => r.Quality is not 0).OrderByDescending(r => r.Quality ?? 1))
        {
            foreach (var (mediaType, format) in offered)
            {
                if (new MediaTypeHeaderValue(mediaType).IsSubsetOf(range))
                {
                    return format;
                }
            }
        }

        return null;
    }

    public static string MediaType(Format format) => Offered.First(o => o.Format == format).MediaType;

    /// <summary>The SQL function that renders the format from the detail document and the base URL.</summary>
    public static string Renderer(Format format) => format == Format.JsonLd ? "article_jsonld" : "article_ninjs";

    public static ProblemHttpResult NotAcceptable() =>
        TypedResults.Problem(statusCode: StatusCodes.Status406NotAcceptable, title: "Not Acceptable",
            detail: $"An article is served as application/json, {JsonLd} (schema.org NewsArticle) or {Ninjs} (IPTC ninjs 3.1).");

    /// <summary>The absolute URL the API is served under, for the identifiers of JSON-LD and ninjs.</summary>
    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}
