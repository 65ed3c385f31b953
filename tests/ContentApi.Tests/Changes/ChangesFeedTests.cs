using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Changes;
using ContentApi.Tests.Articles;
using Npgsql;

namespace ContentApi.Tests.Changes;

public sealed class ChangesFeedTests(ContentApiFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly HttpClient reader = app.CreateClient();

    private ChangesFeedClient Feed => new(reader);

    private static List<ContentChange> Of(IEnumerable<ContentChange> changes, string type, long id) =>
        changes.Where(c => c.Type == type && c.Id == id).ToList();

    [Fact]
    public async Task The_initial_sync_pages_every_public_resource_once_and_hides_drafts_and_unapproved_comments()
    {
        var published = await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("synced"));
        var draft = await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("unsynced"), status: "draft");
        var scheduled = await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("later"), publishedAt: DateTime.UtcNow.AddDays(1));
        var tag = await app.Database.InsertEntityAsync("tags", TestDatabase.UniqueSlug("synced-tag"), "Synced");
        var approved = await app.Database.ScalarAsync<long>(
            "insert into comments (article_id, author_name, body, body_hash, status) values (@published, 'A', 'Fine.', '\\x00', 'approved') returning id", new { published });
        var pending = await app.Database.ScalarAsync<long>(
            "insert into comments (article_id, author_name, body, body_hash) values (@published, 'B', 'Wait.', '\\x00') returning id", new { published });

        var (changes, _, pages) = await Feed.ReadAllAsync(null, pageSize: 50);

        var sync = pages.TakeWhile(p => p.Phase == "sync").SelectMany(p => p.Items).ToList();
        // Within a phase every page but the last is full; the sync's last page may be short when
        // tests running alongside wrote meanwhile (the changes phase then follows it).
        foreach (var phase in pages.GroupBy(p => p.Phase))
        {
            Assert.All(phase.SkipLast(1), p => Assert.Equal(50, p.Items.Count));
        }

        Assert.All(sync, c => Assert.False(c.Deleted));
        Assert.Equal(sync.Count, sync.Select(c => (c.Type, c.Id)).Distinct().Count());
        Assert.Single(Of(sync, "article", published));
        Assert.Empty(Of(changes, "article", draft));
        Assert.Empty(Of(changes, "article", scheduled));
        Assert.Single(Of(sync, "tag", tag));
        Assert.Single(Of(sync, "comment", approved));
        Assert.Empty(Of(changes, "comment", pending));
        var article = Of(sync, "article", published)[0];
        var response = await reader.GetAsync($"/v1/articles/{article.Slug}", Ct);
        Assert.Equal(response.Headers.ETag!.ToString(), article.Etag);
        Assert.Equal(["article:" + published, "articles"], article.Keys);
    }

    [Fact]
    public async Task An_article_s_life_through_the_write_api_is_told_in_order_with_the_etag_a_read_then_answers()
    {
        var editor = await EditorClient.CreateAsync(app);
        var tagSlug = TestDatabase.UniqueSlug("life-tag");
        var tag = await app.Database.InsertEntityAsync("tags", tagSlug, "Life");
        var head = await Feed.HeadAsync();
        var slug = TestDatabase.UniqueSlug("life");

        var draftVersion = await editor.CreatedAsync(EditorClient.Article(slug, "draft", a => a["tags"] = new JsonArray(tagSlug)));
        var afterDraft = await Feed.ReadAllAsync(head);
        var published = await editor.PatchAsync(slug, new JsonObject { ["status"] = "published" }, draftVersion);
        var edited = await editor.PatchAsync(slug, new JsonObject { ["title"] = "A new title" }, published.Headers.ETag!.ToString());
        var publicETag = (await reader.GetAsync($"/v1/articles/{slug}", Ct)).Headers.ETag!.ToString();
        var unpublished = await editor.PatchAsync(slug, new JsonObject { ["status"] = "archived" }, edited.Headers.ETag!.ToString());
        var republished = await editor.PatchAsync(slug, new JsonObject { ["status"] = "published" }, unpublished.Headers.ETag!.ToString());
        var takenDown = await editor.SendAsync(HttpMethod.Delete, $"/v1/articles/{slug}", ifMatch: republished.Headers.ETag!.ToString());
        var (changes, _, _) = await Feed.ReadAllAsync(afterDraft.Next);

        Assert.Equal(HttpStatusCode.NoContent, takenDown.StatusCode);
        var id = (await app.Database.QueryAsync<long>("select id from articles where slug = @slug", new { slug })).Single();
        Assert.Empty(Of(afterDraft.Changes, "article", id));
        var story = Of(changes, "article", id);
        Assert.Equal(["article.published", "article.updated", "article.unpublished", "article.published", "article.deleted"], story.Select(c => c.Event));
        Assert.Equal([false, false, true, false, true], story.Select(c => c.Deleted));
        Assert.Equal(publicETag, story[1].Etag);
        Assert.Null(story[4].Etag);
        // The tag's page lists the article: it changed with each publication and withdrawal.
        Assert.Equal(5, Of(changes, "tag", tag).Count(c => c.Event == "tag.updated"));
        Assert.True(story.Zip(story.Skip(1)).All(pair => pair.First.At <= pair.Second.At), "one writer after another: commit order is time order");
    }

    [Fact]
    public async Task Entities_and_comments_have_their_own_upserts_and_tombstones()
    {
        var head = await Feed.HeadAsync();
        var articleId = await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("commented"));
        var person = await app.Database.InsertEntityAsync("people", TestDatabase.UniqueSlug("feed-person"), "Someone");
        await app.Database.ExecuteAsync("update people set name = 'Someone Else' where id = @person", new { person });
        await app.Database.ExecuteAsync("delete from people where id = @person", new { person });
        var comment = await app.Database.ScalarAsync<long>(
            "insert into comments (article_id, author_name, body, body_hash) values (@articleId, 'C', 'Hello.', '\\x00') returning id", new { articleId });
        await app.Database.ExecuteAsync("update comments set status = 'approved' where id = @comment", new { comment });
        await app.Database.ExecuteAsync("update comments set body = 'Hello again.' where id = @comment", new { comment });
        await app.Database.ExecuteAsync("update comments set status = 'spam' where id = @comment", new { comment });
        await app.Database.ExecuteAsync("update comments set status = 'approved' where id = @comment", new { comment });
        await app.Database.ExecuteAsync("delete from comments where id = @comment", new { comment });

        var (changes, _, _) = await Feed.ReadAllAsync(head);

        Assert.Equal(["person.created", "person.updated", "person.deleted"], Of(changes, "person", person).Select(c => c.Event));
        Assert.Equal(["comment.approved", "comment.updated", "comment.unapproved", "comment.approved", "comment.deleted"],
            Of(changes, "comment", comment).Select(c => c.Event));
        Assert.All(Of(changes, "comment", comment), c => Assert.Equal(["comment:" + comment, "comments:" + articleId], c.Keys));
        // Each approval and withdrawal changed the article's comment count.
        Assert.InRange(Of(changes, "article", articleId).Count, 4, 6);
    }

    [Fact]
    public async Task Each_upsert_tells_the_etag_its_page_answers_after_the_change()
    {
        var tagSlug = TestDatabase.UniqueSlug("etag-tag");
        var tag = await app.Database.InsertEntityAsync("tags", tagSlug, "Before");
        var articleId = await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("etag-article"));
        var comment = await app.Database.ScalarAsync<long>(
            "insert into comments (article_id, author_name, body, body_hash, status) values (@articleId, 'E', 'Tagged.', '\\x00', 'approved') returning id", new { articleId });
        var head = await Feed.HeadAsync();
        var before = (await reader.GetAsync($"/v1/tags/{tagSlug}", Ct)).Headers.ETag!.ToString();

        await app.Database.ExecuteAsync("update tags set name = 'After' where id = @tag", new { tag });
        await app.Database.ExecuteAsync("update comments set body = 'Tagged, edited.' where id = @comment", new { comment });
        var changes = (await Feed.ReadAllAsync(head)).Changes;
        var tagPage = await reader.GetAsync($"/v1/tags/{tagSlug}", Ct);
        var commentPage = await reader.GetAsync($"/v1/comments/{comment}", Ct);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/tags/{tagSlug}");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", Of(changes, "tag", tag).Last().Etag);
        var notModified = await reader.SendAsync(conditional, Ct);
        using var jsonLd = new HttpRequestMessage(HttpMethod.Get, $"/v1/tags/{tagSlug}");
        jsonLd.Headers.TryAddWithoutValidation("Accept", "application/ld+json");
        var jsonLdPage = await reader.SendAsync(jsonLd, Ct);

        Assert.NotEqual(before, tagPage.Headers.ETag!.ToString());
        Assert.Equal(tagPage.Headers.ETag!.ToString(), Of(changes, "tag", tag).Last().Etag);
        Assert.Equal(commentPage.Headers.ETag!.ToString(), Of(changes, "comment", comment).Last().Etag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.NotEqual(tagPage.Headers.ETag, jsonLdPage.Headers.ETag);
    }

    [Fact]
    public async Task A_change_is_told_for_every_entity_page_that_shows_it()
    {
        var person = await app.Database.InsertEntityAsync("people", TestDatabase.UniqueSlug("related-person"), "Someone");
        var organisation = await app.Database.InsertEntityAsync("organisations", TestDatabase.UniqueSlug("related-org"), "Parent");
        var child = await app.Database.InsertEntityAsync("organisations", TestDatabase.UniqueSlug("related-child"), "Child");
        var place = await app.Database.InsertEntityAsync("places", TestDatabase.UniqueSlug("related-place"), "Somewhere");
        var @event = await app.Database.InsertEventAsync(TestDatabase.UniqueSlug("related-event"), "Gathering", new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 2));
        await app.Database.ExecuteAsync("update events set place_id = @place where id = @event", new { place, @event });
        var afterSetup = await Feed.HeadAsync();

        await app.Database.ExecuteAsync("insert into affiliations (person_id, organisation_id, title) values (@person, @organisation, 'Chair')", new { person, organisation });
        var affiliated = await Feed.ReadAllAsync(afterSetup);
        await app.Database.ExecuteAsync("update organisations set parent_id = @organisation where id = @child", new { organisation, child });
        var parented = await Feed.ReadAllAsync(affiliated.Next);
        await app.Database.ExecuteAsync("update organisations set name = 'Parent, renamed' where id = @organisation", new { organisation });
        var renamed = await Feed.ReadAllAsync(parented.Next);
        await app.Database.ExecuteAsync("update places set name = 'Somewhere else' where id = @place", new { place });
        var moved = await Feed.ReadAllAsync(renamed.Next);

        Assert.Single(Of(affiliated.Changes, "person", person));
        Assert.Single(Of(affiliated.Changes, "organisation", organisation));
        Assert.Single(Of(parented.Changes, "organisation", organisation));
        Assert.Single(Of(parented.Changes, "organisation", child));
        Assert.Single(Of(renamed.Changes, "organisation", organisation));
        Assert.Single(Of(renamed.Changes, "person", person));
        Assert.Single(Of(renamed.Changes, "organisation", child));
        Assert.Single(Of(moved.Changes, "place", place));
        Assert.Equal("event.updated", Assert.Single(Of(moved.Changes, "event", @event)).Event);
    }

    [Fact]
    public async Task A_scheduled_article_enters_the_feed_when_it_becomes_visible_not_when_it_is_written()
    {
        var head = await Feed.HeadAsync();
        var visibleAt = DateTime.UtcNow.AddSeconds(2);
        var id = await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("scheduled-feed"), publishedAt: visibleAt);

        var before = await Feed.ReadAllAsync(head);
        List<ContentChange> story = [];
        for (var attempt = 0; attempt < 100 && story.Count == 0; attempt++)
        {
            await Task.Delay(100, Ct);
            story = Of((await Feed.ReadAllAsync(before.Next)).Changes, "article", id);
        }

        Assert.Empty(Of(before.Changes, "article", id));
        var published = Assert.Single(story);
        Assert.Equal("article.published", published.Event);
        Assert.Equal(visibleAt, published.At, TimeSpan.FromSeconds(1)); // the API's times are whole seconds
        Assert.True(DateTime.UtcNow >= visibleAt);
    }

    [Fact]
    public async Task A_change_that_commits_late_is_never_skipped_by_a_reader_that_read_in_between()
    {
        var early = await app.Database.InsertEntityAsync("tags", TestDatabase.UniqueSlug("early"), "Early");
        var late = await app.Database.InsertEntityAsync("tags", TestDatabase.UniqueSlug("late"), "Late");
        var head = await Feed.HeadAsync();

        // The first writer takes its place in the feed and holds its transaction open.
        await using var first = new NpgsqlConnection(app.ConnectionString);
        await first.OpenAsync(Ct);
        await using var transaction = await first.BeginTransactionAsync(Ct);
        await using (var update = new NpgsqlCommand("update tags set name = 'Early, edited' where id = $1", first, transaction) { Parameters = { new() { Value = early } } })
        {
            await update.ExecuteNonQueryAsync(Ct);
        }

        // A second writer starts after it and would commit first.
        var second = app.Database.ExecuteAsync("update tags set name = 'Late, edited' where id = @late", new { late });
        await Task.Delay(500, Ct);
        var between = await Feed.ReadAllAsync(head);
        await transaction.CommitAsync(Ct);
        await second;
        var after = await Feed.ReadAllAsync(between.Next);

        Assert.Empty(Of(between.Changes, "tag", early));
        Assert.Empty(Of(between.Changes, "tag", late));
        var order = after.Changes.Where(c => c.Type == "tag" && (c.Id == early || c.Id == late)).Select(c => c.Id).ToList();
        Assert.Equal([early, late], order);
    }

    [Theory]
    [InlineData("since=not-a-token")]
    [InlineData("since=")]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=1001")]
    public async Task Bad_positions_are_a_400(string query)
    {
        var response = await reader.GetAsync($"/v1/changes?{query}", Ct);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_token_altered_by_one_character_is_refused()
    {
        var next = (await Feed.PageAsync(null, 5)).Next;
        var altered = next[..^3] + (next[^3] == 'A' ? 'B' : 'A') + next[^2..];

        var response = await reader.GetAsync($"/v1/changes?since={Uri.EscapeDataString(altered)}", Ct);

        await response.AssertValidationProblemAsync("since");
    }
}
