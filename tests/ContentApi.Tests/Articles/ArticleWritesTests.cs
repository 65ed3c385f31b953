using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Articles;
using ContentApi.Infrastructure.Security;
using ContentApi.Reads;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Articles;

public sealed class ArticleWritesTests(ContentApiFixture app)
{
    private readonly HttpClient reader = app.CreateClient(new() { AllowAutoRedirect = false });
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(string Person, string Organisation, string Event, string Place, string Tag, string Author)> EntitiesAsync()
    {
        var person = TestDatabase.UniqueSlug("writer-person");
        var organisation = TestDatabase.UniqueSlug("writer-org");
        var @event = TestDatabase.UniqueSlug("writer-event");
        var place = TestDatabase.UniqueSlug("writer-place");
        var tag = TestDatabase.UniqueSlug("writer-tag");
        var author = TestDatabase.UniqueSlug("writer-author");
        await app.Database.InsertEntityAsync("people", person, "Written Person");
        await app.Database.InsertEntityAsync("organisations", organisation, "Written Organisation");
        await app.Database.InsertEventAsync(@event, "Written Event", new DateOnly(2025, 5, 27), new DateOnly(2025, 5, 29), "Moscow");
        await app.Database.InsertEntityAsync("places", place, "Written Place");
        await app.Database.InsertEntityAsync("tags", tag, "Written Tag");
        await app.Database.InsertEntityAsync("authors", author, "Written Author");
        return (person, organisation, @event, place, tag, author);
    }

    [Fact]
    public async Task An_article_created_with_its_links_reads_back_publicly_once_published()
    {
        var editor = await EditorClient.CreateAsync(app);
        var (person, organisation, @event, place, tag, author) = await EntitiesAsync();
        var slug = TestDatabase.UniqueSlug("written");
        var article = EditorClient.Article(slug, "draft", a =>
        {
            a["event"] = @event;
            a["people"] = new JsonArray(new JsonObject { ["slug"] = person, ["role"] = "quoted" });
            a["organisations"] = new JsonArray(new JsonObject { ["slug"] = organisation, ["role"] = "subject" });
            a["places"] = new JsonArray(place);
            a["tags"] = new JsonArray(tag);
            a["authors"] = new JsonArray(author);
            a["image"] = new JsonObject { ["url"] = "https://media.example.org/a.jpg", ["alt"] = "A picture", ["width"] = 1600, ["height"] = 900 };
            a["body"]!.AsArray().Add(new JsonObject { ["type"] = "quote", ["text"] = "Words said.", ["person"] = person });
            a["body"]!.AsArray().Add(new JsonObject { ["type"] = "image", ["url"] = "https://media.example.org/b.jpg", ["alt"] = "Another picture" });
        });

        var created = await editor.CreateAsync(article);
        var draftIsHidden = await reader.GetAsync($"/v1/articles/{slug}", Ct);
        var publish = await editor.PatchAsync(slug, new JsonObject { ["status"] = "published" }, created.Headers.ETag!.ToString());
        var published = await EditorClient.DetailAsync(await reader.GetAsync($"/v1/articles/{slug}", Ct));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/v1/articles/{slug}", created.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", created.Headers.ETag!.ToString());
        Assert.Equal("draft", (await EditorClient.DetailAsync(created)).Status);
        Assert.Equal(HttpStatusCode.NotFound, draftIsHidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        Assert.Equal("\"2\"", publish.Headers.ETag!.ToString());
        Assert.Equal("published", published.Status);
        Assert.Equal(@event, published.Metadata.Event!.Slug);
        Assert.Equal((person, "quoted"), (Assert.Single(published.Metadata.People).Slug, published.Metadata.People[0].Role));
        Assert.Equal(organisation, Assert.Single(published.Metadata.Organisations).Slug);
        Assert.Equal(place, Assert.Single(published.Metadata.Places).Slug);
        Assert.Equal(tag, Assert.Single(published.Metadata.Tags).Slug);
        Assert.Equal(("Written Author", author), (Assert.Single(published.Authors).Name, published.Authors[0].Slug));
        Assert.Equal("https://media.example.org/a.jpg", published.Image!.Url);
        Assert.Equal(["paragraph", "quote", "image"], published.Body.Select(b => b.Type));
        Assert.Equal("Another picture", published.Body[2].Alt);
        Assert.NotNull(published.Metadata.Dates.FirstPublished);
        var list = await (await reader.GetAsync($"/v1/articles?tag={tag}", Ct)).ReadContractAsync<Paged<ArticleSummary>>();
        Assert.Equal(author, Assert.Single(Assert.Single(list.Items).Authors).Slug);
        var byAuthor = await (await reader.GetAsync($"/v1/authors/{author}/articles", Ct)).ReadContractAsync<Paged<ArticleSummary>>();
        Assert.Equal(slug, Assert.Single(byAuthor.Items).Slug);
    }

