using System.Diagnostics;

namespace ContentApi.Reads;

/// <summary>
/// The requests other than full-text queries, counted once they are past the cache and the rate
/// limiter (a read from memory or a request still in line needs no database yet): whether one is
/// in progress or ended within <paramref name="lingering"/>. While none is, nothing waits for
/// PostgreSQL but the full-text queries themselves, so their slots need not be held back for
/// anyone (<see cref="FullTextQueryLimiter"/>). The lingering covers the gaps between a steady
/// stream's requests: on this 2-core host, article reads at 32 connections left moments with none
/// in progress (the load generator descheduled), and costly searches took those turns.
/// </summary>
internal sealed class OtherRequests(TimeSpan lingering)
{
    private int inProgress;
    private long lastEnded;

    public bool Any
    {
        get
        {
            if (Volatile.Read(ref inProgress) > 0)
            {
                return true;
            }

            var ended = Volatile.Read(ref lastEnded);
            return ended != 0 && Stopwatch.GetElapsedTime(ended) < lingering;
        }
    }

    public void Enter() => Interlocked.Increment(ref inProgress);

    public void Leave()
    {
        Volatile.Write(ref lastEnded, Stopwatch.GetTimestamp());
        Interlocked.Decrement(ref inProgress);
    }
}
