using System.Threading.RateLimiting;
using ContentApi.Infrastructure.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ContentApi.Tests.Infrastructure;

/// <summary>
/// A network's budget counted in memory (no Redis): a window that starts with its first permit,
/// lasts a minute, and is not idle (so not dropped with its count) until it is over.
/// </summary>
public sealed class SharedRateLimitsTests : IDisposable
{
    private readonly SharedRateLimits limits = new(new ConfigurationBuilder().Build(), Options.Create(new RateLimitOptions()), NullLogger<SharedRateLimits>.Instance);

    [Fact]
    public void A_network_past_its_budget_is_refused_until_the_window_ends_and_is_never_idle_meanwhile()
    {
        using var limiter = Limiter(permits: 2);

        var granted = new[] { limiter.AttemptAcquire(1), limiter.AttemptAcquire(1) };
        using var refused = limiter.AttemptAcquire(1);
        using var asked = limiter.AttemptAcquire(0);

        Assert.All(granted, lease => Assert.True(lease.IsAcquired));
        Assert.False(refused.IsAcquired);
        Assert.False(asked.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(60));
        Assert.Null(limiter.IdleDuration);
    }

    [Fact]
    public void Asking_without_taking_starts_no_window_and_leaves_the_network_idle()
    {
        using var limiter = Limiter(permits: 1);

        using var asked = limiter.AttemptAcquire(0);
        using var taken = limiter.AttemptAcquire(1);
        using var askedAgain = limiter.AttemptAcquire(0);

        Assert.True(asked.IsAcquired);
        Assert.True(taken.IsAcquired);
        Assert.False(askedAgain.IsAcquired); // the one permit is taken
        using var fresh = Limiter(permits: 1);
        using var onlyAsked = fresh.AttemptAcquire(0);
        Assert.NotNull(fresh.IdleDuration);
        Assert.Null(limiter.IdleDuration);
    }

    public void Dispose() => limits.Dispose();

    private RateLimiter Limiter(int permits)
    {
        var partition = limits.PerMinute("test", "198.51.100.7/32", permits);
        return partition.Factory(partition.PartitionKey);
    }
}
