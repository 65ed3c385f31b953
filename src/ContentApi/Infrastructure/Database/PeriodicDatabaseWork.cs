using Npgsql;

namespace ContentApi.Infrastructure.Database;

/// <summary>
/// Work every instance does in the database every interval. When it fails (the database away,
/// a statement cancelled) the log says so once, and the work is tried again every interval.
/// </summary>
internal abstract class PeriodicDatabaseWork(NpgsqlDataSource db, TimeSpan interval, ILogger logger) : BackgroundService
{
    /// <summary>What the work does, for the log.</summary>
    protected abstract string Description { get; }

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
                    logger.LogWarning("{Description} failed and is tried again every interval: {Reason}", Description, exception.Message);
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
