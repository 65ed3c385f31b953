using ContentApi.Reads;

namespace ContentApi.Tests.Reads;

public sealed class ListTotalsTests
{
    [Fact]
    public void Only_totals_longer_than_a_count_worth_keeping_are_remembered()
    {
        var totals = new ListTotals();
        totals.Remember("short", new ListTotals.Counted(1, null, ListTotals.CountedEachTimeUpTo));
        totals.Remember("long", new ListTotals.Counted(1, null, ListTotals.CountedEachTimeUpTo + 1));
        var remembered = totals.Get("long");
        totals.Remember("long", new ListTotals.Counted(2, null, 3));

        Assert.Null(totals.Get("short"));
        Assert.Equal(new ListTotals.Counted(1, null, ListTotals.CountedEachTimeUpTo + 1), remembered);
        Assert.Null(totals.Get("long"));
    }
}
