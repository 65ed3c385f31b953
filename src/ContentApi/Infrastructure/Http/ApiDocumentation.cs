using Microsoft.OpenApi;

namespace ContentApi.Infrastructure.Http;

/// <summary>Swagger UI at /swagger and the OpenAPI document at /swagger/v1/swagger.json (Swagger:Enabled).</summary>
internal static class ApiDocumentation
{
    public const string DocumentName = "v1";

    private const string SwaggerPath = "/swagger";

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "ContentApi",
                Version = "v1",
                Description = "Headless content API: news articles with their metadata (event, dates, people, organisations, places, tags) and reader comments. Errors are RFC 9457 problem documents. Where reads are served by replicas, a successful write answers with a `Commit-Position` header; a GET that sends it back (unchanged) is answered by a server that has the write (read-your-writes), and a value no write gave is a 400.",
            });
            options.IncludeXmlComments(Path.Combine(AppContext.BaseDirectory, "ContentApi.xml"));
            options.SupportNonNullableReferenceTypes();
            options.ParameterFilter<DocumentedValuesFilter>();
            options.SchemaFilter<DocumentedValuesFilter>();
            options.ParameterFilter<RouteParameterFilter>();
            options.AddSecurityDefinition(ApiKeyOperationFilter.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "cak_…",
                Description = "An API key: `Authorization: Bearer cak_…`. Keys carry scopes (moderation needs comments:moderate); create one with `dotnet run --project src/ContentApi -- keys create --name NAME --scopes comments:moderate`.",
            });
            options.OperationFilter<ApiKeyOperationFilter>();
            options.AddContractFilters();
        });
        return services;
    }

    public static WebApplication UseApiDocumentation(this WebApplication app)
    {
        if (!app.Configuration.GetValue("Swagger:Enabled", true))
        {
            return app;
        }

        // Only under /swagger: their request matching (a route template, regular expressions,
        // the UI's static files) ran on every request, ~9 µs of API CPU each (by hand, cache
        // off, /health/live: 110 against 100–102 µs with Swagger off).
        app.UseWhen(context => context.Request.Path.StartsWithSegments(SwaggerPath), swagger =>
        {
            swagger.UseSwagger(options => options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1);
            swagger.UseSwaggerUI(options => options.DocumentTitle = "ContentApi");
        });
        app.MapGet("/", () => TypedResults.Redirect(SwaggerPath)).ExcludeFromDescription();
        return app;
    }
}

/// <summary>
/// Route parameters are described and bounded on every handler: <c>{slug}</c> (pattern and
/// length) and <c>{id}</c> (a positive 64-bit integer).
/// </summary>
internal sealed class RouteParameterFilter : Swashbuckle.AspNetCore.SwaggerGen.IParameterFilter
{
    public void Apply(IOpenApiParameter parameter, Swashbuckle.AspNetCore.SwaggerGen.ParameterFilterContext context)
    {
        if (parameter is OpenApiParameter { Name: "detach", In: ParameterLocation.Query } detach)
        {
            detach.Description ??= "true: remove the links of the articles (and positions) that use it, in the same transaction; otherwise that is a 409.";
        }

        if (parameter is not OpenApiParameter { In: ParameterLocation.Path, Schema: OpenApiSchema schema } path)
        {
            return;
        }

        if (path.Name == "slug")
        {
            path.Description ??= "The resource's slug (its public key): lower-case letters and digits in words joined by single hyphens, at most 200 characters.";
            schema.Pattern = Reads.Slugs.PatternText;
            schema.MaxLength = Reads.Slugs.MaxLength;
        }
        else if (path.Name == "number")
        {
            path.Description ??= "The revision's number (1 for the first write).";
            schema.Minimum = "1";
            schema.Maximum = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (path.Name == "token")
        {
            path.Description ??= "The token of a preview link.";
            schema.MaxLength = 100;
            schema.Pattern = "^[A-Za-z0-9_-]+$";
        }
        else if (path.Name is "id" or "deliveryId")
        {
            schema.Minimum = "1";
            schema.Maximum = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>Protected operations show the API-key scheme, their scope, and their 401 and 403 problems.</summary>
internal sealed class ApiKeyOperationFilter : Swashbuckle.AspNetCore.SwaggerGen.IOperationFilter
{
    public const string SchemeName = "ApiKey";

    public void Apply(OpenApiOperation operation, Swashbuckle.AspNetCore.SwaggerGen.OperationFilterContext context)
    {
        var policies = context.ApiDescription.ActionDescriptor.EndpointMetadata
            .OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
            .Select(a => a.Policy)
            .OfType<string>()
            .ToList();
        if (policies.Count == 0)
        {
            return;
        }

        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = policies }];
        operation.Responses ??= [];
        Dictionary<string, IOpenApiMediaType> Problem() => new()
        {
            ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(nameof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.Document) },
        };
        operation.Responses["401"] = new OpenApiResponse { Description = "No API key, or an invalid or revoked one (WWW-Authenticate: Bearer).", Content = Problem() };
        operation.Responses["403"] = new OpenApiResponse { Description = $"The API key lacks the scope {string.Join(", ", policies)}.", Content = Problem() };
    }
}
