using System.Net;
using System.Security.Claims;
using ContentApi.Infrastructure.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ContentApi.Tests.Infrastructure;

/// <summary>
/// The budgets per network of the global limiter: each request counted once. A write is
/// counted when it is acquired asynchronously alone: the rate-limiting middleware asks again
/// that way whenever a limiter after this one (the write turns) declines the synchronous attempt.
/// </summary>
public sealed class NetworkBudgetsTests : IDisposable
{
    private readonly ServiceProvider services;
    private readonly SharedRateLimits limits;
    private readonly NetworkBudgets budgets = new();

    public NetworkBudgetsTests()
    {
        services = new ServiceCollection()
            .AddSingleton(Options.Create(new RateLimitOptions { AnonymousRequestsPerMinute = 3 }))
            .AddSingleton(sp => new SharedRateLimits(new ConfigurationBuilder().Build(), sp.GetRequiredService<IOptions<RateLimitOptions>>(), NullLogger<SharedRateLimits>.Instance))
            .BuildServiceProvider();
        limits = services.GetRequiredService<SharedRateLimits>();
    }

    [Fact]
    public async Task A_write_is_counted_once_in_each_of_its_budgets_however_often_it_is_attempted_first()
    {
        var post = Request("POST", new NetworkBudget("comments", _ => 2));

        var attempts = Enumerable.Range(0, 3).Select(_ => budgets.AttemptAcquire(post)).ToList();
        var acquired = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            using var lease = await budgets.AcquireAsync(post, cancellationToken: TestContext.Current.CancellationToken);
            acquired.Add(lease.IsAcquired);
        }

        Assert.All(attempts, lease => Assert.False(lease.IsAcquired));
        Assert.Equal([true, true, false, false], acquired); // the comments' 2, within the 3 requests'
        Assert.Equal(1, limits.NetworksHeld("comments"));
    }

    [Fact]
    public void A_read_is_counted_in_its_synchronous_attempt()
    {
        var get = Request("GET", budget: null);

        var acquired = Enumerable.Range(0, 4).Select(_ => budgets.AttemptAcquire(get).IsAcquired).ToList();

        Assert.Equal([true, true, true, false], acquired);
        Assert.Equal(1, limits.NetworksHeld("requests"));
    }

    [Fact]
    public void A_write_no_budget_limits_is_acquired_at_once()
    {
        var editorsPost = Request("POST", budget: null);
        editorsPost.User = new ClaimsPrincipal(new ClaimsIdentity("ApiKey"));

        using var lease = budgets.AttemptAcquire(editorsPost);

        Assert.True(lease.IsAcquired);
    }

    public void Dispose()
    {
        budgets.Dispose();
        services.Dispose();
    }

    private HttpContext Request(string method, NetworkBudget? budget)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.Path = "/v1/articles/a/comments";
        context.Connection.RemoteIpAddress = IPAddress.Parse("198.51.100.9");
        context.SetEndpoint(new Endpoint(null, budget is null ? new EndpointMetadataCollection() : new EndpointMetadataCollection(budget), "test"));
        return context;
    }
}
