using System.Threading.RateLimiting;
using ContentApi.Reads;

namespace ContentApi.Tests.Reads;

/// <summary>The full-text slot: a cheap hold gives the permit back at once, a long one rests it.</summary>
public sealed class RestingConcurrencyLimiterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RestingConcurrencyLimiter OneSlot(TimeSpan cheapHold) =>
        new(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 1, QueueProcessingOrder = QueueProcessingOrder.OldestFirst }, cheapHold);

    [Fact]
    public void A_permit_held_within_the_cheap_time_is_free_again_at_once()
    {
        using var limiter = OneSlot(TimeSpan.FromMinutes(1));

        using (var first = limiter.AttemptAcquire())
        {
            Assert.True(first.IsAcquired);
            using var meanwhile = limiter.AttemptAcquire();
            Assert.False(meanwhile.IsAcquired);
        }

        using var next = limiter.AttemptAcquire();
        Assert.True(next.IsAcquired);
    }

    [Fact]
    public async Task A_permit_held_past_the_cheap_time_rests_twice_as_long_before_the_next_query()
    {
        using var limiter = OneSlot(TimeSpan.Zero);
        var hold = TimeSpan.FromSeconds(1);

        var first = await limiter.AcquireAsync(cancellationToken: Ct);
        Assert.True(first.IsAcquired);
        await Task.Delay(hold, Ct);
        first.Dispose();

        // Still resting right after: the next query waits in line for about twice the hold's length.
        using (var atOnce = limiter.AttemptAcquire())
        {
            Assert.False(atOnce.IsAcquired);
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        using var next = await limiter.AcquireAsync(cancellationToken: Ct);
        Assert.True(next.IsAcquired);
        Assert.InRange(waited.Elapsed, hold, TimeSpan.FromSeconds(30));
    }
}
