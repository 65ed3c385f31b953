using System.Threading.RateLimiting;
using ContentApi.Infrastructure.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ContentApi.Tests.Infrastructure;

/// <summary>
/// A network's budget counted in memory (no Redis): a window that starts with its first permit
/// and lasts a minute, held in a table that forgets the windows that are over, and those alone.
/// </summary>
public sealed class SharedRateLimitsTests : IDisposable
{
    private static readonly UInt128 Network = 0xffff_c633_6407; // 198.51.100.7, IPv4-mapped

    private readonly ManualTime time = new();
    private readonly SharedRateLimits limits;

    public SharedRateLimitsTests() =>
        limits = new(new ConfigurationBuilder().Build(), Options.Create(new RateLimitOptions()), NullLogger<SharedRateLimits>.Instance, time);

    [Fact]
    public void A_network_past_its_budget_is_refused_until_the_window_ends()
    {
        var granted = new[] { Take(Network, permits: 2), Take(Network, permits: 2) };
        using var refused = Take(Network, permits: 2);
        using var asked = Ask(Network, permits: 2);
        time.Advance(TimeSpan.FromSeconds(59.5));
        using var stillRefused = Take(Network, permits: 2);
        time.Advance(TimeSpan.FromSeconds(0.5));
        using var grantedAgain = Take(Network, permits: 2);

        Assert.All(granted, lease => Assert.True(lease.IsAcquired));
        Assert.False(refused.IsAcquired);
        Assert.False(asked.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(60), retryAfter);
        Assert.False(stillRefused.IsAcquired);
        Assert.True(grantedAgain.IsAcquired);
    }

    [Fact]
    public void Asking_without_taking_starts_no_window()
    {
        using var asked = Ask(Network, permits: 1);
        using var taken = Take(Network, permits: 1);
        using var askedAgain = Ask(Network, permits: 1);

        Assert.True(asked.IsAcquired);
        Assert.True(taken.IsAcquired);
        Assert.False(askedAgain.IsAcquired); // the one permit is taken
        Assert.Equal(1, limits.NetworksHeld("test"));
    }

    [Fact]
    public void Windows_that_are_over_are_forgotten_as_other_networks_arrive_and_open_ones_are_kept()
    {
        // 20,000 networks take a permit; 30 s later another takes both of its own.
        Assert.All(Enumerable.Range(1, 20_000), i => Assert.True(Take(Network + (UInt128)i, permits: 2).IsAcquired));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(Take(Network, permits: 2).IsAcquired);
        Assert.True(Take(Network, permits: 2).IsAcquired);

        // A minute after the first 20,000, as many other networks come.
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.All(Enumerable.Range(100_000, 20_000), i => Assert.True(Take(Network + (UInt128)i, permits: 2).IsAcquired));

        // Past the first 20,000 windows, the table holds the new ones and few of the old (each of
        // its shards forgets before it grows past twice what it held), the open one among them.
        Assert.InRange(limits.NetworksHeld("test"), 20_001, 30_000);
        using var refused = Take(Network, permits: 2);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(29), retryAfter);
    }

    public void Dispose() => limits.Dispose();

    private RateLimitLease Take(UInt128 network, int permits) => limits.AttemptAcquire("test", network, permits, permitCount: 1);

    private RateLimitLease Ask(UInt128 network, int permits) => limits.AttemptAcquire("test", network, permits, permitCount: 0);

    /// <summary>A clock that moves when told.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long timestamp = 1_000_000;

        public override long TimestampFrequency => 1_000_000;

        public override long GetTimestamp() => timestamp;

        public void Advance(TimeSpan by) => timestamp += (long)(by.TotalSeconds * TimestampFrequency);
    }
}
