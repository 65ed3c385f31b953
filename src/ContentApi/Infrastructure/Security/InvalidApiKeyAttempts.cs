using ContentApi.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace ContentApi.Infrastructure.Security;

/// <summary>
/// Invalid API keys per client network and minute (<c>RateLimits:InvalidApiKeysPerMinute</c>).
/// Past the budget, keys from that network are refused without a database lookup until the
/// minute ends: guessing keys is slow, and cheap to refuse.
/// </summary>
internal sealed class InvalidApiKeyAttempts(SharedRateLimits shared, IOptions<RateLimitOptions> options)
{
    private const string Budget = "invalid-keys";

    /// <summary>Seconds until keys from the network are looked up again; null while it is within its budget.</summary>
    public async Task<int?> RefusedForSecondsAsync(UInt128 network)
    {
        using var lease = await shared.AcquireAsync(Budget, network, options.Value.InvalidApiKeysPerMinute, permitCount: 0); // asks, takes nothing
        return lease.IsAcquired ? null : RateLimiting.RetryAfterSeconds(lease);
    }

    /// <summary>Counts an invalid key sent from the network.</summary>
    public async Task CountAsync(UInt128 network)
    {
        using var lease = await shared.AcquireAsync(Budget, network, options.Value.InvalidApiKeysPerMinute, permitCount: 1);
    }
}
