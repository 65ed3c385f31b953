using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ContentApi.Reads;

/// <summary>
/// Full-text queries are the costliest anonymous reads: only a few run at once, the rest wait in
/// line (429 past the line), so that no pattern of them holds every pooled connection while the
/// cheap reads starve; a costly one rests its slot after it, and while none runs long or rests
/// and the last few ended cheap, they take a slot a core (<see cref="FullTextQueryLimiter"/>).
/// </summary>
internal static class FullTextTurns
{
    /// <summary>
    /// Takes a turn for a request with a full-text <c>q</c> after its arguments are bound and
    /// validated (the validation filter is the group's, so it runs first): a request the endpoint
    /// refuses, for its query or any other parameter, gets its 400 without waiting in line and is
    /// never refused as too many. The turn is held while the handler runs, which reads the page.
    /// </summary>
    public static RouteHandlerBuilder WithFullTextTurns(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(static (invocation, next) =>
            invocation.HttpContext.Request.Query.ContainsKey("q") ? InTurnAsync(invocation, next) : next(invocation));

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
