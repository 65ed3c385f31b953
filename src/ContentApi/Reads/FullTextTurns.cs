using System.Threading.RateLimiting;
using ContentApi.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace ContentApi.Reads;

/// <summary>
/// Full-text queries are the costliest anonymous reads: only a few run in PostgreSQL at once, a
/// turn each (<c>RateLimits:FullTextQueryConcurrency</c>), the rest wait in line (429 past it), so
/// that no pattern of them holds every pooled connection while the cheap reads starve; a costly
/// one rests its turn after it (<see cref="RestingConcurrencyLimiter"/>). A turn is taken for the
/// statement alone (<see cref="PublicReads"/>): a query the endpoint refuses, a 304 from the
/// watermark, rendering the hits and sending them take none, so the next query starts in
/// PostgreSQL while this one's answer is still being written.
/// </summary>
internal sealed class FullTextTurns(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly RestingConcurrencyLimiter turns = new(
        new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.FullTextQueryConcurrency,
            QueueLimit = options.Value.FullTextQueryQueue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        },
        TimeSpan.FromMilliseconds(options.Value.FullTextQueryCheapMilliseconds));

    /// <summary>A turn, once one is free; not acquired when the line is full.</summary>
    public ValueTask<RateLimitLease> TakeAsync(CancellationToken cancellationToken) => turns.AcquireAsync(1, cancellationToken);

    public void Dispose() => turns.Dispose();
}
