using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using ContentApi.Infrastructure.Database;
using ContentApi.Infrastructure.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ContentApi.Tests.Reader;

/// <summary>
/// The API on a real port (Kestrel) over its own database (the seed article and 24 newer ones,
/// so the home page has three pages), and the reader site on another origin.
/// </summary>
public sealed class ReaderSiteFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string connectionString = TestServer.NewDatabaseConnectionString("contentapi_reader");
    private Process? site;

    public string ApiUrl { get; } = $"http://127.0.0.1:{FreePort()}";

    public string SiteUrl { get; } = $"http://localhost:{FreePort()}/";

    public string ModeratorKey { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        await new DatabaseMigrator(connectionString, NullLogger.Instance).MigrateAsync(CancellationToken.None);
        await new TestDatabase(connectionString).ExecuteAsync(
            """
            insert into articles (slug, title, summary, body, status, published_at)
            select 'reader-page-' || i, 'Reader page article ' || i, 'An article to page through.',
                   '[{"type": "paragraph", "text": "An article to page through."}]', 'published', now() - make_interval(mins => i)
            from generate_series(1, 24) i
            """);
        await using (var db = NpgsqlDataSource.Create(connectionString))
        {
            ModeratorKey = await ApiKeyCommands.CreateAsync(db, "reader-site-test", [Scopes.CommentsModerate], CancellationToken.None);
        }

        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, new Uri(ApiUrl).Port));
        StartServer();

        var build = await NodeTools.SiteBuild;
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException("the reader site did not build:\n" + build.Output);
        }

        site = Process.Start(new ProcessStartInfo("node", ["serve.mjs", "--api", ApiUrl, "--port", new Uri(SiteUrl).Port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = NodeTools.ReaderFolder,
            RedirectStandardOutput = true,
        })!;
        var started = await site.StandardOutput.ReadLineAsync();
        if (started?.StartsWith("Reader site:", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException("the reader site did not start: " + started);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development"); // CORS: any origin may read
        builder.UseSetting("ConnectionStrings:Content", connectionString);
        builder.UseSetting("Health:DrainSeconds", "0");
    }

    public override async ValueTask DisposeAsync()
    {
        site?.Kill(entireProcessTree: true);
        site?.Dispose();
        await base.DisposeAsync();
        await TestServer.DropDatabaseAsync(connectionString);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class ReaderSiteTests(ReaderSiteFixture reader) : IClassFixture<ReaderSiteFixture>
{
    [Fact]
    public async Task A_reader_pages_reads_follows_searches_and_comments_in_chromium()
    {
        var screenshots = Path.Combine(RepositoryRoot.Path, "TestResults", "screenshots");

        var run = await NodeTools.RunAsync("node", ["tests/browser.mjs"], new Dictionary<string, string>
        {
            ["SITE_URL"] = reader.SiteUrl,
            ["API_URL"] = reader.ApiUrl,
            ["MODERATOR_KEY"] = reader.ModeratorKey,
            ["SCREENSHOTS"] = screenshots,
        });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("ok - the approved comment appears in the thread", run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(screenshots, "02-article.png")), run.Output);
    }
}
