using System.Net.Http.Headers;
using ContentApi.Articles;
using ContentApi.Comments;
using ContentApi.Events;
using ContentApi.Infrastructure.Security;
using ContentApi.Reads;
using ContentApi.Search;

namespace ContentApi.Tests.Reads;

/// <summary>
/// Every list with a cursor, walked by it in small pages, and then by page number, gives the
/// items of one large page, each once and in the same order (ties included): events, an
/// article's comments, the moderation queue, each kind's linked-article list in both orders,
/// and relevance-sorted full-text lists. Each test lists only data it made.
/// </summary>
public sealed class ListCursorTests(ContentApiFixture app)
{
    private const int Count = 9;
    private const int SmallPage = 4;
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Walks <paramref name="url"/> (without paging parameters) by cursor, then by page number, and checks both against one page of 100.</summary>
    private static async Task<IReadOnlyList<TKey>> AssertCursorWalkMatchesOnePageAsync<T, TKey>(HttpClient http, string url, Func<T, TKey> key)
    {
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var whole = await (await http.GetAsync($"{url}{separator}pageSize=100", Ct)).ReadContractAsync<Paged<T>>();

        var walked = new List<TKey>();
        var pages = 0;
        for (string? next = $"{url}{separator}pageSize={SmallPage}"; next is not null; pages++)
        {
            var page = await (await http.GetAsync(next, Ct)).ReadContractAsync<Paged<T>>();
            Assert.True(page.Items.Count <= SmallPage, $"{next} answered {page.Items.Count} items");
            walked.AddRange(page.Items.Select(key));
            next = page.Links.Next;
            Assert.True(pages < 10, $"{url}: the cursor walk does not end");
        }

        Assert.Equal(Count, whole.Items.Count);
        Assert.Equal(whole.Items.Select(key), walked);
        Assert.Equal((Count + SmallPage - 1) / SmallPage, pages);

        // Page numbers find each page's first item by its keys where an index gives the order
        // (PublicReads): the same items, and the page past the last one is empty.
        var numbered = new List<TKey>();
        for (var number = 1; number <= pages + 1; number++)
        {
            var page = await (await http.GetAsync($"{url}{separator}pageSize={SmallPage}&page={number}", Ct)).ReadContractAsync<Paged<T>>();
            Assert.Equal(Count, page.Page.TotalItems);
            Assert.Equal(number > pages, page.Items.Count == 0);
            numbered.AddRange(page.Items.Select(key));
        }

        Assert.Equal(walked, numbered);
        return walked;
    }

    /// <summary>Articles published a minute apart, pairs sharing a time (the id breaks the tie).</summary>
    private async Task<long[]> PublishArticlesAsync(string prefix, Func<int, string>? body = null)
    {
        var ids = new long[Count];
        for (var n = 0; n < Count; n++)
        {
            ids[n] = await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug(prefix), publishedAt: DateTime.UtcNow.AddHours(-1).AddMinutes(-(n / 2)), body: body?.Invoke(n));
        }

