namespace ContentApi.Infrastructure.Http;

/// <summary>
/// CORS: origins from <c>Cors:AllowedOrigins</c>, echoed exactly with <c>Vary: Origin</c>. In
/// Development any origin may call, so a frontend on http://localhost:3000 works out of the box.
/// </summary>
internal static class CrossOrigin
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PATCH", "DELETE"];
    private static readonly string[] RequestHeaders = ["Accept", "Content-Type", "Authorization", "If-None-Match", "If-Modified-Since", "If-Match", "Idempotency-Key", "Commit-Position"];
    private static readonly string[] ExposedHeaders = ["ETag", "Last-Modified", "Link", "Location", "Retry-After", "Commit-Position"];

    public static IServiceCollection AddCrossOrigin(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var origins = configuration.GetSection("Cors:AllowedOrigins").Get<string[]>() ?? [];
        services.AddCors(options => options.AddDefaultPolicy(policy =>
        {
            if (environment.IsDevelopment())
            {
                policy.SetIsOriginAllowed(_ => true);
            }
            else
            {
                policy.WithOrigins(origins);
            }

            policy.WithMethods(Methods)
                .WithHeaders(RequestHeaders)
                .WithExposedHeaders(ExposedHeaders)
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        }));
        return services;
    }
}
