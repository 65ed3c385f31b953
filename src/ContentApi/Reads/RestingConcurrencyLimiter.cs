using System.Diagnostics;
using System.Threading.RateLimiting;

namespace ContentApi.Reads;

/// <summary>
/// A concurrency limiter whose permits rest after a long hold: a permit held longer than
/// <paramref name="cheapHold"/> is given back only after twice that excess has passed. A
/// stream of costly full-text queries (a common word ranks a tenth of the articles: 35–90 ms
/// among 100,000) thus keeps its slot busy less than half of the time, rather than a core of
/// PostgreSQL without pause while the cheap reads wait for it; searches that stay cheap never
/// rest.
/// </summary>
internal sealed class RestingConcurrencyLimiter(ConcurrencyLimiterOptions options, TimeSpan cheapHold) : RateLimiter
{
    private readonly ConcurrencyLimiter permits = new(options);

    public override TimeSpan? IdleDuration => permits.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => permits.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Held(permits.AttemptAcquire(permitCount));

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        Held(await permits.AcquireAsync(permitCount, cancellationToken));

    private RateLimitLease Held(RateLimitLease lease) => lease.IsAcquired ? new RestingLease(lease, cheapHold) : lease;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            permits.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class RestingLease(RateLimitLease permit, TimeSpan cheapHold) : RateLimitLease
    {
        private readonly long acquiredAt = Stopwatch.GetTimestamp();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => permit.MetadataNames;

        public override bool TryGetMetadata(string metadataName, out object? metadata) => permit.TryGetMetadata(metadataName, out metadata);

        protected override void Dispose(bool disposing)
        {
            if (!disposing)
            {
                return;
            }

            var rest = (Stopwatch.GetElapsedTime(acquiredAt) - cheapHold) * 2;
            if (rest > TimeSpan.Zero)
            {
                // The response is not held back: only the permit waits.
                _ = Task.Delay(rest).ContinueWith(_ => permit.Dispose(), TaskScheduler.Default);
            }
            else
            {
                permit.Dispose();
            }
        }
    }
}
