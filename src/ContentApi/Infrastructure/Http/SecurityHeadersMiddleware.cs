using Microsoft.Net.Http.Headers;

namespace ContentApi.Infrastructure.Http;

/// <summary>Security and cache headers on every response, errors included.</summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var response = (HttpResponse)state;
            var headers = response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.Remove("Server");
            // Responses differ by Origin under CORS, whatever the policy: shared caches must know.
            if (!headers.Vary.Any(v => v is not null && v.Contains("Origin", StringComparison.OrdinalIgnoreCase)))
            {
                headers.Append(HeaderNames.Vary, "Origin");
            }
            if (response.ContentType is { } contentType && contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            }

            if (response.StatusCode >= 400)
            {
                headers.CacheControl = "no-store";
                // A 412 names the current version to reload (ETag); no other error has validators.
                if (response.StatusCode != StatusCodes.Status412PreconditionFailed)
                {
                    headers.Remove("ETag");
                }

                headers.Remove("Last-Modified");
            }
            else if (response.HttpContext.Request.Headers.Authorization.Count > 0)
            {
                headers.CacheControl = "private, no-store";
            }

            return Task.CompletedTask;
        }, context.Response);

        return next(context);
    }
}
