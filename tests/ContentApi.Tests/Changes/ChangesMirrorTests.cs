using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Articles;
using ContentApi.Changes;
using ContentApi.Comments;
using ContentApi.Reads;
using ContentApi.Tags;
using ContentApi.Tests.Articles;

namespace ContentApi.Tests.Changes;

/// <summary>
/// A mirror kept only through the feed equals the public API, after writers worked while it
/// read. Its own database: the comparison at the end needs no other test writing.
/// </summary>
public sealed class ChangesMirrorTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ContentApiFixture app = new();

    public ValueTask InitializeAsync() => app.InitializeAsync();

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task A_mirror_fed_by_the_changes_while_writers_work_equals_the_public_api_afterwards()
    {
        var editor = await EditorClient.CreateAsync(app);
        var reader = app.CreateClient();
        var feed = new ChangesFeedClient(reader);
        var mirror = new Dictionary<(string Type, long Id), ContentChange>();
        var writing = true;

        var writers = Task.Run(async () =>
        {
            try
            {
                await WriteAsync(editor, new Random(20261130));
            }
            finally
            {
                writing = false;
            }
        }, Ct);

        // The mirror follows the feed from its initial sync while the writers work, then drains
        // it (scheduled articles are released within a second of their time).
        string? token = null;
        while (writing)
        {
            token = Apply(mirror, await feed.ReadAllAsync(token, pageSize: 7));
        }

        await writers;
        await Task.Delay(2500, Ct);
        Apply(mirror, await feed.ReadAllAsync(token, pageSize: 7));

        var articles = await PublicArticlesAsync(reader);
        var mirroredArticles = mirror.Values.Where(c => c.Type == "article").ToDictionary(c => c.Id);
        Assert.Equal(articles.Select(a => a.Id).Order(), mirroredArticles.Keys.Order());
        foreach (var article in articles)
        {
            var response = await reader.GetAsync($"/v1/articles/{article.Slug}", Ct);
            Assert.Equal(article.Slug, mirroredArticles[article.Id].Slug);
            Assert.Equal(response.Headers.ETag!.ToString(), mirroredArticles[article.Id].Etag);
        }

        var tags = await (await reader.GetAsync("/v1/tags?pageSize=100", Ct)).ReadContractAsync<Paged<TagSummary>>();
        Assert.Equal(tags.Items.Select(t => (t.Id, t.Slug)).Order(), mirror.Values.Where(c => c.Type == "tag").Select(c => (c.Id, c.Slug!)).Order());

        // A comment is public while its article is: the mirror keeps comments by id and shows
        // those of the articles it has.
        var comments = new List<long>();
        foreach (var article in articles)
        {
            var page = await (await reader.GetAsync($"/v1/articles/{article.Slug}/comments?pageSize=100", Ct)).ReadContractAsync<Paged<PublicComment>>();
            comments.AddRange(page.Items.Select(c => c.Id));
        }

        var mirroredComments = mirror.Values
            .Where(c => c.Type == "comment" && c.Keys.Any(k => k.StartsWith("comments:", StringComparison.Ordinal) && mirroredArticles.ContainsKey(long.Parse(k["comments:".Length..], System.Globalization.CultureInfo.InvariantCulture))))
            .Select(c => c.Id);
        Assert.Equal(comments.Order(), mirroredComments.Order());
        Assert.NotEmpty(comments);
        Assert.True(articles.Count >= 5, $"the writers left {articles.Count} public articles: too few to compare");
    }

    private static string Apply(Dictionary<(string Type, long Id), ContentChange> mirror, (List<ContentChange> Changes, string Next, List<ChangesPage> Pages) read)
    {
        foreach (var change in read.Changes)
        {
            if (change.Deleted)
            {
                mirror.Remove((change.Type, change.Id));
            }
            else
            {
                mirror[(change.Type, change.Id)] = change;
            }
        }

        return read.Next;
    }

    // Creates, edits, schedules, withdraws, republishes and takes down articles, renames and
    // creates tags, approves and withdraws comments: 60 writes in a seeded order.
    private async Task WriteAsync(EditorClient editor, Random random)
    {
        var tags = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var tag = TestDatabase.UniqueSlug("mirror-tag");
            await app.Database.InsertEntityAsync("tags", tag, $"Tag {i}");
            tags.Add(tag);
        }

        var articles = new List<(string Slug, string ETag)>();
        for (var step = 0; step < 60; step++)
        {
            var action = articles.Count < 4 ? 0 : random.Next(7);
            if (action == 0)
            {
                var slug = TestDatabase.UniqueSlug("mirrored");
                var scheduled = random.Next(4) == 0;
                var etag = await editor.CreatedAsync(EditorClient.Article(slug, change: a =>
                {
                    a["tags"] = new JsonArray(tags[random.Next(tags.Count)]);
                    if (scheduled)
                    {
                        a["publishedAt"] = DateTime.UtcNow.AddSeconds(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
                    }
                }));
                articles.Add((slug, etag));
                continue;
            }

            if (action == 5)
            {
                var tag = tags[random.Next(tags.Count)];
                await app.Database.ExecuteAsync("update tags set name = @name where slug = @tag", new { tag, name = $"Renamed {step}" });
                continue;
            }

            var index = random.Next(articles.Count);
            var (target, version) = articles[index];
            if (action == 6)
            {
                var articleId = (await app.Database.QueryAsync<long>("select id from articles where slug = @target", new { target })).Single();
                await app.Database.ExecuteAsync(
                    "insert into comments (article_id, author_name, body, body_hash, status) values (@articleId, 'Reader', @body, '\\x00', 'approved')",
                    new { articleId, body = $"Comment {step}" });
                await app.Database.ExecuteAsync(
                    "update comments set status = 'spam' where id = (select min(id) from comments where article_id = @articleId and status = 'approved') and @withdraw",
                    new { articleId, withdraw = random.Next(3) == 0 });
                continue;
            }

            var response = action switch
            {
                1 => await editor.PatchAsync(target, new JsonObject { ["title"] = $"Edited {step}" }, version),
                2 => await editor.PatchAsync(target, new JsonObject { ["status"] = "archived" }, version),
                3 => await editor.PatchAsync(target, new JsonObject { ["status"] = "published" }, version),
                _ => await editor.SendAsync(HttpMethod.Delete, $"/v1/articles/{target}", ifMatch: version),
            };
            Assert.True(response.IsSuccessStatusCode, $"step {step}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                articles.RemoveAt(index);
            }
            else
            {
                articles[index] = (target, response.Headers.ETag!.ToString());
            }
        }
    }

    private static async Task<List<ArticleSummary>> PublicArticlesAsync(HttpClient reader)
    {
        var articles = new List<ArticleSummary>();
        string? next = "/v1/articles?pageSize=100";
        while (next is not null)
        {
            var page = await (await reader.GetAsync(next, Ct)).ReadContractAsync<Paged<ArticleSummary>>();
            articles.AddRange(page.Items);
            next = page.Links.Next;
        }

        return articles;
    }
}
