using ContentApi.Infrastructure.Database;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Changes;

internal sealed class ChangesOptions
{
    /// <summary>How often each instance announces the scheduled articles whose time has come.</summary>
    public int ReleaseIntervalMilliseconds { get; set; } = 1000;
}

/// <summary>
/// Announces scheduled articles in the changes feed when they become visible: every interval,
/// content_outbox_release_due (migration 0014) moves the due ones into the outbox. Every
/// instance runs it; the function's lock makes one of them do each release.
/// </summary>
internal sealed class ScheduledReleases(NpgsqlDataSource db, IOptions<ChangesOptions> options, ILogger<ScheduledReleases> logger)
    : PeriodicDatabaseWork(db, TimeSpan.FromMilliseconds(options.Value.ReleaseIntervalMilliseconds), logger)
{
    protected override string Description => "Announcing scheduled articles in the changes feed";

    protected override Task RunAsync(NpgsqlConnection connection, CancellationToken stoppingToken) =>
        connection.ExecuteScalarAsync<int>(new CommandDefinition("select content_outbox_release_due()", cancellationToken: stoppingToken));
}

internal static class ChangesServices
{
    public static IServiceCollection AddChanges(this IServiceCollection services)
    {
        services.AddOptions<ChangesOptions>().BindConfiguration("Changes")
            .Validate(o => o.ReleaseIntervalMilliseconds is >= 50 and <= 60_000, "Changes:ReleaseIntervalMilliseconds must be 50 to 60000.")
            .ValidateOnStart();
        services.AddSingleton<ChangeQueries>();
        services.AddHostedService<ScheduledReleases>();
        return services;
    }
}
