using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.AspNetCore.Http.Timeouts;

namespace ContentApi.Infrastructure.Http;

/// <summary>The HTTP conventions of DESIGN.md shared by every resource.</summary>
internal static class HttpConventions
{
    public static IServiceCollection AddHttpConventions(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new UtcTimestampConverter());
            // The defaults would silently drop unknown members ("status":"approved") and take the
            // last of duplicate keys: request bodies must say exactly what they mean.
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            options.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.AddApiProblemDetails();
        ValidationFilter.UseCamelCaseNames();
        services.AddValidatorsFromAssembly(typeof(HttpConventions).Assembly, ServiceLifetime.Singleton, includeInternalTypes: true);
        // Http:RequestTimeoutSeconds (10 by default): longer than the lock and command timeouts, so
        // a request those end answers their problem; this one ends whatever else would hang.
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure(options => options.DefaultPolicy = new()
        {
            Timeout = TimeSpan.FromSeconds(configuration.GetValue("Http:RequestTimeoutSeconds", 10.0)),
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
            WriteTimeoutResponse = context =>
            {
                context.Response.Headers.RetryAfter = "5";
                return Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable", "The request took too long; retry shortly.");
            },
        });
        services.AddCrossOrigin(configuration, environment);
        services.AddClientAddresses(configuration);
        services.AddCompression();
        services.AddApiRateLimiting();
        return services;
    }

    /// <summary>Puts a feature's System.Text.Json source-generated context ahead of reflection.</summary>
    public static IServiceCollection AddSourceGeneratedJson(this IServiceCollection services, JsonSerializerContext context) =>
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, context));

    /// <summary>GET, HEAD and OPTIONS: requests that change nothing.</summary>
    public static bool IsRead(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method);

    public static WebApplication UseHttpConventions(this WebApplication app)
    {
        app.UseClientAddresses();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseRequestTimeouts();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseMiddleware<RequestCharsetMiddleware>();
        return app;
    }
}
