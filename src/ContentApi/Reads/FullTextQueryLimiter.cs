using System.Diagnostics;
using System.Threading.RateLimiting;

namespace ContentApi.Reads;

/// <summary>How many full-text queries run at once, how many wait, and what a cheap one is.</summary>
/// <param name="Slots">Queries running at once whenever a costly one runs or rests, and until a few in a row end cheap, while other requests are in progress or just ended.</param>
/// <param name="CheapSlots">Queries running at once while every one stays cheap (at least <paramref name="Slots"/>).</param>
/// <param name="AloneSlots">Queries running at once while no other request is in progress or just ended (at least <paramref name="CheapSlots"/>).</param>
/// <param name="QueueLimit">Queries waiting for a slot, oldest first; past it, refused.</param>
/// <param name="CheapHold">How long a query may hold its slot and still be cheap.</param>
internal sealed record FullTextQuerySlots(int Slots, int CheapSlots, int AloneSlots, int QueueLimit, TimeSpan CheapHold);

/// <summary>
/// The full-text queries' slots. A slot held longer than the cheap hold is given back only after
/// twice that excess has passed: a stream of costly queries (a common word ranks a tenth of the
/// articles: 35–90 ms among 100,000) keeps its slot busy less than half of the time, rather than
/// a core of PostgreSQL without pause while the cheap reads wait for it. Cheap queries never
/// rest, and while none runs long or rests, and the last few ended cheap, they get the cheap
/// slots: with one slot a core stood idle while two-word searches waited in line for it. Both
/// hold back for the other requests: while none is in progress or just ended (<paramref name="others"/>),
/// a costly query does not rest its slot and the alone slots are open, as nothing but the
/// full-text queries waits for PostgreSQL (a lone reader's next page is not held back either):
/// two a core, since a query holds its slot while its page is rendered and sent, and one a core
/// left the cores idle meanwhile.
/// </summary>
internal sealed class FullTextQueryLimiter(FullTextQuerySlots slots, OtherRequests others) : RateLimiter
{
    /// <summary>Queries that end cheap in a row, after a costly one, before the cheap slots open again.</summary>
    public const int CheapInARowToOpen = 8;

    private readonly Lock gate = new();
    private readonly LinkedList<Waiter> queue = [];
    // When each running query took its slot: one past the cheap hold closes the cheap slots.
    private readonly List<long> running = [];
    private int resting;
    // Queries that ended cheap since the last costly one: the cheap slots stay closed until a few
    // in a row have, or a stream of costly queries (some of them near the cheap time) would run
    // two at a time after each rest.
    private int cheapInARow = CheapInARowToOpen;
    private long idleSince = Stopwatch.GetTimestamp();
    private long successful;
    private long failed;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (gate)
            {
                return running.Count + resting + queue.Count == 0 ? Stopwatch.GetElapsedTime(idleSince) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (gate)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = Math.Max(0, Open() - running.Count - resting),
                CurrentQueuedCount = queue.Count,
                TotalSuccessfulLeases = successful,
                TotalFailedLeases = failed,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckOne(permitCount);
        lock (gate)
        {
            // Oldest first: a newcomer never passes those in line.
            return queue.Count == 0 && TryTake(permitCount, out var lease) ? lease : Refuse();
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckOne(permitCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (queue.Count == 0 && TryTake(permitCount, out var lease))
            {
                return ValueTask.FromResult(lease);
            }

            if (permitCount == 0 || queue.Count >= slots.QueueLimit)
            {
                return ValueTask.FromResult(Refuse());
            }

            var waiter = new Waiter();
            var node = queue.AddLast(waiter);
            waiter.Cancellation = cancellationToken.Register(() =>
            {
                lock (gate)
                {
                    if (node.List is not null)
                    {
                        queue.Remove(node);
                    }
                }

                waiter.Answer.TrySetCanceled(cancellationToken);
            });
            return new ValueTask<RateLimitLease>(waiter.Answer.Task);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            List<Waiter> waiting;
            lock (gate)
            {
                waiting = [.. queue];
                queue.Clear();
            }

            foreach (var waiter in waiting)
            {
                waiter.Cancellation.Unregister();
                waiter.Answer.TrySetResult(Refuse());
            }
        }

        base.Dispose(disposing);
    }

    private static void CheckOne(int permitCount) => ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, 1);

