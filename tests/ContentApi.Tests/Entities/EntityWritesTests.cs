using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Authors;
using ContentApi.Organisations;
using ContentApi.People;
using ContentApi.Tags;
using ContentApi.Tests.Articles;

namespace ContentApi.Tests.Entities;

public sealed class EntityWritesTests(ContentApiFixture app)
{
    private readonly HttpClient reader = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_entity_is_created_replaced_patched_and_deleted_with_if_match()
    {
        var editor = await EditorClient.CreateAsync(app);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var documents = new (string Path, JsonObject Create, JsonObject Patch, string Field)[]
        {
            ("/v1/places", new JsonObject { ["name"] = $"Rabat {suffix}", ["country"] = "MA" }, new JsonObject { ["kind"] = "region" }, "kind"),
            ("/v1/tags", new JsonObject { ["name"] = $"Border security {suffix}" }, new JsonObject { ["description"] = "Patched." }, "description"),
            ("/v1/authors", new JsonObject { ["name"] = $"Jane Doe {suffix}", ["url"] = "https://news.example.org/jane" }, new JsonObject { ["bio"] = "Patched." }, "bio"),
            ("/v1/organisations", new JsonObject { ["name"] = $"Interpol {suffix}", ["acronym"] = "ICPO", ["kind"] = "international-organisation" }, new JsonObject { ["country"] = "FR" }, "country"),
            ("/v1/people", new JsonObject { ["name"] = $"Jürgen Stock {suffix}", ["affiliations"] = new JsonArray(new JsonObject { ["organisation"] = "fsb", ["title"] = "Liaison", ["from"] = "2020-01-01" }) },
                new JsonObject { ["description"] = "Patched." }, "description"),
            ("/v1/events", new JsonObject { ["name"] = $"Summit {suffix}", ["startDate"] = "2025-06-01", ["endDate"] = "2025-06-02", ["place"] = "moscow" },
                new JsonObject { ["description"] = "Patched." }, "description"),
        };

        foreach (var (path, create, patch, field) in documents)
        {
            var created = await editor.SendAsync(HttpMethod.Post, path, create);
            var createdText = await created.Content.ReadAsStringAsync(Ct);
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"{path}: {(int)created.StatusCode} {createdText}");
            var slug = EditorClient.Json(createdText).GetProperty("slug").GetString()!;
            Assert.Equal($"{path}/{slug}", created.Headers.Location?.OriginalString);
            Assert.Equal("\"1\"", created.Headers.ETag!.ToString());

            var publicRead = await reader.GetAsync($"{path}/{slug}", Ct);
            var editorRead = await editor.Http.GetAsync($"{path}/{slug}", Ct);
            var replaced = await editor.SendAsync(HttpMethod.Put, $"{path}/{slug}", create, ifMatch: "\"1\"");
            var stale = await editor.SendAsync(HttpMethod.Put, $"{path}/{slug}", create, ifMatch: "\"1\"");
            var patched = await editor.SendAsync(HttpMethod.Patch, $"{path}/{slug}", patch, "\"2\"", "application/merge-patch+json");
            var missingIfMatch = await editor.SendAsync(HttpMethod.Delete, $"{path}/{slug}");
            var deleted = await editor.SendAsync(HttpMethod.Delete, $"{path}/{slug}", ifMatch: "\"3\"");
            var gone = await reader.GetAsync($"{path}/{slug}", Ct);

            Assert.Equal(HttpStatusCode.OK, publicRead.StatusCode);
            Assert.True(publicRead.Headers.ETag!.IsWeak);
            Assert.Equal("\"1\"", editorRead.Headers.ETag!.ToString());
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
            Assert.Equal("\"2\"", replaced.Headers.ETag!.ToString());
            await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
            Assert.True(patched.StatusCode == HttpStatusCode.OK, $"{path}: {await patched.Content.ReadAsStringAsync(Ct)}");
            Assert.Equal(patch[field]!.GetValue<string>(), EditorClient.Json(await patched.Content.ReadAsStringAsync(Ct)).GetProperty(field).ToString());
            await missingIfMatch.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
    }

