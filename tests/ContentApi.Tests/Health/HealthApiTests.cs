using System.Net;

namespace ContentApi.Tests.Health;

public sealed class HealthApiTests(ContentApiFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Live_and_ready_answer_200_when_the_database_is_up()
    {
        var client = app.CreateClient();

        var live = await client.GetAsync("/health/live", Ct);
        var ready = await client.GetAsync("/health/ready", Ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("live", (await live.ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (await ready.ReadJsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_is_a_503_problem_when_the_database_is_down_while_live_stays_200()
    {
        // A port nothing listens on: the database is "down" for this instance.
        await using var downApp = app.WithWebHostBuilder(builder =>
            builder.UseSetting("ConnectionStrings:Content", "Host=127.0.0.1;Port=1;Username=postgres;Database=none;Timeout=2"));
        var client = downApp.CreateClient();

        var ready = await client.GetAsync("/health/ready", Ct);
        var live = await client.GetAsync("/health/live", Ct);
        var article = await client.GetAsync("/v1/articles/any-article", Ct);

        await ready.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(ready.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        await article.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
    }
}
