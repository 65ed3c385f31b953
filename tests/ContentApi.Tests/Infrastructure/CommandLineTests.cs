using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ContentApi.Tests.Infrastructure;

/// <summary>The app's command line (serving, migrate, keys, openapi) run as operators run it: the built ContentApi.dll in its own process.</summary>
public sealed class CommandLineTests(ContentApiFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Process Start(string connectionString, IEnumerable<(string Name, string Value)> environment, string[] args, string? workingDirectory = null)
    {
        // The dotnet host that runs the tests (dotnet test says which), else the one on PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ContentApi.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__Content"] = connectionString;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string connectionString, params string[] args)
    {
        using var process = Start(connectionString, [], args);
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var errors = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output + await errors);
    }

    /// <summary>Serves on a free port until the app logs a line containing <paramref name="marker"/>; that line, or all it wrote if it never came.</summary>
    private static async Task<string> ServeUntilAsync(
        string connectionString, IEnumerable<(string, string)> environment, string marker, string[]? args = null, string? workingDirectory = null)
    {
        using var process = Start(connectionString, [("Logging__LogLevel__ContentApi", "Information"), .. environment],
            ["--urls", "http://127.0.0.1:0", .. args ?? []], workingDirectory);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var seen = new StringBuilder();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains(marker, StringComparison.Ordinal))
                {
                    return line.Trim();
                }

                seen.AppendLine(line);
            }

            return seen + await process.StandardError.ReadToEndAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public async Task Keys_are_created_listed_and_revoked_from_the_command_line()
    {
        var name = TestDatabase.UniqueSlug("cli-key");
        var created = await RunAsync(app.ConnectionString, "keys", "create", "--name", name, "--scopes", "content:write");
        var key = created.Output.Trim().Split('\n')[^1].Trim();
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var withKey = await client.GetAsync("/v1/articles?status=draft", Ct);
        var listed = await RunAsync(app.ConnectionString, "keys", "list");
        var id = listed.Output.Split('\n').Single(line => line.Contains(name, StringComparison.Ordinal)).Split('\t')[0];
        var revoked = await RunAsync(app.ConnectionString, "keys", "revoke", id);
        var afterRevoke = await client.GetAsync("/v1/articles?status=draft", Ct);
        var badScope = await RunAsync(app.ConnectionString, "keys", "create", "--name", name, "--scopes", "everything");

        Assert.Equal(0, created.ExitCode);
        Assert.StartsWith("cak_", key, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Contains("content:write", listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed.Output, StringComparison.Ordinal);
        Assert.Equal(0, revoked.ExitCode);
        await afterRevoke.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(2, badScope.ExitCode);
    }

    [Fact]
    public async Task Migrate_creates_a_database_and_applies_every_migration_and_the_seed()
    {
        await TestServer.InNewDatabaseAsync("contentapi_cli", async connectionString =>
        {
            var migrated = await RunAsync(connectionString, "migrate");
            var again = await RunAsync(connectionString, "migrate");
            var database = new TestDatabase(connectionString);
            var applied = await database.ScalarAsync<long>("select count(*) from schemaversions");
            var seeded = await database.ScalarAsync<long>("select count(*) from articles");

            Assert.True(migrated.ExitCode == 0, migrated.Output);
            Assert.Equal(0, again.ExitCode);
            Assert.Equal(Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "sql", "migrations"), "*.sql").Length, applied);
            Assert.Equal(1, seeded);
        });
    }

    [Fact]
    public async Task Multiplexing_in_the_connection_string_is_refused_at_start_by_name()
    {
        // Npgsql would accept it, and the API would then fail later, in a background service or
        // on a replica; the process stops before it touches the database, saying why.
        var refused = await RunAsync(app.ApiConnectionString + ";Multiplexing=true", "migrate");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Multiplexing=true is not supported", refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serving_logs_the_GC_mode_the_runtime_took()
    {
        // As the runtime reports it (GC.GetConfigurationVariables): the project's server GC, and
        // what an operator's DOTNET_GC* variable changes.
        var byDefault = await ServeUntilAsync(app.ApiConnectionString, [], "GC: ");
        var overridden = await ServeUntilAsync(app.ApiConnectionString, [("DOTNET_GCDTargetTCP", "5")], "GC: ");

        Assert.Equal("GC: server True, dynamic adaptation 1, target 2% of the time in collections", byDefault);
        Assert.Equal("GC: server True, dynamic adaptation 1, target 5% of the time in collections", overridden);
    }

    [Fact]
    public async Task Serving_trims_glibc_s_native_heap_periodically()
    {
        // The machines this runs on use glibc (Debian); another C library's malloc is left as it is.
        var started = await ServeUntilAsync(app.ApiConnectionString, [], "Native heap: ");

        Assert.Equal("Native heap: glibc's free pages given back every 30 s", started);
    }

    [Fact]
    public async Task Started_from_another_folder_it_reads_the_settings_beside_it_unless_told_another_content_root()
    {
        // A service manager often starts the process in /: the working directory as the content
        // root would leave appsettings.json (its log levels among others) unread.
        var elsewhere = Directory.CreateTempSubdirectory("contentapi-cwd-").FullName;
        try
        {
            (string, string)[] lifetime = [("Logging__LogLevel__Microsoft.Hosting.Lifetime", "Information")];
            var byDefault = await ServeUntilAsync(app.ApiConnectionString, lifetime, "Content root path:", workingDirectory: elsewhere);
            var named = await ServeUntilAsync(app.ApiConnectionString, lifetime, "Content root path:", ["--contentRoot", elsewhere], elsewhere);

            Assert.Equal($"Content root path: {AppContext.BaseDirectory}", byDefault);
            Assert.Equal($"Content root path: {elsewhere}", named.TrimEnd('/'));
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public async Task Openapi_writes_the_committed_document()
    {
        var file = Path.Combine(Path.GetTempPath(), $"contentapi-{Guid.NewGuid():N}.json");
        try
        {
            var written = await RunAsync(app.ApiConnectionString, "openapi", file);

            Assert.True(written.ExitCode == 0, written.Output);
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "openapi", "content-api.v1.json"), Ct), await File.ReadAllTextAsync(file, Ct));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Swagger_can_be_switched_off()
    {
        await using var hidden = app.WithWebHostBuilder(b => b.UseSetting("Swagger:Enabled", "false"));
        var client = hidden.CreateClient();

        var document = await client.GetAsync("/swagger/v1/swagger.json", Ct);
        var ui = await client.GetAsync("/swagger/index.html", Ct);
        var api = await client.GetAsync("/v1/tags", Ct);

        Assert.Equal(HttpStatusCode.NotFound, document.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, ui.StatusCode);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }

    [Fact]
    public async Task An_unknown_comment_view_is_a_400_naming_it()
    {
        var response = await app.CreateClient().GetAsync(
            "/v1/articles/hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum/comments?view=bogus", Ct);

        await response.AssertValidationProblemAsync("view");
    }
}
