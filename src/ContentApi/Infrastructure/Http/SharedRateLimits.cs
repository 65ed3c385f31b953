using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ContentApi.Infrastructure.Http;

/// <summary>
/// The per-network budgets (anonymous requests, comments and invalid API keys per minute) of all
/// instances together. With <c>ConnectionStrings:Redis</c>, each budget's window is one counter
/// in Redis, so three instances do not triple a limit; without it (one instance) each counts in
/// memory. Nothing waits for a permit. When Redis cannot be reached, each instance counts alone with its share of the budget
/// (the budget divided by <c>RateLimits:Instances</c>), says so once in the log, and never fails
/// a request for it.
/// </summary>
internal sealed class SharedRateLimits : IDisposable
{
    public const string RedisConnectionStringName = "Redis";

    // One call per request: counts the permits in the window (which starts with its first permit
    // and lasts ARGV[2] ms) and answers the count and the milliseconds left. 0 permits only asks.
    private const string CountScript = """
        local count
        if tonumber(ARGV[1]) > 0 then
          count = redis.call('INCRBY', KEYS[1], ARGV[1])
          if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        else
          count = tonumber(redis.call('GET', KEYS[1]) or '0')
        end
        return {count, redis.call('PTTL', KEYS[1])}
        """;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConnectionMultiplexer? redis;
    private readonly int instances;
    private readonly ILogger<SharedRateLimits> logger;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, NetworkWindows> localWindows = new();
    private int unreachable;

    public SharedRateLimits(IConfiguration configuration, IOptions<RateLimitOptions> options, ILogger<SharedRateLimits> logger, TimeProvider? time = null)
    {
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
        instances = options.Value.Instances;
        if (configuration.GetConnectionString(RedisConnectionStringName) is { Length: > 0 } redisConfiguration)
        {
            var redisOptions = ConfigurationOptions.Parse(redisConfiguration);
            // Never wait long for a counter: a Redis that is away costs each request at most this.
            redisOptions.AbortOnConnectFail = false;
            redisOptions.ConnectTimeout = 1000;
            redisOptions.AsyncTimeout = 500;
            redisOptions.SyncTimeout = 500;
            redis = ConnectionMultiplexer.Connect(redisOptions);
        }
    }

    /// <summary>The lease of a request that no budget limits.</summary>
    public static RateLimitLease NoBudget => WindowLease.Acquired;

    /// <summary>A synchronous attempt's answer when the permits are counted by <see cref="AcquireAsync"/> instead: declined, with nothing counted.</summary>
    public static RateLimitLease NotCountedHere => WindowLease.Declined;

    /// <summary>
    /// Takes <paramref name="permitCount"/> of the <paramref name="permits"/> a minute that
    /// <paramref name="network"/> has in the budget named <paramref name="budget"/> (0 only asks),
    /// when it is counted here. Counting in Redis takes a round trip: then this declines, and
    /// callers (the rate-limiting middleware among them) wait for <see cref="AcquireAsync"/>.
    /// </summary>
    public RateLimitLease AttemptAcquire(string budget, UInt128 network, int permits, int permitCount) =>
        redis is null ? Here(budget).Take(network, permits, permitCount) : NotCountedHere;

    /// <summary>The same, counted in Redis when it is configured and reachable, here otherwise.</summary>
    public async ValueTask<RateLimitLease> AcquireAsync(string budget, UInt128 network, int permits, int permitCount)
    {
        if (redis is null)
        {
            return Here(budget).Take(network, permits, permitCount);
        }

        if (await CountAsync($"contentapi:limit:{budget}:{ClientAddresses.DescribeNetwork(network)}", permitCount) is not var (count, left))
        {
            // Redis is away: this instance applies its share of the budget alone.
            return Here(budget).Take(network, Math.Max(1, permits / instances), permitCount);
        }

        var acquired = permitCount == 0 ? count < permits : count <= permits;
        return acquired ? WindowLease.Acquired : new WindowLease(false, left);
    }

    /// <summary>How many networks the budget's windows counted here hold, open or over (the memory they take).</summary>
    public int NetworksHeld(string budget) => Here(budget).Count;

    public void Dispose() => redis?.Dispose();

