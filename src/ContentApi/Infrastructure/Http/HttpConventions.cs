using System.Text.Json.Serialization;
using FluentValidation;

namespace ContentApi.Infrastructure.Http;

/// <summary>The HTTP conventions of DESIGN.md shared by every resource.</summary>
internal static class HttpConventions
{
    public static IServiceCollection AddHttpConventions(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            // The defaults would silently drop unknown members ("status":"approved") and take the
            // last of duplicate keys: request bodies must say exactly what they mean.
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            options.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.AddApiProblemDetails();
        services.AddOptions<CachingOptions>().BindConfiguration("Caching");
        services.AddOptions<PagingOptions>().BindConfiguration("Paging");
        services.AddSingleton<ConditionalRequests>();
        services.AddSingleton<CursorSigningKey>();
        services.AddSingleton<CursorCodec>();
        services.AddSingleton<PublicReads>();
        services.AddSingleton<PagedQueryValidator>();
        ValidationFilter.UseCamelCaseNames();
        services.AddValidatorsFromAssemblyContaining<PagedQueryValidator>(ServiceLifetime.Singleton, includeInternalTypes: true);
        services.AddRequestTimeouts(options => options.DefaultPolicy = new()
        {
            Timeout = TimeSpan.FromSeconds(10),
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        });
        services.AddCrossOrigin(configuration, environment);
        services.AddClientAddresses(configuration);
        services.AddCompression();
        return services;
    }

    public static WebApplication UseHttpConventions(this WebApplication app)
    {
        app.UseClientAddresses();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseCompression();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseRequestTimeouts();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        return app;
    }
}
