using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ContentApi.Reads;

/// <summary>
/// Full-text queries are the costliest anonymous reads: only a few run at once, the rest wait in
/// line (429 past the line), so that no pattern of them holds every pooled connection while the
/// cheap reads starve; a costly one rests its slot after it, and while none runs long or rests
/// and the last few ended cheap, they take a slot a core (<see cref="FullTextQueryLimiter"/>).
/// Both only while other requests are in progress or just ended, which the turns count (<see cref="UseFullTextTurns"/>).
/// </summary>
internal static class FullTextTurns
{
    /// <summary>Marks the endpoints whose requests with a <c>q</c> take turns.</summary>
    private sealed class FullTextEndpoint
    {
        public static readonly FullTextEndpoint Instance = new();
    }

    /// <summary>
    /// Takes a turn for a request with a full-text <c>q</c> after its arguments are bound and
    /// validated (the validation filter is the group's, so it runs first): a request the endpoint
    /// refuses, for its query or any other parameter, gets its 400 without waiting in line and is
    /// never refused as too many. The turn is held while the handler runs, which reads the page.
    /// </summary>
    public static RouteHandlerBuilder WithFullTextTurns(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(FullTextEndpoint.Instance).AddEndpointFilter(static (invocation, next) =>
            IsFullText(invocation.HttpContext.Request) ? InTurnAsync(invocation, next) : next(invocation));

    /// <summary>
    /// Counts the requests in progress other than full-text queries (<see cref="OtherRequests"/>):
    /// placed after the cache and the rate limiter, so that only requests on their way to the
    /// database count.
    /// </summary>
    public static WebApplication UseFullTextTurns(this WebApplication app)
    {
        var others = app.Services.GetRequiredService<OtherRequests>();
        app.Use((context, next) =>
            context.GetEndpoint()?.Metadata.GetMetadata<FullTextEndpoint>() is not null && IsFullText(context.Request)
                ? next(context)
                : CountedAsync(context, next, others));
        return app;
    }

    private static bool IsFullText(HttpRequest request) => request.Query.ContainsKey("q");

    private static async Task CountedAsync(HttpContext context, RequestDelegate next, OtherRequests others)
    {
        others.Enter();
        try
        {
            await next(context);
        }
        finally
        {
            others.Leave();
        }
    }

    private static async ValueTask<object?> InTurnAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var httpContext = invocation.HttpContext;
        using var turn = await httpContext.RequestServices.GetRequiredService<FullTextQueryLimiter>().AcquireAsync(1, httpContext.RequestAborted);
        if (turn.IsAcquired)
        {
            return await next(invocation);
        }

        // Refused as the rate limiter refuses: its status, and its answer (Retry-After, a problem).
        var rejection = httpContext.RequestServices.GetRequiredService<IOptions<RateLimiterOptions>>().Value;
        httpContext.Response.StatusCode = rejection.RejectionStatusCode;
        if (rejection.OnRejected is { } onRejected)
        {
            await onRejected(new OnRejectedContext { HttpContext = httpContext, Lease = turn }, httpContext.RequestAborted);
        }

        return Results.Empty;
    }
}
