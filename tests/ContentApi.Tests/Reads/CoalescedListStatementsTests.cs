using System.Net;
using System.Text.Json;
using ContentApi.Comments;
using ContentApi.Reads;
using NpgsqlTypes;

namespace ContentApi.Tests.Reads;

/// <summary>
/// List pages asked while their statement's batches run, or while the server runs as many batches
/// of any kind as it has slots, wait and share the next statement, each with its own values and
/// only its own rows; through HTTP, pages asked at once are the pages
/// asked one by one. The statements here report which statement answered them.
/// </summary>
public sealed class CoalescedListStatementsTests(ContentApiFixture app) : OwnDataSourceTests(app)
{
    private sealed record Row(string Values, int Item, string Statement);

    // @count rows after @sleep seconds, each with the page's values as text and the statement that
    // gave it (its backend and start); the marker keeps each test's statements apart.
    private static string Sql(string marker) => $"""
        select concat_ws(' ', @name, coalesce(@until::text, 'null'), extract(epoch from @key)::bigint) as values, i as item,
               pg_backend_pid() || ' ' || statement_timestamp() as statement /* {marker} */
        from pg_sleep(@sleep), generate_series(1, @count) i
        """;

    private static readonly DateTime Key = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private static SqlParameters Page(string name, int count, double sleep = 0, DateTime? until = null) => new SqlParameters()
        .Add("name", name)
        .Add("count", count)
        .Add("sleep", sleep)
        .Add("until", until, NpgsqlDbType.TimestampTz)
        .Add<object>("key", Key);

    // A page's rows, by item, highest first (a shared statement gives them in no order to rely on).
    private async Task<List<Row>> RowsAsync(string marker, SqlParameters page) =>
        [.. (await CoalescedListStatements.RowsAsync(Db, Sql(marker), page, static row => new Row(row.GetString(0), row.GetInt32(1), row.GetString(2)), Ct))
            .OrderByDescending(row => row.Item)];

    // Takes every slot of the server with the marker's statement for 0.3 s: later pages of any statement wait.
    private List<Task<List<Row>>> HoldEverySlot(string marker) =>
        [.. Enumerable.Range(0, CoalescedBatches.BatchesInFlight).Select(i => RowsAsync(marker, Page($"slow-{i}", 1, sleep: 0.3)))];

    [Fact]
    public async Task A_page_alone_goes_at_once_and_gets_its_rows()
    {
        var rows = await RowsAsync(nameof(A_page_alone_goes_at_once_and_gets_its_rows), Page("alone", 3));

        Assert.Equal([3, 2, 1], rows.Select(row => row.Item));
        Assert.All(rows, row => Assert.Equal("alone null 1704164645", row.Values));
    }

    [Fact]
    public async Task Pages_asked_while_every_batch_runs_share_the_next_statement_each_with_its_own_values_and_rows()
    {
        var marker = nameof(Pages_asked_while_every_batch_runs_share_the_next_statement_each_with_its_own_values_and_rows);
        var holding = HoldEverySlot(marker);

        var until = new DateTime(2030, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        var a = RowsAsync(marker, Page("a", 3));
        var empty = RowsAsync(marker, Page("empty", 0));
        var b = RowsAsync(marker, Page("b", 2, until: until));

        Assert.Equal([("a null 1704164645", 3), ("a null 1704164645", 2), ("a null 1704164645", 1)], (await a).Select(row => (row.Values, row.Item)));
        Assert.Empty(await empty);
        var untilText = await App.Database.ScalarAsync<string>("select @until::timestamptz::text", new { until });
        Assert.Equal([($"b {untilText} 1704164645", 2), ($"b {untilText} 1704164645", 1)], (await b).Select(row => (row.Values, row.Item)));
        // a and b in one statement, not one that held a slot.
        var shared = Assert.Single((await a).Concat(await b).Select(row => row.Statement).Distinct());
        Assert.DoesNotContain(shared, (await Task.WhenAll(holding)).SelectMany(rows => rows).Select(row => row.Statement));
    }

    [Fact]
    public async Task More_pages_than_a_statement_takes_go_in_several_batches_of_at_most_16()
    {
        var marker = nameof(More_pages_than_a_statement_takes_go_in_several_batches_of_at_most_16);
        var holding = HoldEverySlot(marker);

        var pages = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => RowsAsync(marker, Page($"p{i}", 1))));
        await Task.WhenAll(holding);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"p{i} null 1704164645"), pages.Select(rows => Assert.Single(rows).Values));
        Assert.Equal([4, 16], pages.GroupBy(rows => rows[0].Statement).Select(statement => statement.Count()).Order());
    }

    [Fact]
    public async Task Pages_of_another_statement_wait_while_every_slot_of_the_server_runs_and_then_share_a_statement()
    {
        var marker = nameof(Pages_of_another_statement_wait_while_every_slot_of_the_server_runs_and_then_share_a_statement);
        var holding = HoldEverySlot(marker + "-holding");

        // Another shape of statement: its own batches, but the server's slots are the same.
        var pages = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => RowsAsync(marker, Page($"other-{i}", 1))));
        var held = await Task.WhenAll(holding);

        Assert.Equal(["other-0 null 1704164645", "other-1 null 1704164645", "other-2 null 1704164645"], pages.Select(rows => Assert.Single(rows).Values));
        var shared = Assert.Single(pages.Select(rows => rows[0].Statement).Distinct());
        Assert.DoesNotContain(shared, held.SelectMany(rows => rows).Select(row => row.Statement));
    }

    [Fact]
    public void The_shared_statement_reads_each_value_from_the_page_row_and_leaves_operators_alone()
    {
        var sql = CoalescedListStatements.Batched(
            "select v from t where v @@ to_tsquery(@q) and tags @> array[@tag] and n = @offset",
            ["q", "tag", "offset"]);

        Assert.Contains("""v @@ to_tsquery(k."q") and tags @> array[k."tag"] and n = k."offset" """.TrimEnd(), sql, StringComparison.Ordinal);
        Assert.Contains("""unnest($1, $2, $3) with ordinality as k("q", "tag", "offset", answers_question)""", sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comment_pages_asked_at_once_are_the_pages_asked_one_by_one()
    {
        var slugs = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var slug = TestDatabase.UniqueSlug("batched");
            var article = await App.Database.InsertArticleAsync(slug);
            await App.Database.InsertApprovedCommentsAsync(article, count: i % 4);
            slugs.Add(slug);
        }

        slugs.Add("no-such-article");
        var client = App.CreateClient();
        async Task<(HttpStatusCode, string)> PageAsync(string slug)
        {
            var response = await client.GetAsync($"/v1/articles/{slug}/comments?pageSize=2", Ct);
            // A problem's body names its request (traceId): only its status is the same each time.
            return (response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(Ct) : "");
        }

        var together = await Task.WhenAll(Enumerable.Range(0, 4).SelectMany(_ => slugs).Select(PageAsync));
        var oneByOne = new List<(HttpStatusCode, string)>();
        foreach (var slug in slugs)
        {
            oneByOne.Add(await PageAsync(slug));
        }

        Assert.Equal(Enumerable.Range(0, 4).SelectMany(_ => oneByOne), together);
        Assert.Equal(HttpStatusCode.NotFound, oneByOne[^1].Item1);
        var third = JsonSerializer.Deserialize<Paged<PublicComment>>(oneByOne[3].Item2, HttpAssertions.StrictJson)!;
        Assert.Equal([$"Comment 1 on {slugs[3]}", $"Comment 2 on {slugs[3]}"], third.Items.Select(comment => comment.Body));
        Assert.Equal(3, third.Page.TotalItems);
    }
}
