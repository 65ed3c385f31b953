using ContentApi.Articles;
using ContentApi.Reads;

namespace ContentApi.Tests.Reads;

public sealed class CursorPagingTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Publishes <paramref name="count"/> articles with one fresh tag, a minute apart, some sharing a time.</summary>
    private async Task<string> PublishTaggedArticlesAsync(int count, DateTime newest)
    {
        var tag = TestDatabase.UniqueSlug("walk");
        await app.Database.ExecuteAsync(
            """
            insert into tags (slug, name) values (@tag, 'Walk');
            with created as (
                insert into articles (slug, title, status, published_at)
                select @tag || '-' || n, 'Walk article ' || n, 'published',
                       -- pairs of articles share a publication time: the id breaks the tie
                       @newest - make_interval(mins => n / 2)
                from generate_series(1, @count) n
                returning id)
            insert into article_tags (article_id, tag_id)
            select created.id, (select id from tags where slug = @tag) from created;
            """,
            new { tag, count, newest });
        return tag;
    }

    private async Task<Paged<ArticleSummary>> PageAsync(string url) =>
        await (await client.GetAsync(url, Ct)).ReadContractAsync<Paged<ArticleSummary>>();

    [Fact]
    public async Task Walking_250_articles_by_cursor_yields_each_exactly_once_in_order()
    {
        var tag = await PublishTaggedArticlesAsync(250, DateTime.UtcNow.AddHours(-1));

        var seen = new List<ArticleSummary>();
        var pages = 0;
        for (var url = $"/v1/articles?tag={tag}&pageSize=100"; url is not null; pages++)
        {
            var page = await PageAsync(url);
            seen.AddRange(page.Items);
            Assert.Equal(250, page.Page.TotalItems);
            url = page.Links.Next;
        }

        Assert.Equal(3, pages);
        Assert.Equal(250, seen.Select(a => a.Slug).Distinct().Count());
        Assert.Equal(seen.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Select(a => a.Id), seen.Select(a => a.Id));
    }

    [Fact]
    public async Task Walking_by_cursor_while_new_articles_are_published_still_yields_each_item_once()
    {
        var tag = await PublishTaggedArticlesAsync(120, DateTime.UtcNow.AddHours(-1));
        var tagId = await app.Database.ScalarAsync<long>("select id from tags where slug = @tag", new { tag });

        var first = await PageAsync($"/v1/articles?tag={tag}&pageSize=50");
        for (var i = 0; i < 5; i++)
        {
            var id = await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("breaking"), publishedAt: DateTime.UtcNow.AddSeconds(-1));
            await app.Database.LinkAsync("article_tags", id, tagId);
        }

        var seen = first.Items.Select(a => a.Slug).ToList();
        for (var url = first.Links.Next; url is not null;)
        {
            var page = await PageAsync(url);
            seen.AddRange(page.Items.Select(a => a.Slug));
            url = page.Links.Next;
        }

        Assert.Equal(120, seen.Count);
        Assert.Equal(120, seen.Distinct().Count());
        Assert.All(seen, slug => Assert.StartsWith(tag, slug, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Prev_links_walk_back_to_the_first_page()
    {
        var tag = await PublishTaggedArticlesAsync(45, DateTime.UtcNow.AddHours(-1));
        var first = await PageAsync($"/v1/articles?tag={tag}&pageSize=20");
        var second = await PageAsync(first.Links.Next!);
        var third = await PageAsync(second.Links.Next!);

        var backToSecond = await PageAsync(third.Links.Prev!);
        var backToFirst = await PageAsync(backToSecond.Links.Prev!);

        Assert.Equal(5, third.Items.Count);
        Assert.Null(third.Links.Next);
        Assert.Null(third.Page.Number);
        Assert.Equal(second.Items.Select(a => a.Id), backToSecond.Items.Select(a => a.Id));
        Assert.Equal(first.Items.Select(a => a.Id), backToFirst.Items.Select(a => a.Id));
        Assert.Null(backToFirst.Links.Prev);
    }

    [Fact]
    public async Task Every_sort_can_be_walked_by_cursor_and_by_page_number()
    {
        // Published within a day no other test uses: the list of that day reads the articles
        // themselves, the tag's list reads the tag's links.
        var day = new DateTime(1700, 1, 1, 12, 0, 0, DateTimeKind.Utc).AddDays(Random.Shared.Next(100_000));
        var tag = await PublishTaggedArticlesAsync(30, day);

        foreach (var list in new[] { $"tag={tag}", $"publishedFrom={day:yyyy-MM-dd}&publishedTo={day:yyyy-MM-dd}" })
        {
            foreach (var sort in new[] { "-publishedAt", "publishedAt", "title" })
            {
                var byPage = (await PageAsync($"/v1/articles?{list}&sort={sort}&pageSize=100")).Items.Select(a => a.Id).ToList();
                var byCursor = new List<long>();
                for (var url = $"/v1/articles?{list}&sort={sort}&pageSize=7"; url is not null;)
                {
                    var page = await PageAsync(url);
                    byCursor.AddRange(page.Items.Select(a => a.Id));
                    url = page.Links.Next;
                }

                var byNumber = new List<long>();
                for (var number = 1; number <= 6; number++)
                {
                    var page = await PageAsync($"/v1/articles?{list}&sort={sort}&pageSize=7&page={number}");
                    Assert.Equal(30, page.Page.TotalItems);
                    byNumber.AddRange(page.Items.Select(a => a.Id));
                }

                Assert.Equal(30, byPage.Count);
                Assert.Equal(byPage, byCursor);
                Assert.Equal(byPage, byNumber);
            }
        }
    }

    [Fact]
    public async Task Page_number_paging_stops_at_the_limit_and_points_to_the_cursor()
    {
        var response = await client.GetAsync("/v1/articles?page=101&pageSize=100", Ct);

        var problem = await response.AssertValidationProblemAsync("page");
        Assert.Contains("cursor", problem.GetProperty("errors").GetProperty("page")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_truncated_foreign_or_garbage_cursor_is_a_400()
    {
        var tag = await PublishTaggedArticlesAsync(5, DateTime.UtcNow.AddHours(-1));
        var next = (await PageAsync($"/v1/articles?tag={tag}&pageSize=2")).Links.Next!;
        var cursor = Uri.UnescapeDataString(next.Split("cursor=")[1].Split('&')[0]);
        var tampered = cursor[..10] + (cursor[10] == 'A' ? 'B' : 'A') + cursor[11..];

        string[] bad =
        [
            $"/v1/articles?tag={tag}&pageSize=2&cursor={Uri.EscapeDataString(tampered)}",
            $"/v1/articles?tag={tag}&pageSize=2&cursor={Uri.EscapeDataString(cursor[..^3])}",
            $"/v1/articles?tag=other-{tag}&pageSize=2&cursor={Uri.EscapeDataString(cursor)}",
            $"/v1/articles?tag={tag}&sort=title&pageSize=2&cursor={Uri.EscapeDataString(cursor)}",
            $"/v1/articles?tag={tag}&cursor=%25%25not-base64",
            $"/v1/articles?tag={tag}&cursor={new string('A', 2000)}",
            $"/v1/people?cursor={Uri.EscapeDataString(cursor)}",
        ];

        foreach (var url in bad)
        {
            await (await client.GetAsync(url, Ct)).AssertValidationProblemAsync("cursor");
        }

        Assert.Equal(2, (await PageAsync(next)).Items.Count);
    }
}
