using ContentApi.Reads;

namespace ContentApi.Tests.Reads;

public sealed class ListTotalsTests
{
    [Fact]
    public void Only_totals_longer_than_a_count_worth_keeping_are_remembered()
    {
        var totals = new ListTotals();
        totals.Remember("short", TotalVersion.Content, new ListTotals.Counted(1, null, ListTotals.CountedEachTimeUpTo));
        totals.Remember("long", TotalVersion.Content, new ListTotals.Counted(1, null, ListTotals.CountedEachTimeUpTo + 1));
        var remembered = totals.Get("long");
        totals.Remember("long", TotalVersion.Content, new ListTotals.Counted(2, null, 3));

        Assert.Null(totals.Get("short"));
        Assert.Equal(new ListTotals.Counted(1, null, ListTotals.CountedEachTimeUpTo + 1), remembered);
        Assert.Null(totals.Get("long"));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_short_total_its_list_keeps_is_given_at_once_with_no_count()
    {
        var totals = new ListTotals();
        var shortTotal = new ListTotals.Counted(1, null, 3);
        totals.Remember("full text", TotalVersion.Content, shortTotal, keepShort: true);
        totals.Remember("comments", TotalVersion.Content, shortTotal);

        Assert.Equal(new ListTotals.Known(shortTotal, null, 3), await totals.KnownAsync("full text", TotalVersion.Content, Ct));
        Assert.Equal(new ListTotals.Known(null, null, ListTotals.CountedEachTimeUpTo), await totals.KnownAsync("comments", TotalVersion.Content, Ct));
    }

    private static readonly ListTotals.Counted Long = new(5, null, ListTotals.CountedEachTimeUpTo + 1);

    [Fact]
    public async Task A_total_remembered_at_the_newest_watermark_is_given_at_once_with_no_count()
    {
        var totals = new ListTotals();
        totals.Remember("scope", TotalVersion.Content, Long);

        var known = await totals.KnownAsync("scope", TotalVersion.Content, Ct);

        Assert.Equal(Long, known.Total);
        Assert.Null(known.Count);
        Assert.Equal(Long.Total, known.AtMost);
    }

    [Fact]
    public async Task Pages_asked_while_a_scope_is_counted_wait_for_that_count_and_take_its_total()
    {
        var totals = new ListTotals();

        var first = await totals.KnownAsync("scope", TotalVersion.Content, Ct);
        var second = totals.KnownAsync("scope", TotalVersion.Content, Ct).AsTask();
        var other = await totals.KnownAsync("other scope", TotalVersion.Content, Ct);
        var waited = second.IsCompleted;
        first.Count!.Ended(Long);
        var shared = await second;
        first.Count.Dispose();
        other.Count!.Dispose();

        Assert.Null(first.Total);
        Assert.False(waited);
        Assert.Equal(Long, shared.Total);
        Assert.Null(shared.Count);
        Assert.NotNull(other.Count);
    }

    [Fact]
    public async Task Pages_waiting_for_a_count_that_failed_count_for_themselves_and_the_next_page_counts_again()
    {
        var totals = new ListTotals();

        var failing = await totals.KnownAsync("scope", TotalVersion.Content, Ct);
        var waiting = totals.KnownAsync("scope", TotalVersion.Content, Ct).AsTask();
        failing.Count!.Dispose();
        var afterFailure = await waiting;
        var next = await totals.KnownAsync("scope", TotalVersion.Content, Ct);

        Assert.Equal(new ListTotals.Known(null, null, null), afterFailure);
        Assert.NotNull(next.Count);
    }

    [Fact]
    public async Task Pages_of_a_list_last_counted_short_count_it_each_without_waiting_for_another()
    {
        var totals = new ListTotals();
        totals.Remember("long, then short", TotalVersion.Content, Long);
        totals.Remember("long, then short", TotalVersion.Content, Long with { Version = Long.Version + 1, Total = 3 });

        var first = await totals.KnownAsync("long, then short", TotalVersion.Content, Ct);
        var second = await totals.KnownAsync("long, then short", TotalVersion.Content, Ct);
        var unknown = await totals.KnownAsync("never counted", TotalVersion.Content, Ct);
        unknown.Count?.Dispose();

        Assert.Equal(new ListTotals.Known(null, null, ListTotals.CountedEachTimeUpTo), first);
        Assert.Equal(new ListTotals.Known(null, null, ListTotals.CountedEachTimeUpTo), second);
        Assert.Null(unknown.AtMost);
        Assert.NotNull(unknown.Count);
    }

    /// <param name="sameKind">Whether the newer version seen is of the kind the total follows.</param>
    [Theory]
    [InlineData(true)]
    // The watermark moves with every write, the article lists' members with fewer of them.
    [InlineData(false)]
    public async Task A_total_remembered_before_a_newer_version_of_its_kind_was_seen_is_counted_again(bool sameKind)
    {
        var totals = new ListTotals();
        totals.Remember("article list", TotalVersion.ArticleListMembers, Long);
        totals.Remember("another list", sameKind ? TotalVersion.ArticleListMembers : TotalVersion.Content, Long with { Version = Long.Version + 1 });

        var known = await totals.KnownAsync("article list", TotalVersion.ArticleListMembers, Ct);
        known.Count?.Dispose();

        Assert.Equal(Long, known.Total);
        Assert.Equal(sameKind, known.Count is not null);
    }
}
