namespace ContentApi.Infrastructure.Http;

/// <summary>
/// Request bodies are JSON in UTF-8: a body declared in another charset (or one .NET cannot
/// decode, e.g. charset=utf-7 or charset=foo) is a 415 problem before anything reads it,
/// instead of an exception in the JSON reader.
/// </summary>
internal sealed class RequestCharsetMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            && contentType.Charset.HasValue
            && !contentType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !contentType.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException(
                $"Request bodies are read as UTF-8; charset '{contentType.Charset}' is not supported.", StatusCodes.Status415UnsupportedMediaType);
        }

        return next(context);
    }
}
