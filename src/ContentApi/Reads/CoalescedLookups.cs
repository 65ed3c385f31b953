using System.Runtime.CompilerServices;
using Npgsql;

namespace ContentApi.Reads;

/// <summary>
/// Lookups by key that arrive together share one statement. While a server has its batches in
/// flight (<see cref="BatchesInFlight"/>), the keys asked of it wait and go together in the next
/// batch, as one array parameter. A lookup that finds a slot free goes at once: no timer and no
/// added latency. Under load, each round trip and each statement serve several requests.
/// </summary>
/// <remarks>
/// The statement takes the keys as <c>$1</c> (<c>text[]</c>) and answers one row per key found,
/// the key in its first column; the reader reads a row. A lookup never joins a batch that is
/// already running, so it sees everything committed before it was asked, as its own statement
/// would. A batch's statement is cancelled when every request in it has been cancelled. When the
/// server fails a batch at the end of a timeout, the lookups waiting behind it fail with it.
/// </remarks>
internal sealed class CoalescedLookups<TRow>(string sql, Func<NpgsqlDataReader, TRow> readRow)
    where TRow : class
{
    /// <summary>Batches running at once on one server: enough for PostgreSQL to use every core we have.</summary>
    public static int BatchesInFlight { get; } = Math.Max(2, Environment.ProcessorCount);

    // A larger batch waits for the next statement: each batch's rows are read whole before any
    // request in it is answered.
    private const int LargestBatch = 64;

    private sealed class Lookup(string key, CancellationToken cancellationToken)
        : TaskCompletionSource<TRow?>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public string Key => key;

        public CancellationToken CancellationToken => cancellationToken;
    }

    // What one server has waiting and running.
    private sealed class Server
    {
        public readonly Lock Gate = new();
        public List<Lookup> Waiting = [];
        public int InFlight;
    }

    private readonly ConditionalWeakTable<NpgsqlDataSource, Server> servers = new();

    /// <summary>The row of <paramref name="key"/>, or null when the statement finds none.</summary>
    public Task<TRow?> FindAsync(NpgsqlDataSource db, string key, CancellationToken cancellationToken)
    {
        var server = servers.GetValue(db, static _ => new Server());
        var lookup = new Lookup(key, cancellationToken);
        List<Lookup>? batch = null;
        lock (server.Gate)
        {
            server.Waiting.Add(lookup);
            if (server.InFlight < BatchesInFlight)
            {
                server.InFlight++;
                batch = TakeBatch(server);
            }
        }

        if (batch is not null)
        {
            // The batches run for every request that joins them: none of this request's
            // ambient state (its logging scope, its activity) flows into them.
            using (ExecutionContext.SuppressFlow())
            {
                _ = RunAsync(db, server, batch);
            }
        }

        return lookup.Task.WaitAsync(cancellationToken);
    }

    private static List<Lookup> TakeBatch(Server server)
    {
        if (server.Waiting.Count <= LargestBatch)
        {
            var all = server.Waiting;
            server.Waiting = [];
            return all;
        }

        var first = server.Waiting.GetRange(0, LargestBatch);
        server.Waiting.RemoveRange(0, LargestBatch);
        return first;
    }

    // Runs a batch, then the lookups that arrived meanwhile, until none wait.
    private async Task RunAsync(NpgsqlDataSource db, Server server, List<Lookup>? batch)
    {
        while (batch is not null)
        {
            var failure = await AnswerAsync(db, batch);
            List<Lookup>? behind = null;
            lock (server.Gate)
            {
                if (failure is not null && TookTheWholeTime(failure))
                {
                    // Asked while the server spent its whole time failing this batch: they fail
                    // with it rather than wait as long again for the same answer. Quick failures
                    // (a connection broken by a restart) leave them to their own statement.
                    behind = server.Waiting;
                    server.Waiting = [];
                }

                if (server.Waiting.Count > 0)
                {
                    batch = TakeBatch(server);
                }
                else
                {
                    server.InFlight--;
                    batch = null;
                }
            }

            foreach (var lookup in behind ?? [])
            {
                lookup.TrySetException(failure!);
            }
        }
    }

    // A table locked past lock_timeout, a statement past statement_timeout, a server that did
    // not answer within the command timeout.
    private static bool TookTheWholeTime(Exception failure) =>
        failure is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled }
            or NpgsqlException { InnerException: TimeoutException };

    // Answers each lookup of the batch; returns why the server failed it, if it did (not when
    // every request in it was cancelled).
    private async Task<Exception?> AnswerAsync(NpgsqlDataSource db, List<Lookup> batch)
    {
        using var abandoned = new CancellationTokenSource();
        var stillWaiting = batch.Count;
        var registrations = new CancellationTokenRegistration[batch.Count];
        var keys = new string[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            keys[i] = batch[i].Key;
            registrations[i] = batch[i].CancellationToken.UnsafeRegister(
                _ =>
                {
                    if (Interlocked.Decrement(ref stillWaiting) == 0)
                    {
                        abandoned.Cancel();
                    }
                },
                null);
        }

        try
        {
            var found = await QueryAsync(db, keys, abandoned.Token);
            foreach (var lookup in batch)
            {
                lookup.TrySetResult(found.GetValueOrDefault(lookup.Key));
            }

            return null;
        }
        catch (Exception exception)
        {
            // Each request in the batch fails as its own statement would have (a 503 when the
            // database is unavailable; ReadRouting runs a read again elsewhere when a replica failed).
            foreach (var lookup in batch)
            {
                lookup.TrySetException(exception);
            }

            return abandoned.IsCancellationRequested ? null : exception;
        }
        finally
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }

    private async Task<Dictionary<string, TRow>> QueryAsync(NpgsqlDataSource db, string[] keys, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new Dictionary<string, TRow>(keys.Length, StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetString(0)] = readRow(reader);
        }

        return found;
    }
}
