using System.Reflection;
using DbUp.Builder;
using DbUp.Engine.Output;
using DbUp.Helpers;
using DbUp;
using Npgsql;

namespace ContentApi.Infrastructure.Database;

/// <summary>
/// Applies <c>sql/migrations</c> (journaled, once each, in name order) with DbUp, after
/// <c>sql/before-migrations</c> (functions migrations call, every time) and before
/// <c>sql/seed</c> (idempotent, every time). Several instances may start at once: they serialise on
/// an advisory lock taken in the <c>postgres</c> maintenance database, because a lock inside
/// the target database cannot cover its creation.
/// </summary>
internal sealed class DatabaseMigrator(string connectionString, ILogger logger)
{
    private const long MigrationLockKey = 0x436f6e74656e74; // "Content"

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var lockConnection = new NpgsqlConnection(maintenance.ConnectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var acquire = new NpgsqlCommand("select pg_advisory_lock(@key)", lockConnection))
        {
            acquire.Parameters.AddWithValue("key", MigrationLockKey);
            await acquire.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var upgradeLog = new LoggerUpgradeLog(logger);
            await EnsureDatabaseAsync(lockConnection, new NpgsqlConnectionStringBuilder(connectionString).Database!, cancellationToken);
            // A migration that fills a new column takes as long as the table needs (0018 takes
            // minutes at a million articles): no command timeout.
            var migrations = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString;
            Run(Scripts(connectionString, "before-migrations.", upgradeLog).JournalTo(new NullJournal()), "the functions migrations use");
            Run(Scripts(migrations, "migrations.", upgradeLog), "migrations");
            Run(Scripts(connectionString, "seed.", upgradeLog).JournalTo(new NullJournal()), "seed data");
        }
        finally
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    // DbUp's EnsureDatabase would log the connection string (host, user, password length): this
    // creates the database on the maintenance connection already open and logs only its name.
    private async Task EnsureDatabaseAsync(NpgsqlConnection maintenance, string database, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("select exists (select 1 from pg_database where datname = @database)", maintenance);
        exists.Parameters.AddWithValue("database", database);
        if ((bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            return;
        }

        await using var create = new NpgsqlCommand($"create database \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", maintenance);
        await create.ExecuteNonQueryAsync(cancellationToken);
        logger.LogInformation("Created database {Database}", database);
    }

    private static UpgradeEngineBuilder Scripts(string connectionString, string prefix, IUpgradeLog log) =>
        DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.StartsWith(prefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .WithVariablesDisabled()
            .LogTo(log);

    private static void Run(UpgradeEngineBuilder builder, string what)
    {
        var result = builder.Build().PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Applying {what} failed in {result.ErrorScript?.Name}: {result.Error.Message}", result.Error);
        }
    }

    private sealed class LoggerUpgradeLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogDebug(string format, params object[] args) => logger.LogDebug("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogInformation(string format, params object[] args) => logger.LogInformation("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogWarning(string format, params object[] args) => logger.LogWarning("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogError(string format, params object[] args) => logger.LogError("{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, "{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}
