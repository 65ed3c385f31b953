using ContentApi.Infrastructure.Database;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Reads;

/// <summary>
/// Keeps <see cref="HotReadCache"/> exact: LISTENs on the outbox's channel (every committed
/// change to public content NOTIFYs it, and so does the publication schedule: migrations 0014,
/// 0017) on a connection of its own, reads the entries committed since the last it read, and
/// evicts the cache keys they name. When the connection drops, the cache is emptied and serves
/// nothing until the listener is back (what changed meanwhile was not heard).
/// </summary>
internal sealed class CacheInvalidationListener(
    HotReadCache cache, NpgsqlDataSource db, UnpooledConnections unpooled, IOptions<OutputCachingOptions> options,
    ILogger<CacheInvalidationListener> logger) : BackgroundService
{
    // Each ends with the primary's WAL position after reading the changes: every change read was
    // committed before it, so a replica that has replayed it shows them all (ReadRouting).
    private const string HeadSql = $"""
        select coalesce(max(o.position), 0) from content_outbox o;
        select min(a.published_at) from articles a where a.status = 'published' and a.published_at > now();
        {WalPositionSql}
        """;

    private const string ChangesSql = $"""
        select o.position, o.keys from content_outbox o where o.position > @heard order by o.position;
        select min(a.published_at) from articles a where a.status = 'published' and a.published_at > now();
        {WalPositionSql}
        """;

    private const string WalPositionSql = "select pg_current_wal_lsn()::text;";

    // The longest wait without a notification: the schedule is read again after it anyway.
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim catchingUp = new(1, 1);
    private long heard;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var retry = TimeSpan.FromMilliseconds(100);
        var away = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = unpooled.Create("cache invalidation");
                // A notification that arrives while a catch-up reads may be of a commit that
                // read did not see: it is remembered, and the next catch-up starts at once.
                var notified = 0;
                connection.Notification += (_, _) => Volatile.Write(ref notified, 1);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand("listen content_outbox", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                await ResumeAsync(connection, stoppingToken);
                if (away)
                {
                    logger.LogInformation("Listening to content changes again: responses are cached in memory again.");
                }

                away = false;
                retry = TimeSpan.FromMilliseconds(100);
                while (true)
                {
                    if (Interlocked.Exchange(ref notified, 0) == 0)
                    {
                        await connection.WaitAsync(MillisecondsUntilNextPublication(), stoppingToken);
                        Volatile.Write(ref notified, 0);
                    }

                    await CatchUpAsync(connection, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                cache.Suspend();
                if (!away)
                {
                    logger.LogWarning("Stopped hearing content changes ({Reason}): responses are served from the database until the listener is back.", exception.Message);
                }

                away = true;
                await Task.Delay(retry, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>
    /// Evicts what this instance's own write changed before its response leaves, so that the
    /// client's next read here sees it (other instances hear it from the notification).
    /// </summary>
    public async Task CatchUpAfterWriteAsync(CancellationToken cancellationToken)
    {
        if (!cache.IsServing)
        {
            return;
        }

        try
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            await CatchUpAsync(connection, cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            // Not knowing what the write changed, forget everything.
            cache.Invalidate([HotReadCache.EveryEntry], null, 0);
        }
    }

    private async Task ResumeAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await catchingUp.WaitAsync(cancellationToken);
        try
        {
            await using var results = await connection.QueryMultipleAsync(new CommandDefinition(HeadSql, cancellationToken: cancellationToken));
            var head = await results.ReadSingleAsync<long>();
            var nextPublication = await results.ReadSingleAsync<DateTime?>();
            var walPosition = CommitPosition.Parse(await results.ReadSingleAsync<string>());
            heard = head;
            cache.Resume(nextPublication, walPosition);
        }
        finally
        {
            catchingUp.Release();
        }
    }

    private async Task CatchUpAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await catchingUp.WaitAsync(cancellationToken);
        try
        {
            await using var results = await connection.QueryMultipleAsync(new CommandDefinition(ChangesSql, new { heard }, cancellationToken: cancellationToken));
            var changes = (await results.ReadAsync<(long Position, string[] Keys)>()).AsList();
            var nextPublication = await results.ReadSingleAsync<DateTime?>();
            var walPosition = CommitPosition.Parse(await results.ReadSingleAsync<string>());
            cache.Invalidate(changes.SelectMany(c => c.Keys).Distinct(), nextPublication, walPosition);
            if (changes.Count > 0)
            {
                heard = changes[^1].Position;
            }
        }
        finally
        {
            catchingUp.Release();
        }
    }

    // Past the next scheduled publication the cache keeps nothing until it knows the one after.
    private int MillisecondsUntilNextPublication()
    {
        var until = cache.LifetimeFrom(DateTime.UtcNow, LongestWait);
        return until > TimeSpan.Zero ? (int)until.TotalMilliseconds + 5 : 200;
    }

    public override void Dispose()
    {
        catchingUp.Dispose();
        base.Dispose();
    }
}
