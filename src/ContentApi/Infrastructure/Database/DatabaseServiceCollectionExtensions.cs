using Dapper;
using Npgsql;

namespace ContentApi.Infrastructure.Database;

internal static class DatabaseServiceCollectionExtensions
{
    public const string ConnectionStringName = "Content";
    public const string OwnerConnectionStringName = "Owner";

    /// <summary>One <see cref="NpgsqlDataSource"/> per process, with the pool settings measured to matter here.</summary>
    public static IServiceCollection AddContentDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        var connectionString = TunedConnectionString(configuration);
        services.AddNpgsqlDataSource(connectionString);
        services.AddSingleton(new UnpooledConnections(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString));
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
    public static string OwnerConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(OwnerConnectionStringName) is { Length: > 0 } owner ? owner : RequiredConnectionString(configuration);

    // Defaults chosen for 2 cores (DESIGN.md "Performance"); anything set explicitly in the
    // configured connection string wins.
    private static string TunedConnectionString(IConfiguration configuration)
    {
        var configured = new NpgsqlConnectionStringBuilder(RequiredConnectionString(configuration));
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
