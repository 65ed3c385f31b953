using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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

    [Fact]
    public async Task Ready_turns_503_as_soon_as_the_process_is_asked_to_stop_while_requests_are_still_served()
    {
        // Asked to stop, the host drains for 10 s, serving, before it closes (long enough for the
        // two requests below on a busy machine; the endpoint is warmed up first).
        await using var stopping = app.WithWebHostBuilder(builder => builder.UseSetting("Health:DrainSeconds", "10"));
        var client = stopping.CreateClient();
        var before = await client.GetAsync("/health/ready", Ct);
        (await client.GetAsync("/v1/tags", Ct)).EnsureSuccessStatusCode();

        stopping.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var after = await client.GetAsync("/health/ready", Ct);
        var served = await client.GetAsync("/v1/tags", Ct);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await after.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(after.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }
}
