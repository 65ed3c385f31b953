using System.Runtime.CompilerServices;
using Npgsql;

namespace ContentApi.Reads;

/// <summary>
/// Questions that arrive together share one statement. While a server runs as many batches as it
/// has slots (<see cref="CoalescedBatches.BatchesInFlight"/>, shared by every kind of batch: the
/// article lookups, each list statement's shape), the questions asked of it wait and go together
/// in the next batch of their kind. A question that finds a slot free goes at once: no timer and
/// no added latency. Under load, each round trip and each statement serve several requests.
/// </summary>
/// <remarks>
/// <see cref="AnswerAllAsync"/> answers a batch in one statement, an answer per question in the
/// same order. A question never joins a batch that is already running, so it sees everything
/// committed before it was asked, as its own statement would. A batch's statement is cancelled
/// when every request in it has been cancelled. When the server fails a batch at the end of a
/// timeout, the questions waiting behind it fail with it. A batch takes at most
/// <paramref name="largestBatch"/> questions; the rest wait for the next statement (each batch's
/// answers are read whole before any request in it is answered).
/// </remarks>
internal abstract class CoalescedBatches<TQuestion, TAnswer>(int largestBatch)
{
    // SQLSTATE class 22: a value the statement cannot take (a cast, a division by zero, a character).
    private const string DataException = "22";

    private sealed class Asked(TQuestion question, CancellationToken cancellationToken)
        : TaskCompletionSource<TAnswer>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public TQuestion Question => question;

        public CancellationToken CancellationToken => cancellationToken;
    }

    // What this kind has waiting on one server, and its runners: each takes one of the server's
    // slots, then the questions waiting, until none wait.
    private sealed class Server
    {
        public readonly Lock Gate = new();
        public List<Asked> Waiting = [];
        public int InFlight;
    }

    private readonly ConditionalWeakTable<NpgsqlDataSource, Server> servers = new();

    /// <summary>The answer to <paramref name="question"/>, from the next batch that takes it.</summary>
    public Task<TAnswer> AskAsync(NpgsqlDataSource db, TQuestion question, CancellationToken cancellationToken)
    {
        var server = servers.GetValue(db, static _ => new Server());
        var asked = new Asked(question, cancellationToken);
        var startRunner = false;
        lock (server.Gate)
        {
            server.Waiting.Add(asked);
            if (server.InFlight < CoalescedBatches.BatchesInFlight)
            {
                server.InFlight++;
                startRunner = true;
            }
        }

        if (startRunner)
        {
            // The batches run for every request that joins them: none of this request's
            // ambient state (its logging scope, its activity) flows into them.
            using (ExecutionContext.SuppressFlow())
            {
                _ = RunAsync(db, server);
            }
        }

        return asked.Task.WaitAsync(cancellationToken);
    }

    private List<Asked> TakeBatch(Server server)
    {
        if (server.Waiting.Count <= largestBatch)
        {
            var all = server.Waiting;
            server.Waiting = [];
            return all;
        }

        var first = server.Waiting.GetRange(0, largestBatch);
        server.Waiting.RemoveRange(0, largestBatch);
        return first;
    }

    // Runs the questions waiting, a batch each time one of the server's slots is free, until none wait.
    private async Task RunAsync(NpgsqlDataSource db, Server server)
    {
        var slots = CoalescedBatches.SlotsOf(db);
        while (true)
        {
            await slots.WaitAsync();
            List<Asked> batch;
            lock (server.Gate)
            {
                if (server.Waiting.Count == 0)
                {
                    server.InFlight--;
                    slots.Release();
                    return;
                }

                batch = TakeBatch(server);
            }

            Exception? failure;
            try
            {
                failure = await AnswerAsync(db, batch);
            }
            finally
            {
                slots.Release();
            }

            List<Asked>? behind = null;
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
            }

            foreach (var waiting in behind ?? [])
            {
                waiting.TrySetException(failure!);
            }
        }
    }

    // A table locked past lock_timeout, a statement past statement_timeout, a server that did
    // not answer within the command timeout.
    private static bool TookTheWholeTime(Exception failure) =>
        failure is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled }
            or NpgsqlException { InnerException: TimeoutException };

    // Answers each question of the batch; returns why the server failed it, if it did (not when
    // every request in it was cancelled).
    private async Task<Exception?> AnswerAsync(NpgsqlDataSource db, List<Asked> batch)
    {
        using var abandoned = new CancellationTokenSource();
        var stillWaiting = batch.Count;
        var registrations = new CancellationTokenRegistration[batch.Count];
        var questions = new TQuestion[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            questions[i] = batch[i].Question;
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
            var answers = await AnswerAllAsync(db, questions, abandoned.Token);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].TrySetResult(answers[i]);
            }

            return null;
        }
        catch (PostgresException valueFailure) when (batch.Count > 1 && valueFailure.SqlState.StartsWith(DataException, StringComparison.Ordinal))
        {
            // A value of one question failed the statement (a data exception): each is asked
            // alone, so that only the question that failed gets its failure.
            foreach (var asked in batch)
            {
                await AnswerAsync(db, [asked]);
            }

            return null;
        }
        catch (Exception exception)
        {
            // Each request in the batch fails as its own statement would have (a 503 when the
            // database is unavailable; ReadRouting runs a read again elsewhere when a replica failed).
            foreach (var asked in batch)
            {
                asked.TrySetException(exception);
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

    /// <summary>The answers to a batch's questions, in their order, from one statement.</summary>
    protected abstract Task<TAnswer[]> AnswerAllAsync(NpgsqlDataSource db, TQuestion[] questions, CancellationToken cancellationToken);
}

/// <summary>What every kind of <see cref="CoalescedBatches{TQuestion, TAnswer}"/> shares.</summary>
internal static class CoalescedBatches
{
    /// <summary>
    /// Batches running at once on one server, of every kind together: enough for PostgreSQL to
    /// use every core we have.
    /// </summary>
    /// <remarks>
    /// Each kind had as many of its own: the bench's 60 list URLs are six statement shapes (three
    /// page sizes, the first page and the others) and its 53,000 filter URLs eight (four kinds of
    /// entity, two page sizes), so up to 12 and 16 statements ran at once on two cores, with a
    /// page or two in each. Shared, the pages of each shape wait and gather. By hand (100,000
    /// articles, cache off, the build before and this one serving at once, in turns): `list`
    /// 0.45–0.57 → 0.17–0.22 statements a page, PostgreSQL's CPU a page 196–238 → 112–153 µs,
    /// 3,781–4,429 → 4,497–5,967 pages a second; `filter`, after both had served its pages for
    /// two minutes, 0.45–0.50 → 0.21–0.23 statements, 3,139–3,800 → 3,895–4,392 pages a second;
    /// the article and comments (one shape each) unchanged; with four slots shared, `list` and
    /// `filter` fell between the two. A statement blocked by a lock holds its slot, as it held
    /// its own shape's before; a read waits only for an ACCESS EXCLUSIVE lock (DDL, LOCK TABLE).
    /// </remarks>
    public static int BatchesInFlight { get; } = Math.Max(2, Environment.ProcessorCount);

    private static readonly ConditionalWeakTable<NpgsqlDataSource, SemaphoreSlim> Slots = new();

    /// <summary>The slots of <paramref name="db"/>'s server, <see cref="BatchesInFlight"/> of them.</summary>
    public static SemaphoreSlim SlotsOf(NpgsqlDataSource db) => Slots.GetValue(db, static _ => new SemaphoreSlim(BatchesInFlight));
}
