using System.Net.Sockets;
using ContentApi.Infrastructure.Database;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ContentApi.Reads;

/// <summary>
/// Read-your-writes across replicas: a write's response carries the primary's WAL position after
/// it committed (<c>Commit-Position</c>, opaque to clients), and a read that sends it back is
/// served by a server that has replayed at least that far.
/// </summary>
internal static class CommitPosition
{
    public const string HeaderName = "Commit-Position";

    public static ulong Parse(string walPosition) => (ulong)NpgsqlLogSequenceNumber.Parse(walPosition);

    /// <summary>The position a request asks to read at least (0 without the header); a 400 when the header is not one a write gave.</summary>
    public static ulong Asked(HttpRequest request)
    {
        var values = request.Headers[HeaderName];
        if (values.Count == 0)
        {
            return 0;
        }

        return values.Count == 1 && NpgsqlLogSequenceNumber.TryParse(values[0] ?? "", out var position)
            ? (ulong)position
            : throw new BadHttpRequestException(
                $"'{HeaderName}' must be a value from a write's '{HeaderName}' response header, sent back unchanged (e.g. 0/16B3F40).");
    }
}

/// <summary>Settings of reads from replicas (<c>ReadReplicas:*</c>; replicas are the extra hosts of the connection string).</summary>
internal sealed class ReadRoutingOptions
{
    /// <summary>Answer public reads with <c>Served-By</c>: which database server answered (primary, or replica and its host). For tests and diagnostics.</summary>
    public bool ServedByHeader { get; set; }

    /// <summary>How long a replica that failed (or turned out to be the primary) gets no reads before it is asked again, in seconds.</summary>
    public int RecheckSeconds { get; set; } = 5;
}

/// <summary>
/// Which server answers a request's reads. With one server, that one. With replicas (several
/// hosts in the connection string): writes, authenticated requests and background work use the
/// primary; public reads go round the replicas that have replayed what the read must see — the
/// request's <see cref="CommitPosition"/> and the position at which this instance last evicted
/// cached responses (<see cref="HotReadCache.HeardPosition"/>, so that no response older than an
/// eviction is kept) — else to the primary. A replica's replayed position is remembered and asked
/// again only when a read needs more; one that fails gets no reads for
/// <see cref="ReadRoutingOptions.RecheckSeconds"/>, and the read that met the failure runs again
/// (<see cref="ReadRoutingExtensions.UseReadRouting"/>).
/// </summary>
/// <remarks>
/// Npgsql's multi-host data source picks the host itself (<c>PreferStandby</c>): it cannot be
/// asked for a replica that has replayed a position, so replicas get a data source each.
/// </remarks>
internal sealed class ReadRouting : IAsyncDisposable
{
    public const string ServedByHeader = "Served-By";

    private const string ReplicaKey = "ContentApi.Replica";

    private sealed class Replica(string host, NpgsqlDataSource source)
    {
        public string Host => host;

        public NpgsqlDataSource Source => source;

        /// <summary>The WAL position it was last seen to have replayed; -1 before it is known to be a replica.</summary>
        public long Replayed = -1;

        /// <summary>Until when (<see cref="Environment.TickCount64"/>) it gets no reads.</summary>
        public long AvoidedUntil;
    }

    private readonly NpgsqlDataSource primary;
    private readonly Replica[] replicas;
    private readonly HotReadCache cache;
    private readonly ReadRoutingOptions options;
    private readonly ILogger<ReadRouting> logger;
    private int turn;

    public ReadRouting(NpgsqlDataSource primary, DatabaseServers servers, HotReadCache cache, IOptions<ReadRoutingOptions> options, ILogger<ReadRouting> logger)
    {
        this.primary = primary;
        this.cache = cache;
        this.options = options.Value;
        this.logger = logger;
        replicas = servers.Replicated
            ? servers.Hosts.Select(host => new Replica(host, NpgsqlDataSource.Create(servers.ForHost(host)))).ToArray()
            : [];
    }

    public bool Replicated => replicas.Length > 0;

    /// <summary>The data source for this request's reads (see the class).</summary>
    public async ValueTask<NpgsqlDataSource> SourceForAsync(HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (replicas.Length > 0 && httpContext.Request.Headers.Authorization.Count == 0)
        {
            var needed = Math.Max(CommitPosition.Asked(httpContext.Request), cache.HeardPosition);
            var first = (int)((uint)Interlocked.Increment(ref turn) % (uint)replicas.Length);
            for (var i = 0; i < replicas.Length; i++)
            {
                var replica = replicas[(first + i) % replicas.Length];
                if (Environment.TickCount64 >= Volatile.Read(ref replica.AvoidedUntil)
                    && (HasReplayed(replica, needed) || await CatchesUpAsync(replica, needed, cancellationToken)))
                {
                    httpContext.Items[ReplicaKey] = replica;
                    Tell(httpContext, "replica " + replica.Host);
                    return replica.Source;
                }
            }
        }

        Tell(httpContext, "primary");
        return primary;
    }

    /// <summary>
    /// Whether the request may run again after <paramref name="exception"/>: it read from a
    /// replica that failed (it then gets no reads for a while), or whose replay cancelled the
    /// read (a recovery conflict, answered as a serialization failure or deadlock).
    /// </summary>
    public bool ReplicaFailed(HttpContext httpContext, Exception exception)
    {
        if (httpContext.Items[ReplicaKey] is not Replica replica)
        {
            return false;
        }

        if (IsServerFailure(exception))
        {
            Avoid(replica, exception.Message);
        }
        else if (exception is not PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected })
        {
            return false;
        }

