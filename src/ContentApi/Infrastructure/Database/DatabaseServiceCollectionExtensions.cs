using Dapper;
using Npgsql;

namespace ContentApi.Infrastructure.Database;

internal static class DatabaseServiceCollectionExtensions
{
    public const string ConnectionStringName = "Content";
    public const string OwnerConnectionStringName = "Owner";

    /// <summary>
    /// One <see cref="NpgsqlDataSource"/> per process, with the pool settings measured to matter
    /// here. With several hosts in the connection string (a primary and its streaming replicas,
    /// <c>Host=h1:5432,h2:5432,…</c>) it is the primary of a multi-host data source, for writes,
    /// authenticated reads and everything in the background; public reads go to the replicas
    /// through <see cref="DatabaseServers"/> (Reads/ReadRouting.cs).
    /// </summary>
    public static IServiceCollection AddContentDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        var connectionString = TunedConnectionString(configuration);
        var servers = new DatabaseServers(connectionString);
        if (servers.Replicated)
        {
            services.AddSingleton(sp => new NpgsqlDataSourceBuilder(connectionString).UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>()).BuildMultiHost());
            services.AddSingleton(sp => sp.GetRequiredService<NpgsqlMultiHostDataSource>().WithTargetSession(TargetSessionAttributes.Primary));
        }
        else
        {
            services.AddNpgsqlDataSource(connectionString);
        }

        services.AddSingleton(servers);
        services.AddSingleton(new UnpooledConnections(servers.PrimaryOnly(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false })));
        return services;
    }

    public static string RequiredConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"Connection string '{ConnectionStringName}' is missing: set ConnectionStrings__{ConnectionStringName}.");

    /// <summary>
    /// The schema owner's connection, for migrations and the <c>keys</c> commands: the API itself
    /// connects with <c>Content</c>, as a role with DML only. Without one, <c>Content</c> serves both.
    /// </summary>
    public static string OwnerConnectionString(IConfiguration configuration)
    {
        var owner = configuration.GetConnectionString(OwnerConnectionStringName) is { Length: > 0 } value ? value : RequiredConnectionString(configuration);
        return new DatabaseServers(owner).PrimaryOnly(new NpgsqlConnectionStringBuilder(owner));
    }

    // Defaults chosen for 2 cores (DESIGN.md "Performance"); anything set explicitly in the
    // configured connection string wins.
    private static string TunedConnectionString(IConfiguration configuration)
    {
        var configured = new NpgsqlConnectionStringBuilder(RequiredConnectionString(configuration));
        if (configured.Multiplexing)
        {
            // Measured faster on single-row reads, but it breaks what the API relies on: replicas
            // (Npgsql refuses it with several hosts), a LISTEN outside the pool, and a statement
            // cancelled at the request timeout (answered as an unavailable database). Npgsql 11
            // removes it. Refused here, by name, rather than failing later in a background service.
            throw new InvalidOperationException(
                $"Connection string '{ConnectionStringName}': Multiplexing=true is not supported (replicas, LISTEN and request timeouts need pooled connections); remove it.");
        }

        var tuned = new NpgsqlConnectionStringBuilder
        {
            MaxPoolSize = 16,
            // Also how long a request waits for a pooled connection: when statements waiting for
            // a lock hold the pool, the others get their 503 after 2 s rather than after the lock
            // timeouts of those ahead of them (writes never take every connection: see
            // RateLimits:WriteConcurrency). A local database connects far sooner.
            Timeout = 2,
            CommandTimeout = 5,
            MaxAutoPrepare = 32,
            AutoPrepareMinUsages = 2,
            // The code never leaves session state behind (no SET, temp tables or session locks
            // on pooled connections), so the seven-statement reset on every return is waste.
            NoResetOnClose = true,
            ApplicationName = "ContentApi",
            // Short OLTP statements: JIT compiling them (on by default) costs more than it saves
            // (a list or search count crossing jit_above_cost took 100× longer). And prepared
            // statements keep their generic plan: PostgreSQL otherwise re-plans a statement on
            // every call whenever the generic plan's estimate looks costlier (1–3 ms of planning
            // per list and search request, measured); the SQL is written for generic plans
            // (literal LIMIT, no parameter that changes the best plan).
            // A statement waiting for a lock gives up before the 5 s command timeout, with an
            // error that says so (a 503): a locked table never hangs a request.
            Options = "-c jit=off -c plan_cache_mode=force_generic_plan -c lock_timeout=4s",
        };
        foreach (var key in configured.Keys)
        {
            tuned[key] = configured[key];
        }

        return tuned.ConnectionString;
    }
}

/// <summary>
/// The servers the connection string names: one, or a primary and its streaming replicas
/// (several hosts; which one is the primary is found by asking each, so a promoted replica
/// takes over without a configuration change).
/// </summary>
internal sealed class DatabaseServers
{
    public DatabaseServers(string connectionString)
    {
        ConnectionString = connectionString;
        Hosts = (new NpgsqlConnectionStringBuilder(connectionString).Host ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public string ConnectionString { get; }

    /// <summary>Each host as the connection string names it (<c>host</c> or <c>host:port</c>).</summary>
    public IReadOnlyList<string> Hosts { get; }

    /// <summary>Whether several servers are named: public reads then go to the replicas.</summary>
    public bool Replicated => Hosts.Count > 1;

    /// <summary>The connection string for sessions that must reach the primary (migrations, LISTEN).</summary>
    public string PrimaryOnly(NpgsqlConnectionStringBuilder builder)
    {
        if (Replicated)
        {
            builder.TargetSessionAttributes = "primary";
        }

        return builder.ConnectionString;
    }

    /// <summary>The connection string for one of the hosts alone.</summary>
    public string ForHost(string host) => new NpgsqlConnectionStringBuilder(ConnectionString) { Host = host, TargetSessionAttributes = null }.ConnectionString;
}

/// <summary>
/// Connections outside the pool, for a session that stays open (a LISTEN): it must not take one
/// of the pool's slots from the requests.
/// </summary>
internal sealed class UnpooledConnections(string connectionString)
{
    /// <summary>
    /// A connection named for <paramref name="purpose"/> in pg_stat_activity, which sends a
    /// keepalive when idle: a listener on a connection that died silently would wait forever.
    /// </summary>
    public NpgsqlConnection Create(string purpose) =>
        new(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = $"ContentApi {purpose}", KeepAlive = 5 }.ConnectionString);
}