    [Fact]
    public async Task A_slug_is_derived_from_the_title_and_made_unique()
    {
        var editor = await EditorClient.CreateAsync(app);
        var title = $"Ünïcode Title, with Punctuation! {Guid.NewGuid():N}";

        var first = await editor.CreateAsync(new JsonObject { ["title"] = title });
        var second = await editor.CreateAsync(new JsonObject { ["title"] = title });

        var firstSlug = (await EditorClient.DetailAsync(first)).Slug;
        Assert.StartsWith("unicode-title-with-punctuation-", firstSlug, StringComparison.Ordinal);
        Assert.Equal(firstSlug + "-2", (await EditorClient.DetailAsync(second)).Slug);
    }

    public static TheoryData<string, string> InvalidArticles => new()
    {
        { """{"title":""}""", "title" },
        { $$"""{"title":"{{new string('x', 301)}}"}""", "title" },
        { """{"title":"Ok","slug":"Not A Slug"}""", "slug" },
        { $$"""{"title":"Ok","summary":"{{new string('x', 2001)}}"}""", "summary" },
        { """{"title":"Ok","language":"english"}""", "language" },
        { """{"title":"Ok","status":"live"}""", "status" },
        { """{"title":"Ok","coverageStart":"2025-05-29","coverageEnd":"2025-05-27"}""", "coverageEnd" },
        { """{"title":"Ok","image":{"url":"http://media.example.org/a.jpg","alt":"x"}}""", "image.url" },
        { """{"title":"Ok","image":{"url":"https://media.example.org/a.jpg","alt":""}}""", "image.alt" },
        { """{"title":"Ok","body":[{"type":"paragraph","text":"a"},{"type":"paragraph","text":"b"},{"type":"paragraph","text":"c"},{"type":"paragraph","text":" "}]}""", "body[3].text" },
        { """{"title":"Ok","body":[{"type":"video","text":"a"}]}""", "body[0].type" },
        { """{"title":"Ok","body":[{"type":"heading","text":"a","level":7}]}""", "body[0].level" },
        { """{"title":"Ok","body":[{"type":"paragraph","text":"a","items":["x"]}]}""", "body[0].items" },
        { """{"title":"Ok","body":[{"type":"image","url":"https://media.example.org/a.jpg"}]}""", "body[0].alt" },
        { """{"title":"Ok","body":[{"type":"list","items":[]}]}""", "body[0].items" },
        { """{"title":"Ok","people":[{"slug":"a-person"},{"slug":"Bad Slug"}]}""", "people[1].slug" },
        { """{"title":"Ok","people":[{"slug":"a-person","role":"hero"}]}""", "people[0].role" },
        { """{"title":"Ok","organisations":[{"slug":"an-org","role":"quoted"}]}""", "organisations[0].role" },
        { """{"title":"Ok","tags":["same","same"]}""", "tags" },
        { """{"title":"Ok","people":[{"slug":"same"},{"slug":"same"}]}""", "people" },
    };