        return ids;
    }

    [Fact]
    public async Task Events_walk_by_cursor_in_date_order()
    {
        // A window of dates no other test uses: a year centuries ahead.
        var year = 2300 + Random.Shared.Next(600);
        for (var n = 0; n < Count; n++)
        {
            var start = new DateOnly(year, 3, 1).AddDays(n / 3);
            await app.Database.InsertEventAsync(TestDatabase.UniqueSlug("walk-event"), $"Event {n}", start, start.AddDays(n % 3));
        }

        await AssertCursorWalkMatchesOnePageAsync<EventSummary, long>(client, $"/v1/events?from={year}-01-01&to={year}-12-31", e => e.Id);
    }

    [Fact]
    public async Task An_article_s_comments_walk_by_cursor_and_so_does_the_moderation_queue()
    {
        var slug = TestDatabase.UniqueSlug("walk-comments");
        var article = await app.Database.InsertArticleAsync(slug);
        await app.Database.ExecuteAsync(
            """
            insert into comments (article_id, author_name, body, body_hash, status)
            select @article, 'Reader ' || n, 'Comment ' || n, '\x00', s.status
            from generate_series(1, @Count) n, (values ('approved'), ('pending')) s (status)
            """, new { article, Count });
        var moderator = app.CreateClient();
        moderator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateApiKeyAsync(Scopes.CommentsModerate));

        var approved = await AssertCursorWalkMatchesOnePageAsync<PublicComment, long>(client, $"/v1/articles/{slug}/comments", c => c.Id);
        var pending = await AssertCursorWalkMatchesOnePageAsync<ModeratorComment, long>(moderator, $"/v1/comments?status=pending&article={slug}", c => c.Id);

        Assert.Empty(approved.Intersect(pending));
    }

    [Fact]
    public async Task Items_of_characters_many_bytes_long_come_whole_on_every_page()
    {
        // A page's items come from PostgreSQL as one value, cut apart by their lengths in bytes:
        // comments of two-, three- and four-byte characters, each of a different length.
        var slug = TestDatabase.UniqueSlug("walk-bytes");
        var article = await app.Database.InsertArticleAsync(slug);
        var bodies = Enumerable.Range(0, Count)
            .Select(n => string.Concat(Enumerable.Repeat((n % 3) switch { 0 => "Ελληνικά ", 1 => "日本語の本文 ", _ => "🎉 ünïcödé " }, n + 1)).TrimEnd())
            .ToArray();
        await app.Database.ExecuteAsync(
            """
            insert into comments (article_id, author_name, body, body_hash, status)
            select @article, 'Reader', b.body, '\x00', 'approved' from unnest(@bodies) b (body)
            """, new { article, bodies });

        var walked = await AssertCursorWalkMatchesOnePageAsync<PublicComment, string>(client, $"/v1/articles/{slug}/comments", c => c.Body);

        Assert.Equal(bodies.Order(StringComparer.Ordinal), walked.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("people", "article_people", "person_id")]
    [InlineData("organisations", "article_organisations", "organisation_id")]
    [InlineData("events", "article_events", "event_id")]
    [InlineData("places", "article_places", "place_id")]
    [InlineData("tags", "article_tags", "tag_id")]
    [InlineData("authors", "article_authors", "author_id")]
    public async Task Each_kind_s_article_list_walks_by_cursor_in_both_orders(string kind, string linkTable, string column)
    {
        var slug = TestDatabase.UniqueSlug("walk-" + kind[..3]);
        var entity = kind == "events"
            ? await app.Database.InsertEventAsync(slug, "Walked", new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 2))
            : await app.Database.InsertEntityAsync(kind, slug, "Walked");
        var articles = await PublishArticlesAsync("walk-linked");
        await app.Database.ExecuteAsync($"insert into {linkTable} (article_id, {column}) select unnest(@articles), @entity", new { articles, entity });

        foreach (var sort in new[] { ArticleSorts.Newest, ArticleSorts.Oldest })
        {
            var walked = await AssertCursorWalkMatchesOnePageAsync<ArticleSummary, long>(client, $"/v1/{kind}/{slug}/articles?sort={sort}", a => a.Id);
            Assert.Equal(articles.Order(), walked.Order());
        }
    }

    private async Task<IReadOnlyList<long>> SlugsToIdsAsync(IReadOnlyList<string> slugs) =>
        (await app.Database.QueryAsync<long>("select a.id from unnest(@slugs::text[]) with ordinality s (slug, n) join articles a using (slug) order by s.n", new { slugs = slugs.ToArray() })).ToList();

    [Fact]
    public async Task Relevance_sorted_lists_and_search_walk_by_cursor_with_ties()
    {
        var word = "walkrank" + Guid.NewGuid().ToString("N")[..10];
        // Three articles each mention the word once, twice and three times: ranks tie in threes.
        var articles = await PublishArticlesAsync("walk-relevance", n => string.Join(' ', Enumerable.Repeat(word, 1 + n % 3)) + " and other words");

        var listed = await AssertCursorWalkMatchesOnePageAsync<ArticleSummary, long>(client, $"/v1/articles?q={word}&sort={ArticleSorts.Relevance}", a => a.Id);
        var hits = await AssertCursorWalkMatchesOnePageAsync<SearchHit, string>(client, $"/v1/search?q={word}&types=articles", h => h.Slug);

        Assert.Equal(articles.Order(), listed.Order());
        Assert.Equal(listed, await SlugsToIdsAsync(hits));
        // The most mentions rank first.
        Assert.Equal(articles.Where((_, n) => n % 3 == 2).Order(), listed.Take(3).Order());
    }
}
