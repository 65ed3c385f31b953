using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Npgsql;
using NpgsqlTypes;

namespace ContentApi.Tests.Infrastructure;

/// <summary>
/// The pieces of the scaled-out topology that one PostgreSQL shows (the topology itself, with
/// replicas, HAProxy and Redis as real processes, is tested by <c>./build.sh cluster test</c>):
/// the Commit-Position header, routing when the connection string names several hosts, and the
/// rate limits' fallback when Redis is away.
/// </summary>
public sealed class ScaleOutTests(ContentApiFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("nonsense")]
    [InlineData("0/XYZ")]
    [InlineData("0/16B3F40, 0/16B3F41")]
    public async Task A_commit_position_that_no_write_gave_is_a_400(string position)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/articles");
        request.Headers.TryAddWithoutValidation("Commit-Position", position);

        var response = await app.CreateClient().SendAsync(request, Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Commit-Position", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task With_one_server_a_read_with_a_commit_position_is_served_and_writes_tell_none()
    {
        var client = app.CreateClient();
        var slug = TestDatabase.UniqueSlug("one-server");
        await app.Database.InsertArticleAsync(slug);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{slug}");
        request.Headers.Add("Commit-Position", "0/16B3F40");

        var read = await client.SendAsync(request, Ct);
        var write = await client.PostAsJsonAsync($"/v1/articles/{slug}/comments",
            new { authorName = "Reader", authorEmail = $"{Guid.NewGuid():N}@example.org", body = "One server, no position." }, Ct);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("primary", Assert.Single(read.Headers.GetValues("Served-By")));
        Assert.Equal(HttpStatusCode.Accepted, write.StatusCode);
        Assert.False(write.Headers.Contains("Commit-Position"));
    }

    [Fact]
    public async Task With_several_hosts_writes_tell_their_commit_position_and_a_server_not_in_recovery_gets_no_replica_reads()
    {
        // The same server named twice: it is the primary, and neither host is a replica.
        var builder = new NpgsqlConnectionStringBuilder(app.ApiConnectionString);
        var host = $"{builder.Host}:{builder.Port}";
        builder.Host = $"{host},{host}";
        await using var replicated = app.WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:Content", builder.ConnectionString));
        var client = replicated.CreateClient();
        var slug = TestDatabase.UniqueSlug("several-hosts");
        await app.Database.InsertArticleAsync(slug);

        var write = await client.PostAsJsonAsync($"/v1/articles/{slug}/comments",
            new { authorName = "Reader", authorEmail = $"{Guid.NewGuid():N}@example.org", body = "Where did this land?" }, Ct);
        var position = NpgsqlLogSequenceNumber.Parse(Assert.Single(write.Headers.GetValues("Commit-Position")));
        var now = NpgsqlLogSequenceNumber.Parse(await app.Database.ScalarAsync<string>("select pg_current_wal_lsn()::text"));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{slug}");
        request.Headers.Add("Commit-Position", position.ToString());
        var read = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Accepted, write.StatusCode);
        Assert.True(position > new NpgsqlLogSequenceNumber(0) && position <= now, $"{position} is not a position of the server's WAL (now {now})");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("primary", Assert.Single(read.Headers.GetValues("Served-By")));
    }

    [Fact]
    public async Task With_Redis_away_each_instance_applies_its_share_of_a_limit_and_never_fails()
    {
        await using var limited = app.WithWebHostBuilder(b => b
            .UseSetting("ConnectionStrings:Redis", $"127.0.0.1:{ClosedPort()}")
            .UseSetting("RateLimits:Instances", "2")
            .UseSetting("Comments:RateLimitPerMinute", "4"));
        var client = limited.CreateClient();
        var slug = TestDatabase.UniqueSlug("redis-away");
        await app.Database.InsertArticleAsync(slug);

        // Empty forms (400) count against the limit as accepted ones do.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/articles/{slug}/comments") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add(TestClientAddress.Header, "198.51.100.77");
            statuses.Add((await client.SendAsync(request, Ct)).StatusCode);
        }

        var read = await client.GetAsync($"/v1/articles/{slug}", Ct);

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    // A loopback port nothing listens on (taken, then given back).
    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
