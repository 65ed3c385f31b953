using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ContentApi.Infrastructure.Http;

/// <summary>
/// The OpenAPI document as a contract for code generators: what is always present is
/// required, only real nulls are nullable, every schema and problem response has an example,
/// and every operation declares the problems, headers and security it really has.
/// </summary>
internal static class OpenApiContract
{
    /// <summary>JSON as the API writes it (camelCase, UTC timestamps), for examples.</summary>
    public static readonly JsonSerializerOptions ExampleJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new UtcTimestampConverter() },
    };

    public static void AddContractFilters(this SwaggerGenOptions options)
    {
        options.UseAllOfToExtendReferenceSchemas();
        options.SchemaFilter<RequiredMembersFilter>();
        options.SchemaFilter<ProblemSchemaFilter>();
        options.SchemaFilter<ExampleSchemaFilter>();
        options.OperationFilter<ResponsesOperationFilter>();
        options.DocumentFilter<ContractDocumentFilter>();
        // HEAD answers every GET route (ApiRoutes); documenting it twice would only repeat the GET.
        options.DocInclusionPredicate((_, description) => !HttpMethods.IsHead(description.HttpMethod ?? ""));
    }

    public static JsonNode? ToJson(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), ExampleJson);
}

/// <summary>
/// A member is required when its record's constructor parameter has no default value: the
/// same rule the API's JSON follows (PostgreSQL renders every member, nulls included) and the
/// contract tests enforce (RespectRequiredConstructorParameters).
/// </summary>
internal sealed class RequiredMembersFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema { Properties.Count: > 0 } concrete || context.Type.IsAbstract)
        {
            return;
        }

        var constructor = context.Type.GetConstructors().MaxBy(c => c.GetParameters().Length);
        foreach (var parameter in constructor?.GetParameters() ?? [])
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(parameter.Name!);
            if (!parameter.HasDefaultValue && concrete.Properties.ContainsKey(name))
            {
                concrete.Required ??= new SortedSet<string>(StringComparer.Ordinal);
                concrete.Required.Add(name);
            }
        }
    }
}

/// <summary>
/// Problem documents as the API writes them (RFC 9457): type, title, status, detail, instance
/// and traceId always, and for validation problems the errors map.
/// </summary>
internal sealed class ProblemSchemaFilter : ISchemaFilter
{
    private static readonly string[] Always = ["type", "title", "status", "detail", "instance", "traceId"];

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (!typeof(ProblemDetails).IsAssignableFrom(context.Type) || schema is not OpenApiSchema concrete)
        {
            return;
        }

        concrete.Properties ??= new Dictionary<string, IOpenApiSchema>();
        concrete.Properties["type"] = Text("A URI reference that identifies the problem type (about:blank or an RFC 9110 section).", 200);
        concrete.Properties["title"] = Text("A short summary of the problem type.", 200);
        concrete.Properties["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "400", Maximum = "599", Description = "The HTTP status code." };
        concrete.Properties["detail"] = Text("What went wrong with this request, in words.", 2000);
        concrete.Properties["instance"] = Text("The path of the request.", 2000);
        concrete.Properties["traceId"] = Text("The request's id for the logs: the server's request id, or the W3C trace context's id while a tracer (OpenTelemetry) listens.", 100);
        concrete.Required = new SortedSet<string>(Always, StringComparer.Ordinal);
        if (typeof(HttpValidationProblemDetails).IsAssignableFrom(context.Type))
        {
            concrete.Properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Each invalid field or parameter (camelCase) with what is wrong with it; absent when the body is not JSON at all.",
                MaxProperties = 100,
                AdditionalProperties = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    MaxItems = 20,
                    Items = Text("A message.", 2000),
                },
            };
        }

        concrete.AdditionalPropertiesAllowed = false;
        concrete.AdditionalProperties = null;
    }

    private static OpenApiSchema Text(string description, int maxLength) =>
        new() { Type = JsonSchemaType.String, MaxLength = maxLength, Description = description };
}

