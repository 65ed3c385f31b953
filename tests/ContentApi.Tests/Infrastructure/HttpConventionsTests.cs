using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using ContentApi.Infrastructure.Security;
using ContentApi.Tests.Comments;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Infrastructure;

public sealed class HttpConventionsTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient(new() { AllowAutoRedirect = false });
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unknown_route_is_a_404_problem()
    {
        var response = await client.GetAsync("/v1/nothing-here", Ct);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Wrong_method_is_a_405_problem()
    {
        var response = await client.DeleteAsync("/v1/articles", Ct);

        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task A_request_starts_an_activity_only_while_something_listens_for_one()
    {
        // The hosting layer starts an activity and a log scope for every request while its
        // logger is on (appsettings.json turns it off); a tracer listening still gets them.
        var seen = new List<Activity?>();
        await using var observed = app.WithWebHostBuilder(b => b.ConfigureServices(services =>
            services.AddSingleton<IStartupFilter>(new FirstMiddleware(context => seen.Add(Activity.Current)))));
        var observedClient = observed.CreateClient();

        var quiet = await observedClient.GetAsync("/health/live", Ct);
        using (var tracer = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        })
        {
            ActivitySource.AddActivityListener(tracer);
            await observedClient.GetAsync("/health/live", Ct);
        }

        Assert.Equal(HttpStatusCode.OK, quiet.StatusCode);
        Assert.Equal(2, seen.Count);
        Assert.Null(seen[0]);
        Assert.Equal("Microsoft.AspNetCore.Hosting.HttpRequestIn", seen[1]?.OperationName);
    }

    [Fact]
    public async Task Only_a_request_with_a_key_runs_authentication()
    {
        // A lone scheme would be every request's default: each public read would run the handler.
        var handlersAsked = new ConcurrentQueue<string>();
        await using var observed = app.WithWebHostBuilder(b => b.ConfigureServices(services =>
            services.AddScoped<IAuthenticationHandlerProvider>(provider => new ObservedHandlers(
                new AuthenticationHandlerProvider(provider.GetRequiredService<IAuthenticationSchemeProvider>()), handlersAsked))));
        var observedClient = observed.CreateClient();

        var anonymous = await observedClient.GetAsync("/v1/articles", Ct);
        var askedForAnonymous = handlersAsked.Count;
        using var keyed = new HttpRequestMessage(HttpMethod.Get, "/v1/articles");
        keyed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateApiKeyAsync(Scopes.ContentWrite));
        var withKey = await observedClient.SendAsync(keyed, Ct);

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(0, askedForAnonymous);
        Assert.Contains(ApiKeyAuthenticationHandler.SchemeName, handlersAsked);
    }

    private sealed class ObservedHandlers(IAuthenticationHandlerProvider handlers, ConcurrentQueue<string> asked) : IAuthenticationHandlerProvider
    {
        public Task<IAuthenticationHandler?> GetHandlerAsync(HttpContext context, string authenticationScheme)
        {
            asked.Enqueue(authenticationScheme);
            return handlers.GetHandlerAsync(context, authenticationScheme);
        }
    }

    private sealed class FirstMiddleware(Action<HttpContext> observe) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => builder =>
        {
            builder.Use((context, following) =>
            {
                observe(context);
                return following(context);
            });
            next(builder);
        };
    }

    [Theory]
    [InlineData("/v1/articles")]
    [InlineData("/v1/articles/no-such-article")]
    [InlineData("/v1/nothing-here")]
    [InlineData("/health/live")]
    public async Task Every_response_carries_the_security_headers_and_no_server_header(string path)
    {
        var response = await client.GetAsync(path, Ct);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task The_security_headers_are_on_every_status_code_304_405_413_415_429_500_and_503_included()
    {
        var slug = TestDatabase.UniqueSlug("headers");
        await app.Database.InsertArticleAsync(slug);
        await using var limited = app.WithWebHostBuilder(b => b.UseSetting("RateLimits:AnonymousRequestsPerMinute", "1"));
        await using var broken = app.WithWebHostBuilder(b => b.ConfigureServices(services =>
            services.AddSingleton<ContentApi.Reads.PublicReads>(_ => throw new InvalidOperationException("a defect, for the test"))));
        await using var down = app.WithWebHostBuilder(b =>
            b.UseSetting("ConnectionStrings:Content", "Host=127.0.0.1;Port=1;Username=postgres;Database=none;Timeout=2"));
        // The article's own validators: a list's move with any write by a test running alongside.
        var etag = (await client.GetAsync($"/v1/articles/{slug}", Ct)).Headers.ETag!.Tag;
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{slug}");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", etag);
        var limitedClient = limited.CreateClient();
        limitedClient.DefaultRequestHeaders.Add(TestClientAddress.Header, "198.51.100.71");
        await limitedClient.GetAsync("/v1/tags", Ct);

        var responses = new Dictionary<HttpStatusCode, HttpResponseMessage>
        {
            [HttpStatusCode.NotModified] = await client.SendAsync(conditional, Ct),
            [HttpStatusCode.MethodNotAllowed] = await client.DeleteAsync("/v1/articles", Ct),
            [HttpStatusCode.RequestEntityTooLarge] = await client.PostAsync($"/v1/articles/{slug}/comments",
                new StringContent(new string('x', 2 * 1024 * 1024), System.Text.Encoding.UTF8, "application/json"), Ct),
            [HttpStatusCode.UnsupportedMediaType] = await client.PostAsync($"/v1/articles/{slug}/comments", new StringContent("hello"), Ct),
            [HttpStatusCode.TooManyRequests] = await limitedClient.GetAsync("/v1/tags", Ct),
            [HttpStatusCode.InternalServerError] = await broken.CreateClient().GetAsync("/v1/tags", Ct),
            [HttpStatusCode.ServiceUnavailable] = await down.CreateClient().GetAsync("/v1/tags", Ct),
        };

        Assert.All(responses, pair =>
        {
            var (status, response) = pair;
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.False(response.Headers.Contains("Server"));
        });
    }

    [Fact]
    public async Task Root_redirects_to_swagger_ui()
    {
        var response = await client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/swagger", response.Headers.Location?.OriginalString);
        var prefix = await client.GetAsync("/swagger", Ct);
        Assert.Equal(HttpStatusCode.MovedPermanently, prefix.StatusCode);
        Assert.EndsWith("swagger/index.html", prefix.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var ui = await client.GetAsync("/swagger/index.html", Ct);
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger-ui", await ui.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        // The UI's own files come from the same branch of the pipeline (only paths under /swagger reach it).
        var script = await client.GetAsync("/swagger/swagger-ui-bundle.js", Ct);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/swagger-ui-bundle.js", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("/v1/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("/v1/comments", HttpStatusCode.Unauthorized)]
    [InlineData("/v1/articles/no-such-article", HttpStatusCode.NotFound)]
    [InlineData("/v1/articles?pageSize=500", HttpStatusCode.BadRequest)]
    public async Task Errors_are_problem_documents_whatever_the_request_accepts(string url, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Accept", "text/html");

        var response = await client.SendAsync(request, Ct);

        await response.AssertProblemAsync(status);
    }

    [Fact]
    public async Task A_request_still_running_at_the_request_timeout_is_a_503_problem_with_retry_after_and_stores_nothing()
    {
        await using var quick = app.WithWebHostBuilder(b => b.UseSetting("Http:RequestTimeoutSeconds", "1"));
        var slug = TestDatabase.UniqueSlug("timeout");
        await app.Database.InsertArticleAsync(slug);
        var email = CommentTestClient.UniqueEmail();
        // The post waits for its email's flood-control lock (the lock timeout is 4 s): only the request timeout can end it first.
        await using var held = await app.Database.HoldLockAsync("select pg_advisory_xact_lock(hashtext('comment-email:' || lower(@email)))", new { email });

        var response = await quick.CreateClient().PostCommentAsync(slug, CommentTestClient.Comment(email));
        await held.ReleaseAsync();

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("The request took too long; retry shortly.", problem.GetProperty("detail").GetString());
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from comments where author_email = @email", new { email }));
    }

    [Fact]
    public async Task A_trusted_proxy_s_x_forwarded_for_gives_the_client_address_and_anyone_else_s_is_ignored()
    {
        const string proxy = "203.0.113.7";
        await using var proxied = app.WithWebHostBuilder(b => b.UseSetting("Http:TrustedProxies:0", proxy));
        var http = proxied.CreateClient();
        var slug = TestDatabase.UniqueSlug("proxied");
        await app.Database.InsertArticleAsync(slug);

        async Task<string> StoredAddressOfPostFrom(string peer, string forwardedFor)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/articles/{slug}/comments")
            {
                Content = System.Net.Http.Json.JsonContent.Create(CommentTestClient.Comment()),
            };
            request.Headers.Add(TestClientAddress.Header, peer);
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            var id = await (await http.SendAsync(request, Ct)).PostedIdAsync();
            return await app.Database.ScalarAsync<string>("select host(client_address) from comments where id = @id", new { id });
        }

        Assert.Equal("192.0.2.44", await StoredAddressOfPostFrom(proxy, "192.0.2.44"));
        Assert.Equal("203.0.113.8", await StoredAddressOfPostFrom("203.0.113.8", "192.0.2.45"));
    }
}
