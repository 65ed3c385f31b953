using System.Diagnostics;
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
    private int unreachable;

    public SharedRateLimits(IConfiguration configuration, IOptions<RateLimitOptions> options, ILogger<SharedRateLimits> logger)
    {
        this.logger = logger;
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

    /// <summary>A window of one minute with <paramref name="permits"/> permits for <paramref name="network"/> in the budget named <paramref name="budget"/>.</summary>
    public RateLimitPartition<string> PerMinute(string budget, string network, int permits) =>
        RateLimitPartition.Get(network, key => new SharedWindowLimiter(this, budget, key, permits, redis is null ? permits : Math.Max(1, permits / instances)));

    public void Dispose() => redis?.Dispose();

    private bool Shared => redis is not null;

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
    /// One network's window in one budget, counted in Redis, or here (<paramref name="localPermits"/>)
    /// without Redis or while it is away. Nothing waits in a queue: asking for 0 permits only asks
    /// (the framework's window would queue such a request until the window ends). The local window
    /// starts with its first permit and lasts a minute, as Redis's does. Not the framework's window
    /// limiter: its timer, one per network, kept the request it was made in alive (the execution
    /// context: the activity, the log scopes) for the window's minute, 20,000 of them after 20 s of
    /// comments from as many addresses (README, "Rate limits' memory").
    /// </summary>
    private sealed class SharedWindowLimiter(SharedRateLimits shared, string budget, string network, int permits, int localPermits) : RateLimiter
    {
        private static readonly long WindowTicks = (long)(Window.TotalSeconds * Stopwatch.Frequency);

        private readonly Lock gate = new();
        private long lastUsed = Stopwatch.GetTimestamp();

        // When the local window ends (a Stopwatch timestamp; 0 before its first permit) and the permits taken in it.
        private long localWindowEnds;
        private int localCount;

        /// <summary>
        /// Idle once the local window is over and nothing used the limiter since. The partitioned
        /// limiter drops a partition idle for 10 s, and its count with it: idle from the last use
        /// alone, a network past its budget had a new one after a pause of 10 s.
        /// </summary>
        public override TimeSpan? IdleDuration
        {
            get
            {
                var idleSince = Math.Max(Volatile.Read(ref lastUsed), Volatile.Read(ref localWindowEnds));
                var now = Stopwatch.GetTimestamp();
                return now >= idleSince ? Stopwatch.GetElapsedTime(idleSince, now) : null;
            }
        }

        public override RateLimiterStatistics? GetStatistics() => null;

        // Counting in Redis takes a round trip: the synchronous attempt declines, and callers (the
        // rate-limiting middleware among them) then wait for AcquireAsync.
        protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
            shared.Shared ? WindowLease.Declined : Alone(permitCount);

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            if (!shared.Shared || await shared.CountAsync($"contentapi:limit:{budget}:{network}", permitCount) is not var (count, left))
            {
                return Alone(permitCount);
            }

            Volatile.Write(ref lastUsed, Stopwatch.GetTimestamp());

            var acquired = permitCount == 0 ? count < permits : count <= permits;
            return acquired ? WindowLease.Acquired : new WindowLease(false, left);
        }

        private RateLimitLease Alone(int permitCount)
        {
            var now = Stopwatch.GetTimestamp();
            Volatile.Write(ref lastUsed, now);
            lock (gate)
            {
                var windowOver = now >= localWindowEnds;
                var taken = windowOver ? 0 : localCount;
                if (permitCount == 0)
                {
                    return taken < localPermits ? WindowLease.Acquired : Declined(now);
                }

                if (taken + permitCount > localPermits)
                {
                    return Declined(now);
                }

                if (windowOver)
                {
                    Volatile.Write(ref localWindowEnds, now + WindowTicks);
                }

                localCount = taken + permitCount;
                return WindowLease.Acquired;
            }
        }

        private WindowLease Declined(long now) => new(false, Stopwatch.GetElapsedTime(now, localWindowEnds));
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