/// <summary>
/// A contract record's example is its static <c>Example</c> property (of its own type); a list
/// envelope's is a page holding its item's example.
/// </summary>
internal sealed class ExampleSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && ExampleOf(context.Type) is { } example)
        {
            concrete.Examples = [OpenApiContract.ToJson(example)!];
        }
    }

    public static object? ExampleOf(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Reads.Paged<>))
        {
            var item = ExampleOf(type.GetGenericArguments()[0]);
            if (item is null)
            {
                return null;
            }

            var items = Array.CreateInstance(type.GetGenericArguments()[0], 1);
            items.SetValue(item, 0);
            return Activator.CreateInstance(type, items, Reads.PageInfo.Example, Reads.PageLinks.Example);
        }

        return type.GetProperty("Example", BindingFlags.Public | BindingFlags.Static) is { } property && property.PropertyType == type
            ? property.GetValue(null)
            : null;
    }
}

/// <summary>
/// What every operation can answer besides its own results: 400 (a parameter or a query
/// parameter it does not take), 500 and, for operations that read the database, 503 with
/// Retry-After; 429 with Retry-After wherever a rate limit applies (all but health checks); each problem response with an
/// example; the validators of cacheable reads as response headers; no security on public operations.
/// </summary>
internal sealed class ResponsesOperationFilter : IOperationFilter
{
    private static readonly Dictionary<int, (string Description, string Title, string Detail)> Problems = new()
    {
        [400] = ("Bad request: a parameter, a query parameter the operation does not take, or the body is invalid.", "One or more validation errors occurred.", "'pageSize' must be between 1 and 100. You entered 500."),
        [401] = ("No API key, or an invalid or revoked one (WWW-Authenticate: Bearer).", "Unauthorized", "A valid API key is required: Authorization: Bearer cak_…"),
        [403] = ("Forbidden.", "Forbidden", "The API key lacks the scope comments:moderate."),
        [404] = ("Not found.", "Not Found", "No published article has the slug 'no-such-article'."),
        [406] = ("The Accept header admits none of the formats offered.", "Not Acceptable", "An article is served as application/json, application/ld+json (schema.org NewsArticle) or application/ninjs+json (IPTC ninjs 3.1)."),
        [409] = ("Conflict with what is stored.", "Conflict", "Duplicate comment: you have already said that."),
        [412] = ("The If-Match version is not the current one.", "Precondition Failed", "Comment 7 changed since you read it: reload it and decide again."),
        [413] = ("The body is larger than the operation accepts.", "Payload Too Large", "The request body is larger than 524288 bytes."),
        [415] = ("The body is not application/json.", "Unsupported Media Type", "Send the body as application/json."),
        [422] = ("The Idempotency-Key was used for another request.", "Unprocessable Content", "This Idempotency-Key was used for a different request."),
        [428] = ("If-Match is missing.", "Precondition Required", "Send If-Match with the comment's version (\"version\" in the queue), so that no decision is silently lost."),
        [429] = ("Too many requests; Retry-After says when to try again.", "Too Many Requests", "Too many requests from your address; retry in 12 s."),
        [500] = ("An unexpected failure; the body carries only a trace id.", "An error occurred while processing your request.", "An error occurred while processing your request."),
        [503] = ("PostgreSQL is unavailable or overloaded; Retry-After says when to try again.", "Service Unavailable", "The database is unavailable; retry shortly."),
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var path = "/" + (context.ApiDescription.RelativePath ?? "");
        operation.Responses ??= [];

        AddProblem(operation, context, 400);
        if (!path.StartsWith("/health/live", StringComparison.Ordinal))
        {
            AddProblem(operation, context, 503);
        }

        AddProblem(operation, context, 500);
        if (operation.RequestBody is not null)
        {
            // Every body passes the same gates: its size, then its media type and charset.
            AddProblem(operation, context, 413);
            AddProblem(operation, context, 415);
        }

        DocumentEveryShapeOfOk(operation, context);
        if (!path.StartsWith("/health", StringComparison.Ordinal))
        {
            AddProblem(operation, context, 429); // the anonymous budget, invalid API keys, comment limits
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (response is OpenApiResponse withHeaders)
            {
                withHeaders.Headers ??= new Dictionary<string, IOpenApiHeader>();
                withHeaders.Headers["Access-Control-Allow-Origin"] = Header("The calling origin, when it is allowed to read the response (CORS); absent on same-origin calls.", JsonSchemaType.String);
            }

            if (int.TryParse(status, out var code) && code is 429 or 503 && response is OpenApiResponse concrete)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["Retry-After"] = Header("Seconds to wait before trying again.", JsonSchemaType.Integer);
            }

            if (int.TryParse(status, out code) && code >= 400 && response is OpenApiResponse { Content: { } content }
                && content.TryGetValue("application/problem+json", out var media) && media is OpenApiMediaType problemMedia)
            {
                if (code == 400)
                {
                    problemMedia.Schema = context.SchemaGenerator.GenerateSchema(typeof(HttpValidationProblemDetails), context.SchemaRepository);
                }

                problemMedia.Example = ProblemExample(code, path, operation);
            }
        }