    [Theory]
    [MemberData(nameof(InvalidArticles))]
    public async Task Each_rule_of_the_article_is_a_400_naming_the_field_by_path(string json, string field)
    {
        var editor = await EditorClient.CreateAsync(app);

        var response = await editor.CreateAsync(JsonNode.Parse(json)!);

        await response.AssertValidationProblemAsync(field);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from articles where title = 'Ok'"));
    }

    [Fact]
    public async Task Limits_are_accepted_at_their_value()
    {
        var editor = await EditorClient.CreateAsync(app);
        var slug = TestDatabase.UniqueSlug("limits");

        var response = await editor.CreateAsync(EditorClient.Article(slug, change: a =>
        {
            a["title"] = new string('t', 300);
            a["summary"] = new string('s', 2000);
            a["body"] = new JsonArray(new JsonObject { ["type"] = "heading", ["text"] = "H", ["level"] = 6 });
        }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task References_to_nothing_are_a_400_naming_each_and_nothing_is_stored()
    {
        var editor = await EditorClient.CreateAsync(app);
        var (person, _, _, _, tag, _) = await EntitiesAsync();
        var slug = TestDatabase.UniqueSlug("half-written");

        var response = await editor.CreateAsync(EditorClient.Article(slug, change: a =>
        {
            a["people"] = new JsonArray(new JsonObject { ["slug"] = person }, new JsonObject { ["slug"] = "nobody-at-all" });
            a["tags"] = new JsonArray(tag, "no-such-tag", tag + "-x");
            a["event"] = "no-such-event";
        }));

        var problem = await response.AssertValidationProblemAsync("people[1].slug");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("tags[1]", out _) && errors.TryGetProperty("tags[2]", out _) && errors.TryGetProperty("event", out _), errors.ToString());
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from articles where slug = @slug", new { slug }));
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from article_people l join people p on p.id = l.person_id where p.slug = @person", new { person }));
    }

    [Theory]
    [InlineData("id", "1")]
    [InlineData("createdAt", "\"2025-01-01T00:00:00Z\"")]
    [InlineData("updatedAt", "\"2025-01-01T00:00:00Z\"")]
    [InlineData("commentCount", "3")]
    [InlineData("firstPublishedAt", "\"2025-01-01T00:00:00Z\"")]
    [InlineData("featured", "true")]
    public async Task Unknown_and_server_owned_fields_are_a_400_and_nothing_is_stored(string field, string value)
    {
        var editor = await EditorClient.CreateAsync(app);
        var slug = TestDatabase.UniqueSlug("owned");

        var response = await editor.SendAsync(HttpMethod.Post, "/v1/articles", JsonNode.Parse($$"""{"title":"Owned","slug":"{{slug}}","{{field}}":{{value}}}"""));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from articles where slug = @slug", new { slug }));
    }

    [Fact]
    public async Task Writes_need_a_key_with_content_write()
    {
        var moderator = await EditorClient.CreateAsync(app, Scopes.CommentsModerate);

        var anonymous = await reader.PostAsync("/v1/articles", new StringContent("""{"title":"x"}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        var forbidden = await moderator.CreateAsync(new JsonObject { ["title"] = "x" });

        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);
        await forbidden.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Replacing_patching_and_deleting_need_the_current_version()
    {
        var editor = await EditorClient.CreateAsync(app);
        var slug = TestDatabase.UniqueSlug("versioned");
        var etag = await editor.CreatedAsync(EditorClient.Article(slug));

        var missing = await editor.ReplaceAsync(slug, EditorClient.Article(slug), ifMatch: null);
        var missingPatch = await editor.PatchAsync(slug, new JsonObject { ["title"] = "x" }, ifMatch: null);
        var missingDelete = await editor.SendAsync(HttpMethod.Delete, $"/v1/articles/{slug}");
        var first = await editor.ReplaceAsync(slug, EditorClient.Article(slug, change: a => a["title"] = "First edit"), etag);
        var stale = await editor.ReplaceAsync(slug, EditorClient.Article(slug, change: a => a["title"] = "Lost edit"), etag);
        var stalePatch = await editor.PatchAsync(slug, new JsonObject { ["title"] = "Lost patch" }, etag);
        var staleDelete = await editor.SendAsync(HttpMethod.Delete, $"/v1/articles/{slug}", ifMatch: etag);

        await missing.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        await missingPatch.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        await missingDelete.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(first.Headers.ETag, stale.Headers.ETag);
        await stalePatch.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await staleDelete.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("First edit", (await EditorClient.DetailAsync(await reader.GetAsync($"/v1/articles/{slug}", Ct))).Title);
    }

    [Fact]
    public async Task Fifty_editors_saving_the_same_version_give_one_winner_and_the_stored_article_is_the_winners()
    {
        var editor = await EditorClient.CreateAsync(app);
        var slug = TestDatabase.UniqueSlug("contested");
        var etag = await editor.CreatedAsync(EditorClient.Article(slug));

        var responses = await Task.WhenAll(Enumerable.Range(1, 50).Select(i =>
            editor.ReplaceAsync(slug, EditorClient.Article(slug, change: a => a["title"] = $"Edit number {i}"), etag)));

        var winners = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        Assert.Single(winners);
        Assert.Equal(49, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var winner = await EditorClient.DetailAsync(winners[0]);
        var stored = await EditorClient.DetailAsync(await reader.GetAsync($"/v1/articles/{slug}", Ct));
        Assert.Equal(winner.Title, stored.Title);
        Assert.Equal(2, await app.Database.ScalarAsync<int>("select count(*)::int from article_revisions r join articles a on a.id = r.article_id where a.slug = @slug", new { slug }));
    }

    [Fact]
    public async Task A_merge_patch_changes_what_it_names_and_keeps_the_rest()
    {
        var editor = await EditorClient.CreateAsync(app);
        var (_, _, _, _, tag, _) = await EntitiesAsync();
        var slug = TestDatabase.UniqueSlug("patched");
        var etag = await editor.CreatedAsync(EditorClient.Article(slug, change: a =>
        {
            a["tags"] = new JsonArray(tag);
            a["coverageStart"] = "2025-05-27";
        }));

        var patched = await editor.PatchAsync(slug, new JsonObject { ["summary"] = "Patched summary.", ["coverageStart"] = null }, etag);
        var wrongType = await editor.SendAsync(HttpMethod.Patch, $"/v1/articles/{slug}", new JsonObject { ["summary"] = "x" }, patched.Headers.ETag!.ToString(), "application/json");
        var badPatch = await editor.PatchAsync(slug, new JsonObject { ["title"] = 42 }, patched.Headers.ETag!.ToString());

        var article = await EditorClient.DetailAsync(patched);
        Assert.Equal("Patched summary.", article.Summary);
        Assert.Equal($"Article {slug}", article.Title);
        Assert.Null(article.Metadata.Dates.CoverageStart);
        Assert.Equal(tag, Assert.Single(article.Metadata.Tags).Slug);
        await wrongType.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await badPatch.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_scheduled_article_is_invisible_everywhere_until_its_time()
    {
        var editor = await EditorClient.CreateAsync(app);
        var (_, _, _, _, tag, _) = await EntitiesAsync();
        var slug = TestDatabase.UniqueSlug("scheduled");
        // Whole seconds (as sent), far enough ahead that the reads below happen before it even
        // on a busy machine.
        var publishAt = DateTime.UtcNow.AddSeconds(6);
        publishAt = publishAt.AddTicks(-(publishAt.Ticks % TimeSpan.TicksPerSecond));
        await editor.CreatedAsync(EditorClient.Article(slug, change: a =>
        {
            a["publishedAt"] = publishAt.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            a["tags"] = new JsonArray(tag);
            a["title"] = $"Scheduled {slug}";
        }));

        var before = await reader.GetAsync($"/v1/articles/{slug}", Ct);
        var listedBefore = await (await reader.GetAsync($"/v1/tags/{tag}/articles", Ct)).ReadContractAsync<Paged<ArticleSummary>>();
        var tagBefore = await (await reader.GetAsync($"/v1/tags/{tag}", Ct)).ReadContractAsync<Tags.TagDetail>();
        var searchBefore = await (await reader.GetAsync($"/v1/search?q={slug}", Ct)).ReadContractAsync<Paged<ContentApi.Search.SearchHit>>();
        var editorsList = await (await editor.Http.GetAsync($"/v1/articles?status=scheduled&tag={tag}", Ct)).ReadContractAsync<Paged<ArticleSummary>>();
        var readBeforeTime = DateTime.UtcNow < publishAt;
        await PublicationTime.PastAsync(publishAt, TimeSpan.FromMilliseconds(1200), Ct);
        var after = await reader.GetAsync($"/v1/articles/{slug}", Ct);
        var listedAfter = await (await reader.GetAsync($"/v1/tags/{tag}/articles", Ct)).ReadContractAsync<Paged<ArticleSummary>>();

        Assert.True(readBeforeTime, "the reads meant to happen before the publication time took longer than 5 s");
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Empty(listedBefore.Items);
        Assert.Equal(0, tagBefore.ArticleCount);
        Assert.Empty(searchBefore.Items);
        Assert.Equal(slug, Assert.Single(editorsList.Items).Slug);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(slug, Assert.Single(listedAfter.Items).Slug);
    }

    [Fact]
    public async Task First_publication_is_set_once_and_later_edits_do_not_move_it()
    {
        var editor = await EditorClient.CreateAsync(app);
        var slug = TestDatabase.UniqueSlug("first-published");
        var etag = await editor.CreatedAsync(EditorClient.Article(slug, change: a => a["publishedAt"] = "2025-06-01T08:00:00Z"));

        var edited = await editor.PatchAsync(slug, new JsonObject { ["publishedAt"] = "2025-06-02T08:00:00Z", ["title"] = "Edited later" }, etag);

        var dates = (await EditorClient.DetailAsync(edited)).Metadata.Dates;
        Assert.Equal(new DateTime(2025, 6, 2, 8, 0, 0, DateTimeKind.Utc), dates.Published);
        Assert.Equal(new DateTime(2025, 6, 1, 8, 0, 0, DateTimeKind.Utc), dates.FirstPublished);
        Assert.True(dates.Modified > new DateTime(2025, 6, 2, 8, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public async Task Revisions_are_listed_and_one_is_restored_as_a_new_revision()
    {
        var editor = await EditorClient.CreateAsync(app);
        var slug = TestDatabase.UniqueSlug("revised");
        var etag = await editor.CreatedAsync(EditorClient.Article(slug, change: a => a["title"] = "Original title"));
        var edited = await editor.PatchAsync(slug, new JsonObject { ["title"] = "Edited title" }, etag);

        var list = await (await editor.Http.GetAsync($"/v1/articles/{slug}/revisions", Ct)).ReadContractAsync<Paged<ArticleRevisionSummary>>();
        var first = await (await editor.Http.GetAsync($"/v1/articles/{slug}/revisions/1", Ct)).ReadContractAsync<ArticleRevision>();
        var noEtag = await editor.SendAsync(HttpMethod.Post, $"/v1/articles/{slug}/revisions/1/restore");
        var restored = await editor.SendAsync(HttpMethod.Post, $"/v1/articles/{slug}/revisions/1/restore", ifMatch: edited.Headers.ETag!.ToString());
        var missing = await editor.Http.GetAsync($"/v1/articles/{slug}/revisions/9", Ct);
        var anonymous = await reader.GetAsync($"/v1/articles/{slug}/revisions", Ct);

        Assert.Equal([2, 1], list.Items.Select(r => r.Number));
        Assert.Equal("test", list.Items[0].KeyName);
        Assert.Equal("Original title", first.Document.Title);
        await noEtag.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        Assert.Equal("Original title", (await EditorClient.DetailAsync(restored)).Title);
        Assert.Equal(3, await app.Database.ScalarAsync<int>("select count(*)::int from article_revisions r join articles a on a.id = r.article_id where a.slug = @slug", new { slug }));
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Renamed_slugs_answer_301_to_the_current_one_in_one_hop_and_cannot_be_taken()
    {
        var editor = await EditorClient.CreateAsync(app);
        var first = TestDatabase.UniqueSlug("rename-a");
        var second = TestDatabase.UniqueSlug("rename-b");
        var third = TestDatabase.UniqueSlug("rename-c");
        var etag = await editor.CreatedAsync(EditorClient.Article(first));
        var renamed = await editor.PatchAsync(first, new JsonObject { ["slug"] = second }, etag);
        await editor.PatchAsync(second, new JsonObject { ["slug"] = third }, renamed.Headers.ETag!.ToString());

        var fromFirst = await reader.GetAsync($"/v1/articles/{first}", Ct);
        var fromSecond = await reader.GetAsync($"/v1/articles/{second}", Ct);
        var comments = await reader.GetAsync($"/v1/articles/{first}/comments?view=tree", Ct);
        var taken = await editor.CreateAsync(EditorClient.Article(first));

        Assert.Equal(HttpStatusCode.MovedPermanently, fromFirst.StatusCode);
        Assert.Equal($"/v1/articles/{third}", fromFirst.Headers.Location?.OriginalString);
        Assert.Equal($"/v1/articles/{third}", fromSecond.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.MovedPermanently, comments.StatusCode);
        Assert.Equal($"/v1/articles/{third}/comments?view=tree", comments.Headers.Location?.OriginalString);
        var problem = await taken.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(first, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_article_s_read_row_follows_its_edits_its_links_and_its_deletion()
    {
        // The public read by slug comes from article_reads (migration 0023), kept by a trigger on
        // articles: a new slug, an edit, a linked person's rename and a deletion must each reach it.
        var editor = await EditorClient.CreateAsync(app);
        var (person, _, _, _, _, _) = await EntitiesAsync();
        var slug = TestDatabase.UniqueSlug("read-row");
        var renamed = TestDatabase.UniqueSlug("read-row-renamed");
        var etag = await editor.CreatedAsync(EditorClient.Article(slug, change: a =>
            a["people"] = new JsonArray(new JsonObject { ["slug"] = person, ["role"] = "quoted" })));
        var edited = await editor.PatchAsync(slug, new JsonObject { ["slug"] = renamed, ["title"] = "A title edited" }, etag);
        await app.Database.ExecuteAsync("update people set name = 'A person renamed' where slug = @person", new { person });
        var detail = await EditorClient.DetailAsync(await reader.GetAsync($"/v1/articles/{renamed}", Ct));
        var atOldSlug = await app.Database.ScalarAsync<long>("select count(*) from article_reads where slug = @slug", new { slug });
        var deleted = await editor.SendAsync(HttpMethod.Delete, $"/v1/articles/{renamed}", ifMatch: "*");
        var disagreeing = await app.Database.ScalarAsync<long>("""
            select count(*)
            from articles a full join article_reads r on r.id = a.id
            where (a.slug, a.status, a.published_at, a.content_version, a.content_modified_at, a.document::text)
                  is distinct from (r.slug, r.status, r.published_at, r.content_version, r.content_modified_at, r.document::text)
            """);

        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(("A title edited", "A person renamed"), (detail.Title, Assert.Single(detail.Metadata.People).Name));
        Assert.Equal(0, atOldSlug);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("deleted", await app.Database.ScalarAsync<string>("select status from article_reads where slug = @renamed", new { renamed }));
        Assert.Equal(0, disagreeing);
    }

    [Fact]
    public async Task A_slug_in_use_is_a_409_never_a_500()
    {
        var editor = await EditorClient.CreateAsync(app);
        var slug = TestDatabase.UniqueSlug("in-use");
        await editor.CreatedAsync(EditorClient.Article(slug));

        var again = await editor.CreateAsync(EditorClient.Article(slug));

        await again.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_deleted_article_answers_410_and_its_comments_leave_public_view()
    {
        var editor = await EditorClient.CreateAsync(app);
        var slug = TestDatabase.UniqueSlug("taken-down");
        var etag = await editor.CreatedAsync(EditorClient.Article(slug));
        var articleId = await app.Database.ScalarAsync<long>("select id from articles where slug = @slug", new { slug });
        var commentId = await app.Database.ScalarAsync<long>(
            "insert into comments (article_id, author_name, author_email, body, body_hash, status) values (@articleId, 'R', 'r@example.com', 'Hi', '\\x00', 'approved') returning id",
            new { articleId });

        var deleted = await editor.SendAsync(HttpMethod.Delete, $"/v1/articles/{slug}", ifMatch: etag);
        var detail = await reader.GetAsync($"/v1/articles/{slug}", Ct);
        var comments = await reader.GetAsync($"/v1/articles/{slug}/comments", Ct);
        var comment = await reader.GetAsync($"/v1/comments/{commentId}", Ct);
        var again = await editor.SendAsync(HttpMethod.Delete, $"/v1/articles/{slug}", ifMatch: "*");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await detail.AssertProblemAsync(HttpStatusCode.Gone);
        await comments.AssertProblemAsync(HttpStatusCode.Gone);
        await comment.AssertProblemAsync(HttpStatusCode.NotFound);
        await again.AssertProblemAsync(HttpStatusCode.Gone);
        Assert.Equal("deleted", await app.Database.ScalarAsync<string>("select status from articles where id = @articleId", new { articleId }));
    }

    [Fact]
    public async Task Editors_read_drafts_privately_with_a_strong_etag_and_readers_cannot_ask_for_them()
    {
        var editor = await EditorClient.CreateAsync(app);
        var slug = TestDatabase.UniqueSlug("editors-draft");
        await editor.CreatedAsync(EditorClient.Article(slug, "draft"));

        var read = await editor.Http.GetAsync($"/v1/articles/{slug}", Ct);
        var list = await editor.Http.GetAsync("/v1/articles?status=draft&pageSize=100", Ct);
        var readersAsk = await reader.GetAsync("/v1/articles?status=draft", Ct);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{slug}");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", read.Headers.ETag!.ToString());
        var notModified = await editor.Http.SendAsync(conditional, Ct);

        Assert.Equal("draft", (await EditorClient.DetailAsync(read)).Status);
        Assert.False(read.Headers.ETag!.IsWeak);
        Assert.True(read.Headers.CacheControl is { Private: true, NoStore: true });
        Assert.Contains((await list.ReadContractAsync<Paged<ArticleSummary>>()).Items, a => a.Slug == slug);
        Assert.True(list.Headers.CacheControl is { Private: true, NoStore: true });
        await readersAsk.AssertValidationProblemAsync("status");
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Other_keys_read_public_content_as_readers_and_invalid_keys_are_refused()
    {
        var moderator = await EditorClient.CreateAsync(app, Scopes.CommentsModerate);
        var slug = TestDatabase.UniqueSlug("moderator-reads");
        await app.Database.InsertArticleAsync(slug);
        var draft = TestDatabase.UniqueSlug("moderator-draft");
        await app.Database.InsertArticleAsync(draft, status: "draft");
        using var invalid = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{slug}");
        invalid.Headers.Authorization = new("Bearer", "cak_not-a-real-key");

        var published = await moderator.Http.GetAsync($"/v1/articles/{slug}", Ct);
        var hidden = await moderator.Http.GetAsync($"/v1/articles/{draft}", Ct);
        var refused = await reader.SendAsync(invalid, Ct);

        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        await refused.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Every_write_changes_the_public_etags_of_the_article_and_of_its_lists()
    {
        var editor = await EditorClient.CreateAsync(app);
        var (_, _, _, _, tag, _) = await EntitiesAsync();
        var slug = TestDatabase.UniqueSlug("etag-moves");
        var etag = await editor.CreatedAsync(EditorClient.Article(slug, change: a => a["tags"] = new JsonArray(tag)));
        var article = await reader.GetAsync($"/v1/articles/{slug}", Ct);
        var list = await reader.GetAsync($"/v1/tags/{tag}/articles", Ct);

        await editor.PatchAsync(slug, new JsonObject { ["title"] = "Moved" }, etag);
        var articleAfter = await reader.GetAsync($"/v1/articles/{slug}", Ct);
        var listAfter = await reader.GetAsync($"/v1/tags/{tag}/articles", Ct);

        Assert.NotEqual(article.Headers.ETag, articleAfter.Headers.ETag);
        Assert.NotEqual(list.Headers.ETag, listAfter.Headers.ETag);
        Assert.Equal("Moved", (await EditorClient.DetailAsync(articleAfter)).Title);
    }

    [Fact]
    public async Task A_preview_link_serves_the_draft_cross_origin_without_a_key_and_rejects_tampering()
    {
        var editor = await EditorClient.CreateAsync(app);
        var slug = TestDatabase.UniqueSlug("previewed");
        await editor.CreatedAsync(EditorClient.Article(slug, "draft"));

        var created = await editor.SendAsync(HttpMethod.Post, $"/v1/articles/{slug}/preview-links");
        var link = await created.ReadContractAsync<PreviewLink>();
        var path = new Uri(link.Url).PathAndQuery;
        using var preview = new HttpRequestMessage(HttpMethod.Get, path);
        preview.Headers.Add("Origin", "http://localhost:3000");
        var served = await reader.SendAsync(preview, Ct);
        var tampered = await reader.GetAsync(path[..^2] + (path[^2] == 'A' ? "BA" : "AA"), Ct);
        var garbage = await reader.GetAsync("/v1/preview/not-a-token", Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.InRange(link.ExpiresAt, DateTime.UtcNow.AddHours(23), DateTime.UtcNow.AddHours(25));
        Assert.Equal("draft", (await EditorClient.DetailAsync(served)).Status);
        Assert.True(served.Headers.CacheControl is { Private: true, NoStore: true });
        Assert.Equal("noindex", Assert.Single(served.Headers.GetValues("X-Robots-Tag")));
        Assert.Equal("http://localhost:3000", Assert.Single(served.Headers.GetValues("Access-Control-Allow-Origin")));
        await tampered.AssertProblemAsync(HttpStatusCode.Unauthorized);
        await garbage.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_preview_link_stops_working_when_it_expires()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        await using var clocked = app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        var editor = new EditorClient(clocked.CreateClient());
        editor.Http.DefaultRequestHeaders.Authorization = new("Bearer", await app.CreateApiKeyAsync(Scopes.ContentWrite));
        var slug = TestDatabase.UniqueSlug("expiring");
        await editor.CreatedAsync(EditorClient.Article(slug, "draft"));
        var link = await (await editor.SendAsync(HttpMethod.Post, $"/v1/articles/{slug}/preview-links")).ReadContractAsync<PreviewLink>();
        var path = new Uri(link.Url).PathAndQuery;
        var anonymous = clocked.CreateClient();

        var fresh = await anonymous.GetAsync(path, Ct);
        clock.Now += TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1);
        var expired = await anonymous.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        await expired.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    private sealed class TestClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
