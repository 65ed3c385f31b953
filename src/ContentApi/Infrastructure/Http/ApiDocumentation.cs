using Microsoft.OpenApi;

namespace ContentApi.Infrastructure.Http;

/// <summary>Swagger UI at /swagger and the OpenAPI document at /swagger/v1/swagger.json (Swagger:Enabled).</summary>
internal static class ApiDocumentation
{
    public const string DocumentPath = "/swagger/v1/swagger.json";

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "ContentApi",
                Version = "v1",
                Description = "Headless content API: news articles with their metadata (event, dates, people, organisations, places, tags) and reader comments. Errors are RFC 9457 problem documents.",
            });
            options.IncludeXmlComments(Path.Combine(AppContext.BaseDirectory, "ContentApi.xml"));
            options.SupportNonNullableReferenceTypes();
        });
        return services;
    }

    public static WebApplication UseApiDocumentation(this WebApplication app)
    {
        if (!app.Configuration.GetValue("Swagger:Enabled", true))
        {
            return app;
        }

        app.UseSwagger();
        app.UseSwaggerUI(options => options.DocumentTitle = "ContentApi");
        app.MapGet("/", () => TypedResults.Redirect("/swagger")).ExcludeFromDescription();
        return app;
    }
}
