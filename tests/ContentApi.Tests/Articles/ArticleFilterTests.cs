using System.Globalization;
using System.Net;
using ContentApi.Articles;
using ContentApi.Reads;

namespace ContentApi.Tests.Articles;

public sealed class ArticleFilterTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Three articles linked to fresh entities, so that every filter has a known answer.</summary>
    private sealed record World(string Tag, string Person, string Organisation, string Event, string Place, string A1, string A2, string A3);

    private async Task<World> CreateWorldAsync()
    {
        var db = app.Database;
        var w = new World(
            TestDatabase.UniqueSlug("tag"), TestDatabase.UniqueSlug("person"), TestDatabase.UniqueSlug("org"),
            TestDatabase.UniqueSlug("event"), TestDatabase.UniqueSlug("place"),
            TestDatabase.UniqueSlug("a1"), TestDatabase.UniqueSlug("a2"), TestDatabase.UniqueSlug("a3"));
        var tag = await db.InsertEntityAsync("tags", w.Tag, "Filter tag");
        var person = await db.InsertEntityAsync("people", w.Person, "Filter Person");
        var organisation = await db.InsertEntityAsync("organisations", w.Organisation, "Filter Organisation");
        var place = await db.InsertEntityAsync("places", w.Place, "Filter Place");
        var @event = await db.InsertEventAsync(w.Event, "Filter Event", new DateOnly(2001, 3, 10), new DateOnly(2001, 3, 12));
        var a1 = await db.InsertArticleAsync(w.A1, publishedAt: new DateTime(2001, 1, 5, 12, 0, 0, DateTimeKind.Utc), title: "Alpha report");
        var a2 = await db.InsertArticleAsync(w.A2, publishedAt: new DateTime(2001, 1, 10, 12, 0, 0, DateTimeKind.Utc), title: "Charlie report", language: "fr");
        var a3 = await db.InsertArticleAsync(w.A3, publishedAt: new DateTime(2001, 1, 15, 12, 0, 0, DateTimeKind.Utc), title: "Bravo report");
        await db.LinkAsync("article_tags", a1, tag);
        await db.LinkAsync("article_tags", a2, tag);
        await db.LinkAsync("article_tags", a3, tag);
        await db.LinkAsync("article_people", a1, person, "quoted");
        await db.LinkAsync("article_organisations", a2, organisation, "subject");
        await db.LinkAsync("article_organisations", a3, organisation, "mentioned");
        await db.LinkAsync("article_events", a2, @event);
        await db.LinkAsync("article_places", a2, place);
        return w;
    }

    private async Task<List<string>> SlugsAsync(string url)
    {
        var page = await (await client.GetAsync(url, Ct)).ReadContractAsync<Paged<ArticleSummary>>();
        return page.Items.Select(a => a.Slug).ToList();
    }

    // Every page from url on by the next links: their slugs in order, each page giving the same total.
    private async Task<List<string>> SlugsByNextLinksAsync(string url, int total)
    {
        var slugs = new List<string>();
        for (var next = url; next is not null;)
        {
            var page = await (await client.GetAsync(next, Ct)).ReadContractAsync<Paged<ArticleSummary>>();
            Assert.Equal(total, page.Page.TotalItems);
            slugs.AddRange(page.Items.Select(a => a.Slug));
            next = page.Links.Next;
        }

        return slugs;
    }

    [Fact]
    public async Task Each_metadata_filter_alone_returns_exactly_the_linked_articles_newest_first()
    {
        var w = await CreateWorldAsync();

        Assert.Equal([w.A3, w.A2, w.A1], await SlugsAsync($"/v1/articles?tag={w.Tag}"));
        Assert.Equal([w.A1], await SlugsAsync($"/v1/articles?person={w.Person}"));
        Assert.Equal([w.A3, w.A2], await SlugsAsync($"/v1/articles?organisation={w.Organisation}"));
        Assert.Equal([w.A2], await SlugsAsync($"/v1/articles?event={w.Event}"));
        Assert.Equal([w.A2], await SlugsAsync($"/v1/articles?place={w.Place}"));
    }

    [Fact]
    public async Task A_filtered_list_s_total_is_the_same_on_every_page_by_cursor_and_by_offset()
    {
        var w = await CreateWorldAsync();

        // pageSize=1: three pages of one, by cursor.
        var pages = new List<PageInfo>();
        for (var url = $"/v1/articles?tag={w.Tag}&pageSize=1"; url is not null;)
        {
            var page = await (await client.GetAsync(url, Ct)).ReadContractAsync<Paged<ArticleSummary>>();
            pages.Add(page.Page);
            url = page.Links.Next;
        }

        var byOffset = await (await client.GetAsync($"/v1/articles?organisation={w.Organisation}&pageSize=1&page=2", Ct)).ReadContractAsync<Paged<ArticleSummary>>();
        var firstOfTwo = await (await client.GetAsync($"/v1/articles?organisation={w.Organisation}&pageSize=1", Ct)).ReadContractAsync<Paged<ArticleSummary>>();

        Assert.Equal([(3L, 3), (3L, 3), (3L, 3)], pages.Select(p => (p.TotalItems, p.TotalPages)));
        Assert.Equal((2L, 2, w.A2), (byOffset.Page.TotalItems, byOffset.Page.TotalPages, byOffset.Items.Single().Slug));
        Assert.Equal((2L, w.A3), (firstOfTwo.Page.TotalItems, firstOfTwo.Items.Single().Slug));
    }

    [Fact]
    public async Task A_filtered_list_and_its_total_follow_each_article_s_publication_state()
    {
        // The lists by a link read the publication time each link keeps (migration 0022):
        // unpublishing, rescheduling, archiving and publishing again must reach them.
        var w = await CreateWorldAsync();
        var db = app.Database;
        async Task<string> ListAsync(string query)
        {
            var page = await (await client.GetAsync($"/v1/articles?{query}", Ct)).ReadContractAsync<Paged<ArticleSummary>>();
            return $"{page.Page.TotalItems}: {string.Join(' ', page.Items.Select(a => a.Slug))}";
        }

        await db.ExecuteAsync("update articles set status = 'draft' where slug = @slug", new { slug = w.A1 });
        var withoutDraft = await ListAsync($"tag={w.Tag}");
        // Far ahead: a scheduled time sooner than any other empties the other tests' in-memory
        // caches (HotReadCacheTests share this database and count on a kept validator).
        await db.ExecuteAsync("update articles set published_at = '2999-01-01Z' where slug = @slug", new { slug = w.A2 });
        var withoutScheduled = await ListAsync($"tag={w.Tag}");
        var organisationWithoutScheduled = await ListAsync($"organisation={w.Organisation}&sort=publishedAt");
        await db.ExecuteAsync("update articles set status = 'published' where slug = @slug", new { slug = w.A1 });
        await db.ExecuteAsync("update articles set status = 'archived' where slug = @slug", new { slug = w.A3 });
        var afterRepublishAndArchive = await ListAsync($"tag={w.Tag}&sort=publishedAt");
        var personAgain = await ListAsync($"person={w.Person}");

        Assert.Equal($"2: {w.A3} {w.A2}", withoutDraft);
        Assert.Equal($"1: {w.A3}", withoutScheduled);
        Assert.Equal($"1: {w.A3}", organisationWithoutScheduled);
        Assert.Equal($"1: {w.A1}", afterRepublishAndArchive);
        Assert.Equal($"1: {w.A1}", personAgain);
    }

    [Fact]
    public async Task Every_link_keeps_exactly_its_article_s_publication_time_while_it_is_published()
    {
        await CreateWorldAsync();
        var tables = new[] { "article_people", "article_organisations", "article_events", "article_places", "article_tags", "article_authors" };

        foreach (var table in tables)
        {
            var (links, wrong) = (await app.Database.QueryAsync<(long, long)>($"""
                select count(*), count(*) filter (where l.published_at is distinct from case when a.status = 'published' then a.published_at end)
                from {table} l join articles a on a.id = l.article_id
                """)).Single();
            Assert.True(links > 0 || table == "article_authors", $"{table} has no links to check");
            Assert.True(wrong == 0, $"{table}: {wrong} of {links} links disagree with their article");
        }
    }

    [Fact]
    public async Task Filters_combine_as_an_intersection()
    {
        var w = await CreateWorldAsync();

        Assert.Equal([w.A3], await SlugsAsync($"/v1/articles?tag={w.Tag}&organisation={w.Organisation}&publishedFrom=2001-01-11"));
        Assert.Equal([w.A2], await SlugsAsync($"/v1/articles?tag={w.Tag}&language=fr"));
        Assert.Empty(await SlugsAsync($"/v1/articles?person={w.Person}&event={w.Event}"));
    }

    [Fact]
    public async Task Unknown_filter_slug_gives_an_empty_list_not_an_error()
    {
        var response = await client.GetAsync("/v1/articles?tag=no-such-tag-anywhere", Ct);

        var page = await response.ReadContractAsync<Paged<ArticleSummary>>();
        Assert.Empty(page.Items);
        Assert.Equal(0, page.Page.TotalItems);
    }

    [Fact]
    public async Task Published_date_range_includes_both_boundary_days()
    {
        var w = await CreateWorldAsync();

        Assert.Equal([w.A2, w.A1], await SlugsAsync($"/v1/articles?tag={w.Tag}&publishedFrom=2001-01-05&publishedTo=2001-01-10"));
        Assert.Equal([w.A3], await SlugsAsync($"/v1/articles?tag={w.Tag}&publishedFrom=2001-01-15"));
        Assert.Equal([w.A1], await SlugsAsync($"/v1/articles?tag={w.Tag}&publishedTo=2001-01-05"));
    }

    [Fact]
    public async Task Event_date_range_keeps_articles_about_overlapping_events()
    {
        var w = await CreateWorldAsync();

        Assert.Equal([w.A2], await SlugsAsync($"/v1/articles?tag={w.Tag}&eventFrom=2001-03-12&eventTo=2001-04-01"));
        Assert.Equal([w.A2], await SlugsAsync($"/v1/articles?tag={w.Tag}&eventTo=2001-03-10"));
        Assert.Empty(await SlugsAsync($"/v1/articles?tag={w.Tag}&eventFrom=2001-03-13"));
    }

    [Fact]
    public async Task An_event_date_range_alone_lists_the_visible_articles_of_the_events_it_overlaps_on_every_page()
    {
        // Days of its own, after any other test's events (those of ListStatementPlanTests end
        // before 8000); the list reads the links of the events in range
        // (ArticleQueries.EventLinksInRange), not the articles.
        var db = app.Database;
        var start = new DateOnly(9000 + Random.Shared.Next(900), 1, 1);
        var early = await db.InsertEventAsync(TestDatabase.UniqueSlug("early"), "Early", start, start.AddDays(2));
        var late = await db.InsertEventAsync(TestDatabase.UniqueSlug("late"), "Late", start.AddDays(10), start.AddDays(12));
        var ongoing = await db.InsertEventAsync(TestDatabase.UniqueSlug("ongoing"), "Ongoing", start.AddDays(20), start.AddDays(40));
        List<(string Slug, long Event)> published = [];
        foreach (var (about, hoursAgo) in new[] { (early, 10), (late, 9), (ongoing, 8), (early, 7), (late, 6) })
        {
            var slug = TestDatabase.UniqueSlug("about");
            await db.LinkAsync("article_events", await db.InsertArticleAsync(slug, publishedAt: DateTime.UtcNow.AddHours(-hoursAgo)), about);
            published.Add((slug, about));
        }

        // A draft and an article scheduled for tomorrow, about the early event, are not listed.
        await db.LinkAsync("article_events", await db.InsertArticleAsync(TestDatabase.UniqueSlug("draft"), status: "draft"), early);
        await db.LinkAsync("article_events", await db.InsertArticleAsync(TestDatabase.UniqueSlug("scheduled"), publishedAt: DateTime.UtcNow.AddDays(1)), early);
        List<string> NewestFirstAbout(params long[] events) => published.Where(p => events.Contains(p.Event)).Select(p => p.Slug).Reverse().ToList();
        string Day(int days) => start.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        // Both ends of the range are included: the early event ends on its first day, the late one starts on its last.
        Assert.Equal(NewestFirstAbout(early, late), await SlugsAsync($"/v1/articles?eventFrom={Day(2)}&eventTo={Day(10)}"));
        Assert.Empty(await SlugsAsync($"/v1/articles?eventFrom={Day(13)}&eventTo={Day(19)}"));
        Assert.Equal(NewestFirstAbout(ongoing), await SlugsAsync($"/v1/articles?eventFrom={Day(30)}"));
        var all = NewestFirstAbout(early, late, ongoing);
        var range = $"eventFrom={Day(0)}&eventTo={Day(40)}";
        Assert.Equal(Enumerable.Reverse(all), await SlugsAsync($"/v1/articles?{range}&sort=publishedAt"));
        Assert.Equal(all[2..4], await SlugsAsync($"/v1/articles?{range}&pageSize=2&page=2"));

        // Two at a time by the pages' next links: each article once, in order, the same total on each page.
        Assert.Equal(all, await SlugsByNextLinksAsync($"/v1/articles?{range}&pageSize=2", all.Count));
    }

    [Theory]
    [InlineData("-publishedAt", new[] { 3, 2, 1 })]
    [InlineData("publishedAt", new[] { 1, 2, 3 })]
    [InlineData("title", new[] { 1, 3, 2 })]
    public async Task Each_sort_orders_the_list(string sort, int[] expected)
    {
        var w = await CreateWorldAsync();
        string[] articles = [w.A1, w.A2, w.A3];

        var slugs = await SlugsAsync($"/v1/articles?tag={w.Tag}&sort={sort}");

        Assert.Equal(expected.Select(i => articles[i - 1]), slugs);
    }

    [Fact]
    public async Task A_list_by_title_within_a_publication_range_shows_that_range_in_title_order()
    {
        // A day of its own, long before every other test's articles: the list walks the title
        // index past all of them (migration 0046).
        var db = app.Database;
        var day = new DateTime(1901, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(Random.Shared.Next(20_000));
        var titles = new[] { "Delta", "alpha", "Charlie", "Bravo", "echo" };
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var slugs = new List<string>();
        for (var i = 0; i < titles.Length; i++)
        {
            slugs.Add(TestDatabase.UniqueSlug("titled"));
            await db.InsertArticleAsync(slugs[i], title: $"{prefix} {titles[i]}", publishedAt: day.AddHours(i));
        }

        // Outside the range by a minute, on either side.
        await db.InsertArticleAsync(TestDatabase.UniqueSlug("titled"), title: $"{prefix} Aardvark", publishedAt: day.AddMinutes(-1));
        await db.InsertArticleAsync(TestDatabase.UniqueSlug("titled"), title: $"{prefix} Able", publishedAt: day.AddDays(1));
        var range = $"publishedFrom={day:yyyy-MM-dd}&publishedTo={day:yyyy-MM-dd}&sort=title";

        // Two at a time by the pages' next links, then a page by number.
        var byLinks = await SlugsByNextLinksAsync($"/v1/articles?{range}&pageSize=2", titles.Length);

        // In the database's collation, as every list by title.
        var inTitleOrder = await db.QueryAsync<string>("select slug from articles where slug = any (@slugs) order by title, id", new { slugs });
        Assert.Equal(inTitleOrder, byLinks);
        Assert.Equal(inTitleOrder.Skip(2).Take(2), await SlugsAsync($"/v1/articles?{range}&pageSize=2&page=2"));
    }

    [Fact]
    public async Task A_list_beside_a_tag_within_a_publication_range_shows_that_range_in_every_status()
    {
        // The range is read on the tag's links too for published and scheduled articles (their
        // links keep the publication time), not for archived ones, whose links do not.
        var db = app.Database;
        var editor = await EditorClient.CreateAsync(app);
        var tagSlug = TestDatabase.UniqueSlug("tag");
        var tag = await db.InsertEntityAsync("tags", tagSlug, "Range tag");
        var day = new DateTime(1901, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(Random.Shared.Next(20_000));
        var future = DateTime.UtcNow.AddYears(50).Date;
        async Task<string> ArticleAsync(string status, DateTime publishedAt, string title)
        {
            var slug = TestDatabase.UniqueSlug("ranged");
            await db.LinkAsync("article_tags", await db.InsertArticleAsync(slug, status, publishedAt, title), tag);
            return slug;
        }

        var early = await ArticleAsync("published", day.AddHours(1), "Bravo");
        var late = await ArticleAsync("published", day.AddHours(2), "Alpha");
        await ArticleAsync("published", day.AddMinutes(-1), "Before");
        await ArticleAsync("published", day.AddDays(1), "After");
        var archived = await ArticleAsync("archived", day.AddHours(3), "Archived");
        var scheduled = await ArticleAsync("published", future.AddHours(1), "Scheduled");
        var range = $"tag={tagSlug}&publishedFrom={day:yyyy-MM-dd}&publishedTo={day:yyyy-MM-dd}";

        Assert.Equal([late, early], await SlugsByNextLinksAsync($"/v1/articles?{range}&pageSize=1", 2));
        Assert.Equal([early, late], await SlugsByNextLinksAsync($"/v1/articles?{range}&sort=publishedAt&pageSize=1", 2));
        Assert.Equal([late, early], await SlugsByNextLinksAsync($"/v1/articles?{range}&sort=title&pageSize=1", 2));

        async Task<List<string>> EditorsAsync(string url) =>
            (await (await editor.Http.GetAsync(url, Ct)).ReadContractAsync<Paged<ArticleSummary>>()).Items.Select(a => a.Slug).ToList();
        Assert.Equal([late, early], await EditorsAsync($"/v1/articles?status=published&{range}"));
        Assert.Equal([archived], await EditorsAsync($"/v1/articles?status=archived&{range}"));
        Assert.Equal([scheduled], await EditorsAsync($"/v1/articles?status=scheduled&tag={tagSlug}&publishedFrom={future:yyyy-MM-dd}&publishedTo={future:yyyy-MM-dd}"));
        Assert.Empty(await EditorsAsync($"/v1/articles?status=scheduled&{range}"));
    }

    [Fact]
    public async Task Relevance_sort_puts_a_title_match_above_a_body_match()
    {
        var word = $"zq{Guid.NewGuid():N}"[..12];
        var inBody = TestDatabase.UniqueSlug("in-body");
        var inTitle = TestDatabase.UniqueSlug("in-title");
        await app.Database.InsertArticleAsync(inBody, title: "Plain headline", body: $"The text mentions {word} once.", publishedAt: DateTime.UtcNow.AddMinutes(-1));
        await app.Database.InsertArticleAsync(inTitle, title: $"Headline about {word}", body: "Nothing here.", publishedAt: DateTime.UtcNow.AddMinutes(-2));

        var byRelevance = await SlugsAsync($"/v1/articles?q={word}&sort=relevance");
        var byDate = await SlugsAsync($"/v1/articles?q={word}");

        Assert.Equal([inTitle, inBody], byRelevance);
        Assert.Equal([inBody, inTitle], byDate);
    }

    [Theory]
    [InlineData("tag=Bad_Slug", "tag")]
    [InlineData("person=double--hyphen", "person")]
    [InlineData("organisation=UPPER", "organisation")]
    [InlineData("event=-leading", "event")]
    [InlineData("place=sp%20ace", "place")]
    [InlineData("publishedFrom=2025-13-01", "publishedFrom")]
    [InlineData("publishedTo=yesterday", "publishedTo")]
    [InlineData("eventFrom=2025-02-30", "eventFrom")]
    [InlineData("eventTo=soon", "eventTo")]
    [InlineData("publishedFrom=2025-02-01&publishedTo=2025-01-01", "publishedTo")]
    [InlineData("eventFrom=2025-02-01&eventTo=2025-01-01", "eventTo")]
    [InlineData("language=english", "language")]
    [InlineData("q=", "q")]
    [InlineData("q=%20%20", "q")]
    [InlineData("q=a%00b", "q")]
    [InlineData("sort=bogus", "sort")]
    [InlineData("sort=relevance", "sort")]
    [InlineData("page=2&cursor=abc", "cursor")]
    public async Task Malformed_filter_or_sort_is_a_400_naming_the_parameter(string query, string parameter)
    {
        var response = await client.GetAsync($"/v1/articles?{query}", Ct);

        await response.AssertValidationProblemAsync(parameter);
    }

    [Fact]
    public async Task Unknown_sort_lists_the_allowed_values()
    {
        var response = await client.GetAsync("/v1/articles?sort=newest", Ct);

        var problem = await response.AssertValidationProblemAsync("sort");
        var message = problem.GetProperty("errors").GetProperty("sort")[0].GetString();
        Assert.All(ArticleSorts.All, value => Assert.Contains(value, message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Over_long_full_text_query_is_rejected()
    {
        var response = await client.GetAsync($"/v1/articles?q={new string('a', 201)}", Ct);

        await response.AssertValidationProblemAsync("q");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/articles?q={new string('a', 200)}", Ct)).StatusCode);
    }
}
