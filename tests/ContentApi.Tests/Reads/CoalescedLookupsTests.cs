using ContentApi.Reads;
using Npgsql;

namespace ContentApi.Tests.Reads;

/// <summary>
/// Lookups asked while a server's batches run wait and share the next statement; each gets its
/// own row, a value that fails the statement fails its own lookup alone, another failure fails
/// each lookup of the batch, and a batch nobody waits for any more is cancelled in PostgreSQL.
/// The statements here report what they saw: the batch's size.
/// </summary>
public sealed class CoalescedLookupsTests(ContentApiFixture app) : OwnDataSourceTests(app)
{
    private sealed record Answer(string Key, int BatchSize);

    // A row per key but 'missing…': its batch's size; keys 'slow…' hold the statement for
    // 'slow-<seconds>', keys with 'fail' make it fail (after that) with a data exception (division
    // by zero), keys 'broken…' with another (no such table). The marker tells this test's
    // statements apart.
    private static CoalescedLookups<Answer> Lookups(string marker) => new(
        $"""
        select k, cardinality($1)::int / (case when k like '%fail%' then 0 else 1 end) /* {marker} */
        from unnest($1) k, pg_sleep(case when k like 'slow-%' then split_part(k, '-', 2)::float8 else 0 end)
        where k not like 'missing%' and case when k like 'broken%' then k::regclass is not null else true end
        """,
        static row => new Answer(row.GetString(0), row.GetInt32(1)));

    // Takes every slot of the server with a statement that runs for a while: later lookups wait.
    private static List<Task<Answer?>> HoldEverySlot(CoalescedLookups<Answer> lookups, NpgsqlDataSource db, double seconds) =>
        [.. Enumerable.Range(0, CoalescedBatches.BatchesInFlight).Select(i => lookups.FindAsync(db, $"slow-{seconds}-{i}", Ct))];

    [Fact]
    public async Task A_lookup_alone_goes_at_once_in_a_batch_of_its_own()
    {
        var answer = await Lookups(nameof(A_lookup_alone_goes_at_once_in_a_batch_of_its_own)).FindAsync(Db, "alone", Ct);

        Assert.Equal(new Answer("alone", 1), answer);
    }