    [Fact]
    public async Task Entity_shapes_hold_their_contracts_after_a_write()
    {
        var editor = await EditorClient.CreateAsync(app);
        var name = $"Contract Person {Guid.NewGuid():N}";

        var person = await (await editor.SendAsync(HttpMethod.Post, "/v1/people", new JsonObject { ["name"] = name })).ReadContractAsync<PersonDetail>();
        var author = await (await editor.SendAsync(HttpMethod.Post, "/v1/authors", new JsonObject { ["name"] = name })).ReadContractAsync<AuthorDetail>();
        var authors = await (await reader.GetAsync("/v1/authors?pageSize=100", Ct)).ReadContractAsync<ContentApi.Reads.Paged<AuthorSummary>>();

        Assert.Equal(name, person.Name);
        Assert.Equal(name, author.Name);
        Assert.Contains(authors.Items, a => a.Slug == author.Slug);
    }

    public static TheoryData<string, string, string> InvalidEntities => new()
    {
        { "/v1/people", """{"name":""}""", "name" },
        { "/v1/people", """{"name":"P","affiliations":[{"organisation":"fsb","title":"T","from":"2025-01-02","to":"2025-01-01"}]}""", "affiliations[0].to" },
        { "/v1/people", """{"name":"P","affiliations":[{"organisation":"no-such-org","title":"T"}]}""", "affiliations[0].organisation" },
        { "/v1/events", """{"name":"E","startDate":"2025-01-02","endDate":"2025-01-01"}""", "endDate" },
        { "/v1/events", """{"name":"E","endDate":"2025-01-01"}""", "startDate" },
        { "/v1/events", """{"name":"E","startDate":"2025-01-01","endDate":"2025-01-01","place":"no-such-place"}""", "place" },
        { "/v1/organisations", """{"name":"O","country":"Morocco"}""", "country" },
        { "/v1/organisations", """{"name":"O","kind":"club"}""", "kind" },
        { "/v1/organisations", """{"name":"O","parent":"no-such-org"}""", "parent" },
        { "/v1/places", """{"name":"P","kind":"planet"}""", "kind" },
        { "/v1/tags", $$"""{"name":"{{new string('t', 101)}}"}""", "name" },
        { "/v1/authors", """{"name":"A","url":"ftp://example.org"}""", "url" },
        { "/v1/authors", """{"name":"A","image":"http://example.org/a.jpg"}""", "image" },
    };

