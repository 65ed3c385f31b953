using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContentApi.Tests.Comments;

/// <summary>
/// Canary comments carry an email, a client address and a user agent found nowhere else. Every
/// public GET of the OpenAPI document is crawled (each path filled in, comment lists
/// followed page by page, every format, errors included), and the application's own log at
/// Debug: none of the three may appear anywhere.
/// </summary>
public sealed partial class LeakScanTests(ContentApiFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_public_response_and_no_log_line_contains_a_commenters_email_address_or_user_agent()
    {
        var log = new ConcurrentQueue<string>();
        await using var scanned = app.WithWebHostBuilder(b => b
            .UseSetting("Logging:LogLevel:Default", "Debug")
            .ConfigureServices(services => services.AddLogging(logging => logging.AddProvider(new CapturingLoggerProvider(log)))));
        var client = scanned.CreateClient();
        var canary = Guid.NewGuid().ToString("N")[..12];
        var email = $"canary-{canary}@leak.example";
        var address = $"203.0.113.{Random.Shared.Next(1, 255)}";
        var userAgent = $"CanaryBrowser/{canary}";
        var slug = TestDatabase.UniqueSlug("leak-scan");
        await app.Database.InsertArticleAsync(slug);

        var ids = new List<long>();
        foreach (var (body, parent) in new[] { ("The approved canary.", (int?)null), ("An approved reply.", 0), ("A pending one.", null), ("A spam one.", null) })
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, $"/v1/articles/{slug}/comments")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { authorName = "Canary", authorEmail = email, body, parentId = parent is { } p ? ids[p] : (long?)null }),
            };
            post.Headers.Add(TestClientAddress.Header, address);
            post.Headers.UserAgent.ParseAdd(userAgent);
            ids.Add(await (await client.SendAsync(post, Ct)).PostedIdAsync());
            await app.Database.ExecuteAsync("update comments set status = @status, created_at = created_at - interval '1 hour' where id = @id",
                new { id = ids[^1], status = body.Contains("pending") ? "pending" : body.Contains("spam") ? "spam" : "approved" });
        }

        var urls = await PublicUrlsAsync(client, slug, ids);
        var bodies = new List<(string Url, string Body)>();
        foreach (var url in urls)
        {
            foreach (var accept in new[] { "application/json", "application/ld+json", "application/ninjs+json", "text/html", "*/*" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
                var response = await client.SendAsync(request, Ct);
                bodies.Add(($"{url} ({accept}: {(int)response.StatusCode})", await response.Content.ReadAsStringAsync(Ct)));
            }
        }

        Assert.Contains(bodies, b => b.Body.Contains("The approved canary.", StringComparison.Ordinal)); // the crawl reached the comments
        Assert.True(urls.Count >= 40, $"only {urls.Count} URLs crawled");
        foreach (var secret in new[] { email, address, userAgent, canary })
        {
            Assert.DoesNotContain(bodies, b => b.Body.Contains(secret, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(log, line => line.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }

    // Every public GET path of the document, path parameters filled from the data
    // (the canary article, its comments, the first item of each entity list), plus the query
    // variants that change what a comment list shows, and error answers.
    private static async Task<List<string>> PublicUrlsAsync(HttpClient client, string slug, List<long> commentIds)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json", Ct)); // equal to the committed one (OpenApiDocumentTests)
        var urls = new List<string>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("get", out var get) || (get.TryGetProperty("security", out var security) && security.GetArrayLength() > 0))
            {
                continue;
            }

            var template = path.Name;
            if (template.Contains("{id}", StringComparison.Ordinal))
            {
                urls.AddRange(commentIds.Select(id => template.Replace("{id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
            }
            else if (template.StartsWith("/v1/articles/{slug}", StringComparison.Ordinal))
            {
                urls.Add(template.Replace("{slug}", slug, StringComparison.Ordinal));
            }
            else if (EntityPath().Match(template) is { Success: true } entity)
            {
                var list = await client.GetFromJsonAsync<JsonElement>($"/v1/{entity.Groups["kind"].Value}", Ct);
                foreach (var item in list.GetProperty("items").EnumerateArray().Take(3))
                {
                    urls.Add(template.Replace("{slug}", item.GetProperty("slug").GetString(), StringComparison.Ordinal));
                }
            }
            else
            {
                urls.Add(template.Replace("{token}", "not-a-token", StringComparison.Ordinal));
            }
        }

        urls.AddRange([
            $"/v1/articles/{slug}/comments?view=tree", $"/v1/articles/{slug}/comments?pageSize=1",
            $"/v1/articles/{slug}/comments?status=pending", $"/v1/articles?q=canary", "/v1/search?q=canary",
            $"/v1/articles?sort=-commentCount",
        ]);
        // Comment lists page by page, by the links they give.
        foreach (var start in new[] { $"/v1/articles/{slug}/comments?pageSize=1", $"/v1/articles/{slug}/comments?pageSize=1&view=tree" })
        {
            var next = start;
            for (var page = 0; page < 5 && next is not null; page++)
            {
                var list = await client.GetFromJsonAsync<JsonElement>(next, Ct);
                next = list.GetProperty("links").TryGetProperty("next", out var link) && link.ValueKind == JsonValueKind.String ? link.GetString() : null;
                if (next is not null)
                {
                    urls.Add(next);
                }
            }
        }

        return urls;
    }

    [GeneratedRegex("^/v1/(?<kind>[a-z]+)/\\{slug\\}")]
    private static partial Regex EntityPath();

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