    private NetworkWindows Here(string budget) => localWindows.GetOrAdd(budget, static (_, time) => new NetworkWindows(time), time);

    private async Task<(long Count, TimeSpan Left)?> CountAsync(string key, int permitCount)
    {
        try
        {
            var result = (RedisResult[])(await redis!.GetDatabase().ScriptEvaluateAsync(
                CountScript, [key], [permitCount, (long)Window.TotalMilliseconds]))!;
            if (Interlocked.Exchange(ref unreachable, 0) == 1)
            {
                logger.LogInformation("Redis is reachable again: rate limits are shared by the instances again.");
            }

            var left = (long)result[1];
            return ((long)result[0], left > 0 ? TimeSpan.FromMilliseconds(left) : Window);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            if (Interlocked.Exchange(ref unreachable, 1) == 0)
            {
                logger.LogWarning("Redis cannot be reached ({Reason}): each instance applies 1/{Instances} of each rate limit alone until it is back.",
                    exception.Message, instances);
            }

            return null;
        }
    }

    /// <summary>
    /// One budget's windows counted here: for each network that took a permit within the last
    /// minute, when its window ends and the permits taken in it, ~40 bytes in a table. A window
    /// starts with its first permit and lasts a minute, as Redis's does; one that is over counts
    /// as none, and the tables forget those as they grow. Not a limiter object for each network
    /// (the framework's partitions): ~300 bytes each, kept a minute for every address that posted
    /// (README, "Rate limits' memory").
    /// </summary>
    private sealed class NetworkWindows(TimeProvider time)
    {
        private readonly long windowTicks = (long)(Window.TotalSeconds * time.TimestampFrequency);

        // Shards, so that requests from different networks rarely wait for one another.
        private readonly Shard[] shards = Enumerable.Range(0, 16).Select(_ => new Shard()).ToArray();

        public int Count => shards.Sum(shard =>
        {
            lock (shard.Gate)
            {
                return shard.Windows.Count;
            }
        });

        public RateLimitLease Take(UInt128 network, int permits, int permitCount)
        {
            var now = time.GetTimestamp();
            var shard = shards[(int)((ulong)network.GetHashCode() % (ulong)shards.Length)];
            lock (shard.Gate)
            {
                ref var window = ref CollectionsMarshal.GetValueRefOrNullRef(shard.Windows, network);
                var open = !Unsafe.IsNullRef(ref window) && now < window.Ends;
                var taken = open ? window.Count : 0;
                var ends = open ? window.Ends : now;
                if (permitCount == 0 ? taken >= permits : taken + permitCount > permits)
                {
                    return new WindowLease(false, time.GetElapsedTime(now, ends));
                }

                if (permitCount == 0)
                {
                    return WindowLease.Acquired;
                }

                if (Unsafe.IsNullRef(ref window))
                {
                    shard.ForgetClosedWindows(now);
                    window = ref CollectionsMarshal.GetValueRefOrAddDefault(shard.Windows, network, out _);
                }

                if (!open)
                {
                    window.Ends = now + windowTicks;
                }

                window.Count = taken + permitCount;
                return WindowLease.Acquired;
            }
        }

        private struct NetworkWindow
        {
            public long Ends; // a timestamp of the TimeProvider's
            public int Count;
        }

        private sealed class Shard
        {
            private const int FirstForgetting = 1024;

            public readonly Lock Gate = new();
            public readonly Dictionary<UInt128, NetworkWindow> Windows = [];
            private int forgetAt = FirstForgetting;

            /// <summary>Before a table grows past twice what it held after the last pass, the windows that are over leave it: it holds at most twice the networks of the last minute.</summary>
            public void ForgetClosedWindows(long now)
            {
                if (Windows.Count < forgetAt)
                {
                    return;
                }

                foreach (var (network, window) in Windows)
                {
                    if (now >= window.Ends)
                    {
                        Windows.Remove(network);
                    }
                }

                if (Windows.Count * 4 < Windows.EnsureCapacity(0))
                {
                    Windows.TrimExcess();
                }

                forgetAt = Math.Max(FirstForgetting, Windows.Count * 2);
            }
        }
    }

    private sealed class WindowLease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly WindowLease Acquired = new(true, null);

        public static readonly WindowLease Declined = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
