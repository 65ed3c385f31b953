using System.Text.Json;

namespace ContentApi.Tests.OpenApi;

public sealed class OpenApiDocumentTests(ContentApiFixture app)
{
    private const string CommittedPath = "openapi/content-api.v1.json";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Committed_openapi_document_equals_the_served_one()
    {
        var served = await app.CreateClient().GetStringAsync("/swagger/v1/swagger.json", Ct);
        var committedFile = Path.Combine(RepositoryRoot.Path, CommittedPath);
        var committed = File.Exists(committedFile) ? await File.ReadAllTextAsync(committedFile, Ct) : "";

        Assert.True(
            Normalise(committed) == Normalise(served),
            $"{CommittedPath} differs from the document the app serves. Regenerate it with: ./build.sh openapi");
    }

    [Fact]
    public async Task Every_operation_has_a_summary_and_every_parameter_a_description()
    {
        var document = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/swagger/v1/swagger.json", Ct)).RootElement;

        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Name: $"{op.Name} {path.Name}", Operation: op.Value)))
            .ToList();
        Assert.NotEmpty(operations);
        Assert.All(operations, op =>
        {
            Assert.True(op.Operation.TryGetProperty("summary", out _), $"{op.Name} has no summary");
            Assert.True(op.Operation.TryGetProperty("operationId", out _), $"{op.Name} has no operationId");
            if (op.Operation.TryGetProperty("parameters", out var parameters))
            {
                Assert.All(parameters.EnumerateArray(), p =>
                    Assert.True(p.TryGetProperty("description", out var d) && d.GetString()!.Length > 0,
                        $"{op.Name} parameter {p.GetProperty("name")} has no description"));
            }
        });
    }

    [Fact]
    public async Task Every_always_present_member_is_required_and_only_real_nulls_are_nullable()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");

        Assert.Equal(
            ["authors", "body", "commentCount", "commentsOpen", "id", "image", "language", "metadata", "slug", "status", "summary", "title"],
            Required(schemas, "ArticleDetail"));
        Assert.Equal(["dates", "event", "organisations", "people", "places", "tags"], Required(schemas, "ArticleMetadata"));
        Assert.Equal(["items", "links", "page"], Required(schemas, "ArticleSummaryPaged"));
        Assert.Equal(["authorEmail", "authorName", "body"], Required(schemas, "PostCommentRequest"));
        Assert.Equal(["type"], Required(schemas, "BodyBlock"));
        Assert.Equal(["detail", "instance", "status", "title", "traceId", "type"], Required(schemas, "ProblemDetails"));

        var article = schemas.GetProperty("ArticleDetail").GetProperty("properties");
        Assert.Equal("string", article.GetProperty("title").GetProperty("type").GetString());
        var eventMember = schemas.GetProperty("ArticleMetadata").GetProperty("properties").GetProperty("event");
        Assert.Equal("null", eventMember.GetProperty("oneOf")[0].GetProperty("type").GetString());
        Assert.EndsWith("/ArticleEvent", eventMember.GetProperty("oneOf")[1].GetProperty("$ref").GetString(), StringComparison.Ordinal);
        var acronym = schemas.GetProperty("ArticleOrganisation").GetProperty("properties").GetProperty("acronym");
        Assert.Equal(["null", "string"], acronym.GetProperty("type").EnumerateArray().Select(t => t.GetString()).Order());
    }

    [Fact]
    public async Task Every_schema_request_body_and_problem_response_has_an_example()
    {
        var document = await DocumentAsync();

        foreach (var schema in document.GetProperty("components").GetProperty("schemas").EnumerateObject()
                     .Where(s => s.Name is not ("ProblemDetails" or "HttpValidationProblemDetails")))
        {
            Assert.True(schema.Value.TryGetProperty("examples", out _), $"schema {schema.Name} has no example");
        }

        foreach (var (name, operation) in Operations(document))
        {
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name.StartsWith('4') || r.Name.StartsWith('5')))
            {
                var media = response.Value.GetProperty("content").GetProperty("application/problem+json");
                Assert.True(media.TryGetProperty("example", out var example), $"{name} {response.Name} has no example");
                Assert.Equal(int.Parse(response.Name, System.Globalization.CultureInfo.InvariantCulture), example.GetProperty("status").GetInt32());
            }
        }
    }

    [Fact]
    public async Task Every_operation_declares_its_security_its_400_and_its_500()
    {
        foreach (var (name, operation) in Operations(await DocumentAsync()))
        {
            Assert.True(operation.TryGetProperty("security", out var security), $"{name} declares no security");
            var responses = operation.GetProperty("responses");
            Assert.True(responses.TryGetProperty("400", out _), $"{name} declares no 400");
            Assert.True(responses.TryGetProperty("500", out _), $"{name} declares no 500");
            if (security.GetArrayLength() > 0)
            {
                Assert.True(responses.TryGetProperty("401", out _) && responses.TryGetProperty("403", out _), $"{name} is protected but declares no 401/403");
            }
        }
    }

    [Fact]
    public async Task The_rate_limited_operation_declares_429_with_retry_after()
    {
        var post = (await DocumentAsync()).GetProperty("paths").GetProperty("/v1/articles/{slug}/comments").GetProperty("post");

        Assert.True(post.GetProperty("responses").GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
    }

    private async Task<JsonElement> DocumentAsync() =>
        JsonDocument.Parse(await app.CreateClient().GetStringAsync("/swagger/v1/swagger.json", Ct)).RootElement;

    private static IEnumerable<(string Name, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => ($"{op.Name} {path.Name}", op.Value)));

    private static string[] Required(JsonElement schemas, string name) =>
        schemas.GetProperty(name).GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Order(StringComparer.Ordinal).ToArray();

    private static string Normalise(string json) => json.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
}
