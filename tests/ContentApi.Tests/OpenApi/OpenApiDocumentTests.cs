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

    private static string Normalise(string json) => json.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
}