    [Theory]
    [MemberData(nameof(InvalidEntities))]
    public async Task Each_entity_rule_is_a_400_naming_the_field(string path, string json, string field)
    {
        var editor = await EditorClient.CreateAsync(app);

        var response = await editor.SendAsync(HttpMethod.Post, path, JsonNode.Parse(json));

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task An_organisation_cannot_become_its_own_ancestor()
    {
        var editor = await EditorClient.CreateAsync(app);
        var parent = await (await editor.SendAsync(HttpMethod.Post, "/v1/organisations", new JsonObject { ["name"] = $"Parent {Guid.NewGuid():N}" })).ReadContractAsync<OrganisationDetail>();
        var child = await (await editor.SendAsync(HttpMethod.Post, "/v1/organisations", new JsonObject { ["name"] = $"Child {Guid.NewGuid():N}", ["parent"] = parent.Slug })).ReadContractAsync<OrganisationDetail>();

        var cycle = await editor.SendAsync(HttpMethod.Patch, $"/v1/organisations/{parent.Slug}", new JsonObject { ["parent"] = child.Slug }, "*", "application/merge-patch+json");
        var self = await editor.SendAsync(HttpMethod.Patch, $"/v1/organisations/{parent.Slug}", new JsonObject { ["parent"] = parent.Slug }, "*", "application/merge-patch+json");

        await cycle.AssertValidationProblemAsync("parent");
        await self.AssertValidationProblemAsync("parent");
        Assert.Equal(parent.Slug, child.Parent!.Slug);
    }

    [Fact]
    public async Task Deleting_an_entity_that_articles_use_is_a_409_with_the_count_unless_detached()
    {
        var editor = await EditorClient.CreateAsync(app);
        var tag = await (await editor.SendAsync(HttpMethod.Post, "/v1/tags", new JsonObject { ["name"] = $"Used tag {Guid.NewGuid():N}" })).ReadContractAsync<TagDetail>();
        var slugs = new[] { TestDatabase.UniqueSlug("uses-tag"), TestDatabase.UniqueSlug("uses-tag") };
        foreach (var slug in slugs)
        {
            await editor.CreatedAsync(EditorClient.Article(slug, change: a => a["tags"] = new JsonArray(tag.Slug)));
        }

        var refused = await editor.SendAsync(HttpMethod.Delete, $"/v1/tags/{tag.Slug}", ifMatch: "*");
        var articleEtag = (await reader.GetAsync($"/v1/articles/{slugs[0]}", Ct)).Headers.ETag;
        var detached = await editor.SendAsync(HttpMethod.Delete, $"/v1/tags/{tag.Slug}?detach=true", ifMatch: "*");
        var article = await reader.GetAsync($"/v1/articles/{slugs[0]}", Ct);

        var problem = await refused.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(2, problem.GetProperty("articleCount").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, detached.StatusCode);
        Assert.Empty((await EditorClient.DetailAsync(article)).Metadata.Tags);
        Assert.NotEqual(articleEtag, article.Headers.ETag);
    }

    [Fact]
    public async Task Renaming_a_person_changes_the_articles_that_embed_them()
    {
        var editor = await EditorClient.CreateAsync(app);
        var person = await (await editor.SendAsync(HttpMethod.Post, "/v1/people", new JsonObject { ["name"] = $"Before {Guid.NewGuid():N}" })).ReadContractAsync<PersonDetail>();
        var slug = TestDatabase.UniqueSlug("embeds-person");
        await editor.CreatedAsync(EditorClient.Article(slug, change: a => a["people"] = new JsonArray(new JsonObject { ["slug"] = person.Slug, ["role"] = "subject" })));
        var before = await reader.GetAsync($"/v1/articles/{slug}", Ct);

        var renamed = await editor.SendAsync(HttpMethod.Patch, $"/v1/people/{person.Slug}", new JsonObject { ["name"] = "After" }, "\"1\"", "application/merge-patch+json");
        var after = await reader.GetAsync($"/v1/articles/{slug}", Ct);

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        Assert.Equal("After", Assert.Single((await EditorClient.DetailAsync(after)).Metadata.People).Name);
    }

    [Fact]
    public async Task An_entity_change_that_its_articles_do_not_show_leaves_them_as_they_were()
    {
        var editor = await EditorClient.CreateAsync(app);
        var tag = await (await editor.SendAsync(HttpMethod.Post, "/v1/tags", new JsonObject { ["name"] = $"Shown {Guid.NewGuid():N}" })).ReadContractAsync<TagDetail>();
        var slug = TestDatabase.UniqueSlug("tagged");
        await editor.CreatedAsync(EditorClient.Article(slug, change: a => a["tags"] = new JsonArray(tag.Slug)));
        var before = await reader.GetAsync($"/v1/articles/{slug}", Ct);

        // An article shows a tag's slug and name, not its description.
        var described = await editor.SendAsync(HttpMethod.Patch, $"/v1/tags/{tag.Slug}", new JsonObject { ["description"] = "Not in any article." }, "\"1\"", "application/merge-patch+json");
        var afterDescription = await reader.GetAsync($"/v1/articles/{slug}", Ct);
        var renamed = await editor.SendAsync(HttpMethod.Patch, $"/v1/tags/{tag.Slug}", new JsonObject { ["name"] = "Renamed" }, "\"2\"", "application/merge-patch+json");
        var afterRename = await reader.GetAsync($"/v1/articles/{slug}", Ct);

        Assert.Equal(HttpStatusCode.OK, described.StatusCode);
        Assert.Equal(before.Headers.ETag, afterDescription.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.NotEqual(before.Headers.ETag, afterRename.Headers.ETag);
        Assert.Equal("Renamed", Assert.Single((await EditorClient.DetailAsync(afterRename)).Metadata.Tags).Name);
    }

    [Fact]
    public async Task The_articles_of_an_entity_too_large_to_rewrite_in_its_write_show_its_new_name_moments_after()
    {
        var editor = await EditorClient.CreateAsync(app);
        var (tag, articles) = await app.Database.InsertTagOfManyArticlesAsync();
        var ids = articles.Ids;
        var newName = $"After {Guid.NewGuid():N}";

        var renamed = await editor.SendAsync(HttpMethod.Patch, $"/v1/tags/{tag}", new JsonObject { ["name"] = newName }, "\"1\"", "application/merge-patch+json");
        var showing = await Eventually.ReadAsync(
            () => app.Database.ScalarAsync<long>("select count(*) from article_reads where id = any (@ids) and strpos(document::text, @newName) > 0", new { ids, newName }),
            n => n == ids.Length, seconds: 30);

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(ids.Length, showing);
    }

    [Fact]
    public async Task Entity_slugs_in_use_are_a_409()
    {
        var editor = await EditorClient.CreateAsync(app);

        var taken = await editor.SendAsync(HttpMethod.Post, "/v1/tags", new JsonObject { ["name"] = "Terror", ["slug"] = "terrorism" });

        await taken.AssertProblemAsync(HttpStatusCode.Conflict);
    }
}
