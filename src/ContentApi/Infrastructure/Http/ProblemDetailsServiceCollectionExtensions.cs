using System.Diagnostics;

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
        services.AddExceptionHandler<ApiExceptionHandler>();
        // Binding failures (a malformed query value, bad JSON) throw, so that they reach the
        // exception handler with their message in every environment.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }
}
