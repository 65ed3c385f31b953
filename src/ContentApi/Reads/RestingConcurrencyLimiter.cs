using System.Diagnostics;
using System.Threading.RateLimiting;

namespace ContentApi.Reads;

/// <summary>
/// A concurrency limiter whose permits rest after a long hold: a permit held longer than
/// <paramref name="cheapHold"/> is given back only after that excess has passed once more. A
/// costly full-text query (a common word ranks a tenth of the articles) thus takes at most
/// about half of its slot's time, so that a stream of them cannot keep a core of PostgreSQL
/// busy while the cheap reads wait for it; searches that stay cheap never rest.
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

            var rest = Stopwatch.GetElapsedTime(acquiredAt) - cheapHold;
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