        if (context.ApiDescription.HttpMethod == "GET" && operation.Responses.TryGetValue("200", out var ok) && ok is OpenApiResponse okResponse
            && !path.StartsWith("/health", StringComparison.Ordinal) && !path.StartsWith("/v1/changes", StringComparison.Ordinal)
            && !metadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any())
        {
            okResponse.Headers ??= new Dictionary<string, IOpenApiHeader>();
            okResponse.Headers["Surrogate-Key"] = Header("Space-separated cache keys this response depends on (`article:12`, `articles`, `person:3`…): the keys the changes feed and webhooks name in each change, to purge a CDN exactly.", JsonSchemaType.String);
            okResponse.Headers["Cache-Tag"] = Header("The same keys, comma-separated (Cloudflare).", JsonSchemaType.String);
            okResponse.Headers["ETag"] = Header("Weak validator of this representation; send it back as If-None-Match for a 304.", JsonSchemaType.String);
            okResponse.Headers["Last-Modified"] = Header("When this representation last changed (HTTP date).", JsonSchemaType.String);
            okResponse.Headers["Cache-Control"] = Header("public, max-age=…, stale-while-revalidate=…", JsonSchemaType.String);
            if (context.ApiDescription.SupportedResponseTypes.Any(r => r.Type is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(Reads.Paged<>)))
            {
                okResponse.Headers["Link"] = Header("RFC 8288 links: first, prev, next (the same as the body's links).", JsonSchemaType.String);
            }
        }

        if (!metadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any())
        {
            operation.Security = [];
        }
    }

    // An operation whose 200 has more than one shape (the comment list's flat and tree views)
    // would otherwise document only the last of them.
    private static void DocumentEveryShapeOfOk(OpenApiOperation operation, OperationFilterContext context)
    {
        var shapes = context.ApiDescription.ActionDescriptor.EndpointMetadata
            .OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>()
            .Where(m => m.StatusCode == StatusCodes.Status200OK && m.Type is not null)
            .Select(m => m.Type!)
            .Distinct()
            .ToList();
        if (shapes.Count > 1 && operation.Responses!.TryGetValue("200", out var ok) && ok.Content?.TryGetValue("application/json", out var media) == true
            && media is OpenApiMediaType json)
        {
            json.Schema = new OpenApiSchema { OneOf = shapes.Select(shape => context.SchemaGenerator.GenerateSchema(shape, context.SchemaRepository)).ToList() };
        }
    }

    private static void AddProblem(OpenApiOperation operation, OperationFilterContext context, int status)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
        {
            return;
        }

        var schema = context.SchemaGenerator.GenerateSchema(status == 400 ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails), context.SchemaRepository);
        operation.Responses[key] = new OpenApiResponse
        {
            Description = Problems[status].Description,
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = schema } },
        };
    }

    private static JsonNode ProblemExample(int status, string path, OpenApiOperation operation)
    {
        var (_, title, detail) = Problems.TryGetValue(status, out var known) ? known : (null!, "Error", "The request failed.");
        var (field, message) = InvalidField(path, operation);
        if (status == 400)
        {
            detail = message;
        }

        var example = new JsonObject
        {
            ["type"] = status switch
            {
                400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
                500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
                _ => "about:blank",
            },
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = path.Replace("{slug}", "hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum", StringComparison.Ordinal)
                .Replace("{id}", "7", StringComparison.Ordinal),
            ["traceId"] = "0HNHG6B3KQ7UV:00000002",
        };
        if (status == 400)
        {
            example["errors"] = new JsonObject { [field] = new JsonArray(message) };
        }

        return example;
    }

    // The most likely mistake for this operation's 400 example.
    private static (string Field, string Message) InvalidField(string path, OpenApiOperation operation) =>
        operation switch
        {
            { Parameters: { } parameters } when parameters.Any(p => p.Name == "pageSize") => ("pageSize", "'pageSize' must be between 1 and 100. You entered 500."),
            { RequestBody: not null } when path.EndsWith("/comments", StringComparison.Ordinal) || path.EndsWith("/erase", StringComparison.Ordinal) => ("authorEmail", "'authorEmail' is not a valid email address."),
            { RequestBody: not null } => ("status", "'status' must be one of: approved, pending, spam, trash."),
            _ when path.Contains("{slug}", StringComparison.Ordinal) => ("slug", "'slug' must be lower-case letters and digits in words joined by single hyphens, at most 200 characters."),
            _ => ("sort", "'sort' is not a parameter of this operation. It takes none."),
        };

    private static OpenApiHeader Header(string description, JsonSchemaType type) =>
        new()
        {
            Description = description,
            Schema = type == JsonSchemaType.Integer
                ? new OpenApiSchema { Type = type, Format = "int32", Minimum = "0", Maximum = "86400" }
                : new OpenApiSchema { Type = type, MaxLength = 2000 },
        };
}

