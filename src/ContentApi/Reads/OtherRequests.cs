namespace ContentApi.Reads;

/// <summary>
/// The requests in progress other than full-text queries, counted once they are past the cache
/// and the rate limiter (a read from memory or a request still in line needs no database yet).
/// While there are none, nothing waits for PostgreSQL but the full-text queries themselves, so
/// their slots need not be held back for anyone (<see cref="FullTextQueryLimiter"/>).
/// </summary>
internal sealed class OtherRequests
{
    private int inProgress;

    public bool Any => Volatile.Read(ref inProgress) > 0;

    public void Enter() => Interlocked.Increment(ref inProgress);

    public void Leave() => Interlocked.Decrement(ref inProgress);
}
