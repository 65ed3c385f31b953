using System.Threading.RateLimiting;
using ContentApi.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace ContentApi.Infrastructure.Security;

/// <summary>
/// Invalid API keys per client network and minute (<c>RateLimits:InvalidApiKeysPerMinute</c>).
/// Past the budget, keys from that network are refused without a database lookup until the
/// minute ends: guessing keys is slow, and cheap to refuse.
/// </summary>
internal sealed class InvalidApiKeyAttempts(SharedRateLimits shared, IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(
        network => shared.PerMinute("invalid-keys", network, options.Value.InvalidApiKeysPerMinute));

    /// <summary>Seconds until keys from the network are looked up again; null while it is within its budget.</summary>
    public async Task<int?> RefusedForSecondsAsync(string network, CancellationToken cancellationToken)
    {
        using var lease = await limiter.AcquireAsync(network, permitCount: 0, cancellationToken); // asks, takes nothing
        return lease.IsAcquired ? null : RateLimiting.RetryAfterSeconds(lease);
    }

    /// <summary>Counts an invalid key sent from the network.</summary>
    public async Task CountAsync(string network, CancellationToken cancellationToken)
    {
        using var lease = await limiter.AcquireAsync(network, permitCount: 1, cancellationToken);
    }

    public void Dispose() => limiter.Dispose();
}
