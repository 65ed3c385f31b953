using System.Diagnostics;
using ContentApi.Reads;

namespace ContentApi.Tests.Reads;

/// <summary>
/// The full-text slots: a cheap hold gives the slot back at once, a long one rests it; while the
/// queries stay cheap the cheap slots are open, and one running long closes them until a few in a row end cheap;
/// both only while other requests are in progress, and while none is, the alone slots are open.
/// </summary>
public sealed class FullTextQueryLimiterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static FullTextQueryLimiter Limiter(int slots, int cheapSlots, TimeSpan cheapHold, int queue = 1, OtherRequests? others = null, int aloneSlots = 0) =>
        new(new FullTextQuerySlots(slots, cheapSlots, aloneSlots, queue, cheapHold), others ?? OneOtherInProgress());

    private static OtherRequests OneOtherInProgress()
    {
        var others = new OtherRequests(TimeSpan.Zero);
        others.Enter();
        return others;
    }

    [Fact]
    public void A_slot_held_within_the_cheap_time_is_free_again_at_once()
    {
        using var limiter = Limiter(1, 1, TimeSpan.FromMinutes(1));

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
    public async Task A_slot_held_past_the_cheap_time_rests_twice_as_long_before_the_next_query()
    {
        using var limiter = Limiter(1, 1, TimeSpan.Zero);
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

        var waited = Stopwatch.StartNew();
        using var next = await limiter.AcquireAsync(cancellationToken: Ct);
        Assert.True(next.IsAcquired);
        Assert.InRange(waited.Elapsed, hold, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Cheap_queries_take_the_cheap_slots_until_one_runs_long_and_again_once_a_few_end_cheap()
    {
        var cheapHold = TimeSpan.FromSeconds(1);
        using var limiter = Limiter(1, 2, cheapHold);

        var costly = limiter.AttemptAcquire();
        using (var cheap = limiter.AttemptAcquire())
        {
            Assert.True(costly.IsAcquired);
            Assert.True(cheap.IsAcquired);
            using var third = limiter.AttemptAcquire();
            Assert.False(third.IsAcquired);
        }

        // The first now runs long: one slot, and it holds it.
        await Task.Delay(cheapHold * 1.5, Ct);
        using (var beside = limiter.AttemptAcquire())
        {
            Assert.False(beside.IsAcquired);
        }

        // It rests its slot for twice its excess (≥ 1 s): still none free.
        costly.Dispose();
        using (var resting = limiter.AttemptAcquire())
        {
            Assert.False(resting.IsAcquired);
        }

        // After the rest one slot, until a few queries in a row have ended cheap.
        using (var afterRest = await limiter.AcquireAsync(cancellationToken: Ct))
        {
            Assert.True(afterRest.IsAcquired);
        }

        for (var ended = 1; ended < FullTextQueryLimiter.CheapInARowToOpen; ended++)
        {
            using var cheapAlone = limiter.AttemptAcquire();
            using var beside = limiter.AttemptAcquire();
            Assert.True(cheapAlone.IsAcquired);
            Assert.False(beside.IsAcquired);
        }

        using var first = limiter.AttemptAcquire();
        using var second = limiter.AttemptAcquire();
        Assert.True(first.IsAcquired);
        Assert.True(second.IsAcquired);
    }

    [Fact]
    public async Task While_no_other_request_is_in_progress_a_costly_query_neither_closes_the_cheap_slots_nor_rests()
    {
        var cheapHold = TimeSpan.FromMilliseconds(100);
        var others = new OtherRequests(TimeSpan.Zero);
        using var limiter = Limiter(1, 2, cheapHold, others: others);

        // Running long, alone: the cheap slots stay open.
        var costly = limiter.AttemptAcquire();
        await Task.Delay(cheapHold * 3, Ct);
        using (var beside = limiter.AttemptAcquire())
        {
            Assert.True(costly.IsAcquired);
            Assert.True(beside.IsAcquired);
        }

        // Its slot is free at once, and both slots with it.
        costly.Dispose();
        using (var first = limiter.AttemptAcquire())
        using (var second = limiter.AttemptAcquire())
        {
            Assert.True(first.IsAcquired);
            Assert.True(second.IsAcquired);
        }

        // Another request now in progress: the costly query closed the cheap slots, one at a time.
        others.Enter();
        using (var alone = limiter.AttemptAcquire())
        using (var besideIt = limiter.AttemptAcquire())
        {
            Assert.True(alone.IsAcquired);
            Assert.False(besideIt.IsAcquired);
        }

        // A costly query beside it rests its slot; once the other request is done, the next is not held back.
        var costlyBeside = limiter.AttemptAcquire();
        await Task.Delay(cheapHold * 3, Ct);
        costlyBeside.Dispose();
        using (var resting = limiter.AttemptAcquire())
        {
            Assert.False(resting.IsAcquired);
        }

        others.Leave();
        using var afterwards = limiter.AttemptAcquire();
        Assert.True(afterwards.IsAcquired);
    }

    [Fact]
    public void While_no_other_request_is_in_progress_the_alone_slots_are_open_and_another_closes_them()
    {
        var others = new OtherRequests(TimeSpan.Zero);
        using var limiter = Limiter(1, 2, TimeSpan.FromMinutes(1), others: others, aloneSlots: 3);

        var alone = Enumerable.Range(0, 4).Select(_ => limiter.AttemptAcquire()).ToList();
        Assert.Equal([true, true, true, false], alone.Select(lease => lease.IsAcquired));

        // Another request in progress: the cheap slots (two) again, taken while the three run.
        others.Enter();
        alone[0].Dispose();
        using (var meanwhile = limiter.AttemptAcquire())
        {
            Assert.False(meanwhile.IsAcquired);
        }

        alone[1].Dispose();
        using (var cheap = limiter.AttemptAcquire())
        {
            Assert.True(cheap.IsAcquired);
        }

        alone.ForEach(lease => lease.Dispose());
        others.Leave();
    }

    [Fact]
    public async Task Another_request_holds_the_slots_back_while_in_progress_and_for_a_while_after_it_ends()
    {
        var lingering = TimeSpan.FromSeconds(1);
        var others = new OtherRequests(lingering);
        Assert.False(others.Any);

        others.Enter();
        Assert.True(others.Any);
        others.Leave();
        Assert.True(others.Any);

        await Task.Delay(lingering * 1.5, Ct);
        Assert.False(others.Any);
    }

    [Fact]
    public async Task Queries_wait_their_turn_oldest_first_and_past_the_line_are_refused()
    {
        using var limiter = Limiter(1, 1, TimeSpan.FromMinutes(1), queue: 2);
        var running = limiter.AttemptAcquire();
        using var cancelling = new CancellationTokenSource();

        var leaving = limiter.AcquireAsync(cancellationToken: cancelling.Token);
        var oldest = limiter.AcquireAsync(cancellationToken: Ct);
        var refused = await limiter.AcquireAsync(cancellationToken: Ct);
        var statistics = limiter.GetStatistics()!;
        await cancelling.CancelAsync();
        var newest = limiter.AcquireAsync(cancellationToken: Ct);

        Assert.True(running.IsAcquired);
        Assert.False(refused.IsAcquired);
        Assert.Equal(2, statistics.CurrentQueuedCount);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await leaving);
        Assert.False(oldest.IsCompleted);

        // The slot goes to the oldest still in line, then to the next.
        running.Dispose();
        using (var first = await oldest)
        {
            Assert.True(first.IsAcquired);
            Assert.False(newest.IsCompleted);
        }

        using var then = await newest;
        Assert.True(then.IsAcquired);
        Assert.Equal(1, limiter.GetStatistics()!.TotalFailedLeases);
    }
}
