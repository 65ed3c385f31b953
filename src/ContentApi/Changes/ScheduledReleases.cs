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
internal sealed class ScheduledReleases(NpgsqlDataSource db, IOptions<ChangesOptions> options, ILogger<ScheduledReleases> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.ReleaseIntervalMilliseconds));
        var failing = false;
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                await connection.ExecuteScalarAsync<int>(new CommandDefinition("select content_outbox_release_due()", cancellationToken: stoppingToken));
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                // The database is away: said once, retried every interval.
                if (!failing)
                {
                    logger.LogWarning("Scheduled articles cannot be announced in the changes feed now: {Reason}", exception.Message);
                }

                failing = true;
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
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
