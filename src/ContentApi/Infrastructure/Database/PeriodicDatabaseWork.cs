using Npgsql;

namespace ContentApi.Infrastructure.Database;

/// <summary>
/// Work every instance does in the database every interval. While the database is away the log
/// says so once, and the work is tried again every interval.
/// </summary>
internal abstract class PeriodicDatabaseWork(NpgsqlDataSource db, TimeSpan interval, ILogger logger) : BackgroundService
{
    /// <summary>What cannot be done while the database is away, for the log.</summary>
    protected abstract string WhatWaits { get; }

    protected abstract Task RunAsync(NpgsqlConnection connection, CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        var failing = false;
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                await RunAsync(connection, stoppingToken);
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                if (!failing)
                {
                    logger.LogWarning("{WhatWaits} waits: the database is unavailable ({Reason})", WhatWaits, exception.Message);
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