    private RateLimitLease Refuse()
    {
        Interlocked.Increment(ref failed);
        return Verdict.Refused;
    }

    // Under the gate. A request for no permit asks only whether one is free.
    private bool TryTake(int permitCount, out RateLimitLease lease)
    {
        lease = Verdict.Refused;
        if (running.Count + resting >= Open())
        {
            return false;
        }

        lease = permitCount == 1 ? Take() : Verdict.Granted;
        successful++;
        return true;
    }

    // Under the gate: how many may hold a slot now.
    private int Open()
    {
        if (!others.Any)
        {
            return Math.Max(Math.Max(slots.Slots, slots.CheapSlots), slots.AloneSlots);
        }

        if (resting > 0 || cheapInARow < CheapInARowToOpen)
        {
            return slots.Slots;
        }

        var now = Stopwatch.GetTimestamp();
        foreach (var since in running)
        {
            if (Stopwatch.GetElapsedTime(since, now) > slots.CheapHold)
            {
                return slots.Slots;
            }
        }

        return Math.Max(slots.Slots, slots.CheapSlots);
    }

    private Slot Take()
    {
        var taken = Stopwatch.GetTimestamp();
        running.Add(taken);
        return new Slot(this, taken);
    }

    private void Give(long taken)
    {
        var excess = Stopwatch.GetElapsedTime(taken) - slots.CheapHold;
        var rest = others.Any ? excess * 2 : TimeSpan.Zero;
        lock (gate)
        {
            running.Remove(taken);
            cheapInARow = excess > TimeSpan.Zero ? 0 : Math.Min(cheapInARow + 1, CheapInARowToOpen);
            if (rest > TimeSpan.Zero)
            {
                resting++;
            }
            else
            {
                Admit();
            }
        }

        if (rest > TimeSpan.Zero)
        {
            // The response is not held back: only the slot waits.
            _ = Task.Delay(rest).ContinueWith(_ =>
            {
                lock (gate)
                {
                    resting--;
                    Admit();
                }
            }, TaskScheduler.Default);
        }
    }

    // Under the gate: the oldest in line take the slots now open.
    private void Admit()
    {
        while (queue.First is { } first && running.Count + resting < Open())
        {
            queue.RemoveFirst();
            var lease = Take();
            successful++;
            // Unregister, not Dispose: that would wait for a running callback, which waits for the gate.
            first.Value.Cancellation.Unregister();
            if (!first.Value.Answer.TrySetResult(lease))
            {
                // Cancelled as it was admitted: the slot goes back at once.
                running.Remove(lease.Taken);
                successful--;
            }
        }

        if (running.Count + resting + queue.Count == 0)
        {
            idleSince = Stopwatch.GetTimestamp();
        }
    }

    private sealed class Waiter
    {
        public TaskCompletionSource<RateLimitLease> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Cancellation { get; set; }
    }

    /// <summary>A lease that carries no metadata (a refusal here has no Retry-After of its own).</summary>
    private abstract class PlainLease : RateLimitLease
    {
        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    private sealed class Slot(FullTextQueryLimiter limiter, long taken) : PlainLease
    {
        private int given;

        public long Taken => taken;

        public override bool IsAcquired => true;

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref given, 1) == 0)
            {
                limiter.Give(taken);
            }
        }
    }

    /// <summary>An answer that holds nothing: a refusal, or a free slot to a request for none.</summary>
    private sealed class Verdict(bool acquired) : PlainLease
    {
        public static readonly Verdict Granted = new(true);
        public static readonly Verdict Refused = new(false);

        public override bool IsAcquired => acquired;
    }
}