        httpContext.Items.Remove(ReplicaKey);
        return true;
    }

    /// <summary>The primary's WAL position now, just after a write committed; null when it cannot be read.</summary>
    public async Task<string?> CommitPositionAsync()
    {
        try
        {
            await using var connection = await primary.OpenConnectionAsync();
            return await connection.QuerySingleAsync<string>("select pg_current_wal_lsn()::text");
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            logger.LogWarning("A write's commit position could not be read ({Reason}): its writer's next read may be served by a replica behind it.", exception.Message);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in replicas)
        {
            await replica.Source.DisposeAsync();
        }
    }

    private static bool HasReplayed(Replica replica, ulong needed)
    {
        var replayed = Volatile.Read(ref replica.Replayed);
        return replayed >= 0 && (ulong)replayed >= needed;
    }

    // One query to the replica: still in recovery, and how far has it replayed?
    private async Task<bool> CatchesUpAsync(Replica replica, ulong needed, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await replica.Source.OpenConnectionAsync(cancellationToken);
            var (inRecovery, replayed) = await connection.QuerySingleAsync<(bool, string?)>(
                new CommandDefinition("select pg_is_in_recovery(), pg_last_wal_replay_lsn()::text", cancellationToken: cancellationToken));
            if (!inRecovery || replayed is null)
            {
                // The primary (or a promoted replica): its reads go through the primary's source.
                Volatile.Write(ref replica.Replayed, -1);
                Volatile.Write(ref replica.AvoidedUntil, Environment.TickCount64 + (options.RecheckSeconds * 1000L));
                return false;
            }

            var position = (long)CommitPosition.Parse(replayed);
            long seen;
            while ((seen = Volatile.Read(ref replica.Replayed)) < position && Interlocked.CompareExchange(ref replica.Replayed, position, seen) != seen)
            {
            }

            return (ulong)position >= needed;
        }
        catch (Exception exception) when (IsServerFailure(exception))
        {
            Avoid(replica, exception.Message);
            return false;
        }
    }

    private void Avoid(Replica replica, string reason)
    {
        var until = Environment.TickCount64 + (options.RecheckSeconds * 1000L);
        var before = Interlocked.Exchange(ref replica.AvoidedUntil, until);
        Volatile.Write(ref replica.Replayed, -1);
        // Its idle connections died with it.
        replica.Source.Clear();
        if (before < Environment.TickCount64)
        {
            logger.LogWarning("Replica {Host} failed ({Reason}): its reads go elsewhere for {Seconds} s.", replica.Host, reason, options.RecheckSeconds);
        }
    }

    private void Tell(HttpContext httpContext, string server)
    {
        if (options.ServedByHeader)
        {
            httpContext.Response.Headers[ServedByHeader] = server;
        }
    }

    // The server is gone or going (not a statement that failed on a working one).
    private static bool IsServerFailure(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.ConnectionFailure,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        TimeoutException or SocketException or IOException => true,
        _ => false,
    };
}

internal static class ReadRoutingExtensions
{
    public static IServiceCollection AddReadRouting(this IServiceCollection services, IHostEnvironment environment)
    {
        services.AddOptions<ReadRoutingOptions>().BindConfiguration("ReadReplicas")
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                // Development shows which server answered unless told otherwise.
                if (configuration["ReadReplicas:ServedByHeader"] is null)
                {
                    options.ServedByHeader = environment.IsDevelopment();
                }
            })
            .Validate(o => o.RecheckSeconds is >= 1 and <= 300, "ReadReplicas: RecheckSeconds 1–300.")
            .ValidateOnStart();
        services.AddSingleton<ReadRouting>();
        return services;
    }

    /// <summary>
    /// Just before the endpoints: a public read whose replica failed runs once more (elsewhere),
    /// and with replicas a successful write answers with its <see cref="CommitPosition"/>.
    /// </summary>
    public static WebApplication UseReadRouting(this WebApplication app)
    {
        var routing = app.Services.GetRequiredService<ReadRouting>();
        app.Use((context, next) =>
        {
            var method = context.Request.Method;
            var read = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
            if (read)
            {
                CommitPosition.Asked(context.Request); // a malformed one is a 400 before anything runs
            }

            if (!routing.Replicated)
            {
                return next(context);
            }

            if (read)
            {
                return ReadAgainIfTheReplicaFailedAsync(context, next, routing);
            }

            if (!HttpMethods.IsOptions(method))
            {
                context.Response.OnStarting(async () =>
                {
                    if (context.Response.StatusCode < 400 && await routing.CommitPositionAsync() is { } position)
                    {
                        context.Response.Headers[CommitPosition.HeaderName] = position;
                    }
                });
            }

            return next(context);
        });
        return app;
    }

    private static async Task ReadAgainIfTheReplicaFailedAsync(HttpContext context, RequestDelegate next, ReadRouting routing)
    {
        var headers = context.Response.Headers.ToArray();
        try
        {
            await next(context);
        }
        catch (Exception exception) when (!context.Response.HasStarted && routing.ReplicaFailed(context, exception))
        {
            // What the endpoint had set goes; what the middleware before it had set stays.
            context.Response.Headers.Clear();
            foreach (var (name, value) in headers)
            {
                context.Response.Headers[name] = value;
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            await next(context);
        }
    }
}
