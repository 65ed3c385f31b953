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
            options.ParameterFilter<DocumentedValuesFilter>();
            options.SchemaFilter<DocumentedValuesFilter>();
            options.ParameterFilter<SlugParameterFilter>();
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

/// <summary>Every <c>{slug}</c> route parameter is described, also on handlers without XML docs.</summary>
internal sealed class SlugParameterFilter : Swashbuckle.AspNetCore.SwaggerGen.IParameterFilter
{
    public void Apply(IOpenApiParameter parameter, Swashbuckle.AspNetCore.SwaggerGen.ParameterFilterContext context)
    {
        if (parameter is OpenApiParameter { Name: "slug", In: ParameterLocation.Path } slug && string.IsNullOrEmpty(slug.Description))
        {
            slug.Description = "The resource's slug (its public key): lower-case letters and digits in words joined by single hyphens, at most 200 characters.";
        }
    }
}
