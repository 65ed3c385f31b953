using System.Net;
using System.Xml.Linq;

namespace ContentApi.Tests.Feeds;

public sealed class FeedsApiTests(ContentApiFixture app)
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace News = "http://www.google.com/schemas/sitemap-news/0.9";
    private static readonly XNamespace Sitemap = "http://www.sitemaps.org/schemas/sitemap/0.9";
    private static readonly XNamespace DublinCore = "http://purl.org/dc/elements/1.1/";
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(string Tag, string Newer, string Older)> TaggedArticlesAsync()
    {
        var tag = TestDatabase.UniqueSlug("feed-tag");
        var tagId = await app.Database.InsertEntityAsync("tags", tag, "Feed tag");
        var older = TestDatabase.UniqueSlug("feed-older");
        var newer = TestDatabase.UniqueSlug("feed-newer");
        var author = await app.Database.InsertEntityAsync("authors", TestDatabase.UniqueSlug("feed-author"), "Jane Doe");
        foreach (var (slug, minutes) in new[] { (older, 30), (newer, 5) })
        {
            var id = await app.Database.InsertArticleAsync(slug, publishedAt: DateTime.UtcNow.AddMinutes(-minutes), title: $"Title of {slug}");
            await app.Database.LinkAsync("article_tags", id, tagId);
            await app.Database.ExecuteAsync("insert into article_authors (article_id, author_id) values (@id, @author)", new { id, author });
        }

        return (tag, newer, older);
    }

    [Fact]
    public async Task The_rss_feed_of_a_tag_lists_its_articles_newest_first()
    {
        var (tag, newer, older) = await TaggedArticlesAsync();

        var response = await client.GetAsync($"/v1/feeds/articles.rss?tag={tag}", Ct);

        Assert.Equal("application/rss+xml", response.Content.Headers.ContentType?.MediaType);
        var rss = XDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("2.0", rss.Root!.Attribute("version")?.Value);
        var items = rss.Root.Element("channel")!.Elements("item").ToList();
        Assert.Equal([$"Title of {newer}", $"Title of {older}"], items.Select(i => i.Element("title")!.Value));
        Assert.EndsWith($"/v1/articles/{newer}", items[0].Element("link")!.Value, StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(items[0].Element("pubDate")!.Value, System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal("Jane Doe", items[0].Element(DublinCore + "creator")!.Value);
    }

    [Fact]
    public async Task The_atom_feed_holds_the_same_articles_with_ids_dates_and_authors()
    {
        var (tag, newer, older) = await TaggedArticlesAsync();

        var response = await client.GetAsync($"/v1/feeds/articles.atom?tag={tag}", Ct);

        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        var feed = XDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).Root!;
        Assert.Equal(Atom + "feed", feed.Name);
        var entries = feed.Elements(Atom + "entry").ToList();
        Assert.Equal([$"Title of {newer}", $"Title of {older}"], entries.Select(e => e.Element(Atom + "title")!.Value));
        Assert.All(entries, e => Assert.NotNull(e.Element(Atom + "id")));
        Assert.All(entries, e => Assert.Equal("Jane Doe", e.Element(Atom + "author")!.Element(Atom + "name")!.Value));
        Assert.NotNull(feed.Element(Atom + "updated"));
    }

    [Fact]
    public async Task The_news_sitemap_lists_the_last_two_days_with_publication_and_title()
    {
        var (_, newer, _) = await TaggedArticlesAsync();
        var old = TestDatabase.UniqueSlug("feed-three-days-old");
        await app.Database.InsertArticleAsync(old, publishedAt: DateTime.UtcNow.AddDays(-3));

        var response = await client.GetAsync("/v1/sitemaps/news.xml", Ct);

        var urls = XDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).Root!.Elements(Sitemap + "url").ToList();
        var entry = urls.Single(u => u.Element(Sitemap + "loc")!.Value.EndsWith($"/v1/articles/{newer}", StringComparison.Ordinal));
        var news = entry.Element(News + "news")!;
        Assert.Equal("ContentApi", news.Element(News + "publication")!.Element(News + "name")!.Value);
        Assert.Equal("en", news.Element(News + "publication")!.Element(News + "language")!.Value);
        Assert.Equal($"Title of {newer}", news.Element(News + "title")!.Value);
        Assert.NotNull(news.Element(News + "publication_date"));
        Assert.DoesNotContain(urls, u => u.Element(Sitemap + "loc")!.Value.EndsWith(old, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_feed_of_a_tag_no_entity_has_holds_no_articles()
    {
        await TaggedArticlesAsync();

        var response = await client.GetAsync($"/v1/feeds/articles.rss?tag={TestDatabase.UniqueSlug("no-such-tag")}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var channel = XDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).Root!.Element("channel")!;
        Assert.NotNull(channel.Element("title"));
        Assert.Empty(channel.Elements("item"));
    }

    [Fact]
    public async Task A_bad_filter_is_a_400_naming_it()
    {
        var response = await client.GetAsync("/v1/feeds/articles.rss?tag=Not%20A%20Slug", Ct);

        await response.AssertValidationProblemAsync("tag");
    }
}
