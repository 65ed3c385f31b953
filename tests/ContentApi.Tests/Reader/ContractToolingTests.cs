using System.Text.RegularExpressions;

namespace ContentApi.Tests.Reader;

/// <summary>The committed OpenAPI document as frontend teams meet it: linted, and compiled into a strict typed client.</summary>
public sealed partial class ContractToolingTests
{
    private const string Document = "../openapi/content-api.v1.json";

    [Fact]
    public async Task Spectral_with_the_owasp_rules_finds_no_errors_in_the_committed_document()
    {
        var lint = await NodeTools.RunAsync("npx", ["spectral", "lint", "--fail-severity=error", "--ruleset", ".spectral.yaml", Document]);

        Assert.True(lint.ExitCode == 0, lint.Output);
    }

    [Fact]
    public async Task Redocly_finds_no_errors_in_the_committed_document()
    {
        var lint = await NodeTools.RunAsync("npx", ["redocly", "lint", "--config", "redocly.yaml", Document]);

        Assert.True(lint.ExitCode == 0, lint.Output);
    }

    [Fact]
    public async Task The_reader_site_compiles_in_strict_mode_against_a_client_generated_from_the_committed_document()
    {
        var build = await NodeTools.SiteBuild;

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(File.Exists(Path.Combine(NodeTools.ReaderFolder, "dist", "main.js")), build.Output);
    }

    [Fact]
    public void The_reader_site_reads_the_api_without_casts_or_non_null_assertions()
    {
        var sources = Directory.GetFiles(Path.Combine(NodeTools.ReaderFolder, "src"), "*.ts", SearchOption.AllDirectories)
            .Where(path => !path.EndsWith(".d.ts", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(sources);
        foreach (var path in sources)
        {
            var code = File.ReadAllText(path);
            Assert.False(Cast().IsMatch(code), $"{path} casts: {Cast().Match(code).Value}");
            Assert.False(NonNullAssertion().IsMatch(code), $"{path} asserts non-null: {NonNullAssertion().Match(code).Value}");
            Assert.DoesNotContain("any", Regex.Matches(code, @":\s*any\b").Select(m => m.Value.Trim(':', ' ')));
        }
    }

    // `x as T` (but not `as const`) and `<T>x`-free code: the generated types are used as they are.
    [GeneratedRegex(@"\)\s+as\s+(?!const\b)\w|\w\s+as\s+(?!const\b)[A-Z{\[]")]
    private static partial Regex Cast();

    // `value!.member`, `value!)`, `value![i]`.
    [GeneratedRegex(@"[\w\)\]]!(\.|\)|\[|;|,)")]
    private static partial Regex NonNullAssertion();
}
