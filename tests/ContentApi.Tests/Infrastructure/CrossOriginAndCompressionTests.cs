using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ContentApi.Tests.Infrastructure;

public sealed class CrossOriginAndCompressionTests(ContentApiFixture app)
{
    private const string Allowed = "https://news.example";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private WebApplicationFactory<Program> Production(params (string Key, string Value)[] settings) =>
        app.WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Cors:AllowedOrigins:0", Allowed);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/articles");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "if-none-match, authorization");
        return request;
    }

    [Fact]
    public async Task Preflight_from_a_configured_origin_succeeds_with_the_api_headers()
    {
        await using var production = Production();
        var client = production.CreateClient();

        using var request = Preflight(Allowed);
        var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var allowedHeaders = response.Headers.GetValues("Access-Control-Allow-Headers").Single().ToLowerInvariant();
        Assert.Contains("if-none-match", allowedHeaders, StringComparison.Ordinal);
        Assert.Contains("authorization", allowedHeaders, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preflight_and_requests_from_another_origin_get_no_cors_headers()
    {
        await using var production = Production();
        var client = production.CreateClient();

        using var preflight = Preflight("https://evil.example");
        var preflightResponse = await client.SendAsync(preflight, Ct);
        using var get = new HttpRequestMessage(HttpMethod.Get, "/v1/tags");
        get.Headers.Add("Origin", "https://evil.example");
        var getResponse = await client.SendAsync(get, Ct);

        Assert.False(preflightResponse.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(getResponse.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Allowed_origin_is_echoed_with_vary_and_exposed_headers()
    {
        await using var production = Production();
        var client = production.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tags");
        request.Headers.Add("Origin", Allowed);
        var response = await client.SendAsync(request, Ct);

        Assert.Equal(Allowed, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Origin", response.Headers.Vary);
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single();
        foreach (var header in new[] { "ETag", "Link", "Location", "Retry-After" })
        {
            Assert.Contains(header, exposed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task In_development_a_local_frontend_may_call_the_api()
    {
        var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/articles");
        request.Headers.Add("Origin", "http://localhost:3000");
        var response = await client.SendAsync(request, Ct);

        Assert.Equal("http://localhost:3000", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Large_responses_are_compressed_when_accepted_and_small_ones_are_not()
    {
        var client = app.CreateClient();

        using var article = new HttpRequestMessage(HttpMethod.Get, "/v1/articles/hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum");
        article.Headers.Add("Accept-Encoding", "br, gzip");
        var compressed = await client.SendAsync(article, Ct);
        using var small = new HttpRequestMessage(HttpMethod.Get, "/v1/tags/no-such-tag");
        small.Headers.Add("Accept-Encoding", "br, gzip");
        var uncompressed = await client.SendAsync(small, Ct);

        Assert.Equal("br", Assert.Single(compressed.Content.Headers.ContentEncoding));
        await using var brotli = new System.IO.Compression.BrotliStream(await compressed.Content.ReadAsStreamAsync(Ct), System.IO.Compression.CompressionMode.Decompress);
        var json = await new StreamReader(brotli).ReadToEndAsync(Ct);
        Assert.Contains("effective security can only be achieved", json, StringComparison.Ordinal);
        Assert.Empty(uncompressed.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task Compression_can_be_switched_off()
    {
        await using var production = Production(("Compression:Enabled", "false"));
        var client = production.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/articles/hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum");
        request.Headers.Add("Accept-Encoding", "br, gzip");
        var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
    }
}
