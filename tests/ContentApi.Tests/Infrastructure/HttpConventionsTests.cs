using System.Net;

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
    public async Task Root_redirects_to_swagger_ui()
    {
        var response = await client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/swagger", response.Headers.Location?.OriginalString);
        var ui = await client.GetAsync("/swagger/index.html", Ct);
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger-ui", await ui.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
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
}
