using System.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ContentApi.Infrastructure.Http;

internal static class ProblemDetailsServiceCollectionExtensions
{
    /// <summary>Every non-2xx body is application/problem+json with type, title, status, detail and instance.</summary>
    public static IServiceCollection AddApiProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Type ??= "about:blank"; // RFC 9457 §4.2.1, for statuses without a default type (428, 429)
            problem.Instance ??= context.HttpContext.Request.Path;
            problem.Detail ??= problem.Title;
            problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        });
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>(); // after the default writer: used when it declines
        services.AddExceptionHandler<ApiExceptionHandler>();
        // Binding failures (a malformed query value, bad JSON) throw, so that they reach the
        // exception handler with their message in every environment.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }
}

/// <summary>
/// The last problem writer: every error is a problem document whatever the request's Accept
/// says. The default writer declines when Accept admits no JSON (text/html), and a 401, 403
/// or 429 written then would become an empty 500 or a plain-text status page.
/// </summary>
internal sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> options, IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
            problem, problem.GetType(), json.Value.SerializerOptions, "application/problem+json", context.HttpContext.RequestAborted));
    }
}