    [Fact]
    public async Task Lookups_asked_while_every_batch_runs_share_the_next_statement_and_each_gets_its_own_row()
    {
        var lookups = Lookups(nameof(Lookups_asked_while_every_batch_runs_share_the_next_statement_and_each_gets_its_own_row));
        var holding = HoldEverySlot(lookups, Db, 0.3);

        var keys = new[] { "a", "b", "c", "a", "missing-1", "d" };
        var waiting = keys.Select(key => lookups.FindAsync(Db, key, Ct)).ToList();
        var answers = await Task.WhenAll(waiting);

        Assert.All(await Task.WhenAll(holding), held => Assert.Equal(1, held!.BatchSize));
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i].StartsWith("missing", StringComparison.Ordinal))
            {
                Assert.Null(answers[i]);
            }
            else
            {
                // One statement for all six (the repeated key asked once more in it).
                Assert.Equal(new Answer(keys[i], keys.Length), answers[i]);
            }
        }
    }

    [Fact]
    public async Task More_lookups_than_a_statement_takes_go_in_several_batches_and_all_are_answered()
    {
        var lookups = Lookups(nameof(More_lookups_than_a_statement_takes_go_in_several_batches_and_all_are_answered));
        var holding = HoldEverySlot(lookups, Db, 0.3);

        var keys = Enumerable.Range(0, 100).Select(i => $"key-{i}").ToList();
        var answers = await Task.WhenAll(keys.Select(key => lookups.FindAsync(Db, key, Ct)));
        await Task.WhenAll(holding);

        Assert.Equal(keys, answers.Select(answer => answer!.Key));
        Assert.Equal([36, 64], answers.Select(answer => answer!.BatchSize).Distinct().Order());
    }

    [Theory]
    [InlineData("fail-1", PostgresErrorCodes.DivisionByZero, true)]
    [InlineData("broken-1", PostgresErrorCodes.UndefinedTable, false)]
    public async Task A_value_that_fails_the_statement_fails_its_lookup_alone_and_another_failure_fails_each_lookup_of_the_batch(
        string failingKey, string failure, bool isDataException)
    {
        var lookups = Lookups(nameof(A_value_that_fails_the_statement_fails_its_lookup_alone_and_another_failure_fails_each_lookup_of_the_batch));
        var holding = HoldEverySlot(lookups, Db, 0.3);

        var failing = lookups.FindAsync(Db, failingKey, Ct);
        var besideIt = lookups.FindAsync(Db, "fine", Ct);

        var error = await Assert.ThrowsAsync<PostgresException>(() => failing);
        Assert.Equal(failure, error.SqlState);
        if (isDataException)
        {
            // Asked again alone after the shared statement failed.
            Assert.Equal(new Answer("fine", 1), await besideIt);
        }
        else
        {
            Assert.Same(error, await Assert.ThrowsAsync<PostgresException>(() => besideIt));
        }

        await Task.WhenAll(holding);
        Assert.Equal(new Answer("fine", 1), await lookups.FindAsync(Db, "fine", Ct));
    }

    [Fact]
    public async Task Lookups_waiting_behind_a_batch_that_met_a_lock_timeout_fail_with_it_and_others_go_on()
    {
        var marker = nameof(Lookups_waiting_behind_a_batch_that_met_a_lock_timeout_fail_with_it_and_others_go_on);
        var table = $"coalesced_{Guid.NewGuid():N}";
        await App.Database.ExecuteAsync($"create table {table} (id int)");
        await using var impatient = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(App.ConnectionString) { Options = "-c lock_timeout=300" }.ConnectionString);
        var lookups = new CoalescedLookups<Answer>(
            $"select k, cardinality($1)::int /* {marker} */ from unnest($1) k where not exists (select from {table})",
            static row => new Answer(row.GetString(0), row.GetInt32(1)));

        await using (var held = await App.Database.LockTableAsync(table, "access exclusive"))
        {
            var locked = Enumerable.Range(0, CoalescedBatches.BatchesInFlight).Select(i => lookups.FindAsync(impatient, $"locked-{i}", Ct)).ToList();
            var behind = lookups.FindAsync(impatient, "behind", Ct);

            var lockTimeout = await Assert.ThrowsAsync<PostgresException>(() => locked[0]);
            Assert.Equal(PostgresErrorCodes.LockNotAvailable, lockTimeout.SqlState);
            // The very failure of a batch before it: it did not wait for the lock again itself.
            var failedWith = await Assert.ThrowsAsync<PostgresException>(() => behind);
            Assert.Contains(failedWith, await Task.WhenAll(locked.Select(lookup => Assert.ThrowsAsync<PostgresException>(() => lookup))));
        }

        Assert.Equal(new Answer("after", 1), await lookups.FindAsync(impatient, "after", Ct));
    }

    [Fact]
    public async Task Lookups_waiting_behind_a_batch_that_failed_but_not_by_a_timeout_go_in_a_statement_of_their_own()
    {
        var lookups = Lookups(nameof(Lookups_waiting_behind_a_batch_that_failed_but_not_by_a_timeout_go_in_a_statement_of_their_own));
        var failing = Enumerable.Range(0, CoalescedBatches.BatchesInFlight).Select(i => lookups.FindAsync(Db, $"slow-0.3-{i}-fail", Ct)).ToList();

        var behind = lookups.FindAsync(Db, "behind", Ct);

        foreach (var lookup in failing)
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => lookup);
            Assert.Equal(PostgresErrorCodes.DivisionByZero, error.SqlState);
        }

        Assert.Equal(new Answer("behind", 1), await behind);
    }

    [Fact]
    public async Task A_cancelled_lookup_stops_waiting_while_the_others_of_its_batch_are_answered()
    {
        var lookups = Lookups(nameof(A_cancelled_lookup_stops_waiting_while_the_others_of_its_batch_are_answered));
        var holding = HoldEverySlot(lookups, Db, 0.5);

        using var cancelled = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var given = lookups.FindAsync(Db, "given-up", cancelled.Token);
        var kept = lookups.FindAsync(Db, "kept", Ct);
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => given);
        Assert.False(holding.Any(task => task.IsCompleted), "the lookup stopped waiting before its batch ran");
        Assert.Equal(new Answer("kept", 2), await kept);
        await Task.WhenAll(holding);
    }

    [Fact]
    public async Task A_batch_whose_every_request_was_cancelled_is_cancelled_in_PostgreSQL_and_the_lookups_behind_it_go_next()
    {
        var marker = nameof(A_batch_whose_every_request_was_cancelled_is_cancelled_in_PostgreSQL_and_the_lookups_behind_it_go_next);
        var lookups = Lookups(marker);
        var running = $"select count(*) from pg_stat_activity where state = 'active' and query like '%{marker} */%' and pid <> pg_backend_pid()";

        using var cancelled = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var slots = CoalescedBatches.BatchesInFlight;
        var given = Enumerable.Range(0, slots).Select(i => lookups.FindAsync(Db, $"slow-60-{i}", cancelled.Token)).ToList();
        var behind = lookups.FindAsync(Db, "behind", Ct);
        Assert.Equal(slots, await App.Database.SettledCountAsync(running, slots));
        await cancelled.CancelAsync();

        foreach (var lookup in given)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lookup);
        }

        Assert.Equal(new Answer("behind", 1), await behind);
        Assert.Equal(0, await App.Database.SettledCountAsync(running, 0));
    }
}