/// <summary>Contact, license, servers and a description for every tag.</summary>
internal sealed class ContractDocumentFilter : IDocumentFilter
{
    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Articles"] = "Published articles: summaries in lists, the detail with its whole metadata block.",
        ["People"] = "People in the news, their positions and their articles.",
        ["Organisations"] = "Organisations in the news, their hierarchy, people and articles.",
        ["Events"] = "Events articles report on, with dates and place.",
        ["Places"] = "Places articles are about.",
        ["Tags"] = "Topics.",
        ["Authors"] = "Bylines: who wrote the articles.",
        ["Feeds"] = "RSS and Atom feeds of the latest articles, and a Google News sitemap.",
        ["Search"] = "Full-text search across articles, people, organisations and events.",
        ["Comments"] = "Reader comments: the \"Leave a Reply\" form and the approved threads.",
        ["Moderation"] = "Moderators' view of comments (API key with scope comments:moderate).",
        ["Changes"] = "Every change to public content in commit order, with tombstones: for mirrors, search indexes and CDN purges.",
        ["Webhooks"] = "Subscriptions to the changes, delivered as signed POSTs with retries (API key with scope webhooks:manage).",
        ["Health"] = "Liveness and readiness for load balancers and orchestrators.",
    };

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Info.Contact = new OpenApiContact { Name = "ContentApi developers" };
        document.Info.License = new OpenApiLicense { Name = "Proprietary: the publisher's content and API", Identifier = "LicenseRef-Proprietary" };
        document.Servers =
        [
            new OpenApiServer
            {
                Url = "/",
                Description = "The host that serves this document: local, staging or production alike.",
                Extensions = new Dictionary<string, IOpenApiExtension> { ["x-internal"] = new JsonNodeExtension(JsonValue.Create(false)) },
            },
        ];
        foreach (var schema in document.Components?.Schemas?.Values.OfType<OpenApiSchema>() ?? [])
        {
            // A nullable reference comes wrapped in allOf (UseAllOfToExtendReferenceSchemas), which
            // no null satisfies: it is either null or the referenced schema.
            foreach (var property in schema.Properties?.Values.OfType<OpenApiSchema>() ?? [])
            {
                if (property is { AllOf: [var referenced], Type: { } type } && type.HasFlag(JsonSchemaType.Null))
                {
                    property.OneOf = [new OpenApiSchema { Type = JsonSchemaType.Null }, referenced];
                    property.AllOf = null;
                    property.Type = null;
                }
            }
        }

        document.Tags = new HashSet<OpenApiTag>(TagDescriptions.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
    }
}
