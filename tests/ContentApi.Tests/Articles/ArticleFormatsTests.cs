using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContentApi.Tests.Reader;

namespace ContentApi.Tests.Articles;

public sealed class ArticleFormatsTests(ContentApiFixture app)
{
    private const string SeedSlug = "hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum";
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> GetAsync(string url, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task The_seed_article_as_json_ld_is_a_schema_org_news_article_with_its_event_and_people()
    {
        var response = await GetAsync($"/v1/articles/{SeedSlug}", "application/ld+json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", response.Headers.Vary);
        var article = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("https://schema.org", article.GetProperty("@context").GetString());
        Assert.Equal("NewsArticle", article.GetProperty("@type").GetString());
        Assert.StartsWith("Hammouchi promotes a new vision", article.GetProperty("headline").GetString(), StringComparison.Ordinal);
        Assert.Equal("2025-05-30T09:00:00Z", article.GetProperty("datePublished").GetString());
        Assert.Equal("2025-05-30T09:00:00Z", article.GetProperty("dateModified").GetString());
        Assert.Equal("en", article.GetProperty("inLanguage").GetString());
        Assert.EndsWith($"/v1/articles/{SeedSlug}", article.GetProperty("@id").GetString(), StringComparison.Ordinal);
        Assert.Contains("effective security can only be achieved", article.GetProperty("articleBody").GetString(), StringComparison.Ordinal);
        var about = article.GetProperty("about").EnumerateArray().ToList();
        var @event = about.Single(e => e.GetProperty("@type").GetString() == "Event");
        Assert.Equal(("2025-05-27", "2025-05-29"), (@event.GetProperty("startDate").GetString(), @event.GetProperty("endDate").GetString()));
        Assert.Equal("Moscow", @event.GetProperty("location").GetProperty("address").GetProperty("addressLocality").GetString());
        var person = about.Single(e => e.GetProperty("@type").GetString() == "Person");
        Assert.Equal(("Abdellatif Hammouchi", "Director General"), (person.GetProperty("name").GetString(), person.GetProperty("jobTitle").GetString()));
        Assert.Contains(article.GetProperty("mentions").EnumerateArray(), m => m.GetProperty("name").GetString() == "Federal Security Service");
    }

    [Fact]
    public async Task Json_ld_carries_the_bylines_and_images_google_asks_for()
    {
        var editor = await EditorClient.CreateAsync(app);
        var author = TestDatabase.UniqueSlug("ld-author");
        await app.Database.InsertEntityAsync("authors", author, "Jane Doe");
        await app.Database.ExecuteAsync("update authors set url = 'https://news.example.org/jane' where slug = @author", new { author });
        var slug = TestDatabase.UniqueSlug("ld-article");
        await editor.CreatedAsync(EditorClient.Article(slug, change: a =>
        {
            a["authors"] = new JsonArray(author);
            a["image"] = new JsonObject { ["url"] = "https://media.example.org/lead.jpg", ["alt"] = "Lead" };
        }));

        var article = JsonDocument.Parse(await (await GetAsync($"/v1/articles/{slug}", "application/ld+json")).Content.ReadAsStringAsync(Ct)).RootElement;

        var byline = Assert.Single(article.GetProperty("author").EnumerateArray());
        Assert.Equal(("Person", "Jane Doe", "https://news.example.org/jane"), (byline.GetProperty("@type").GetString(), byline.GetProperty("name").GetString(), byline.GetProperty("url").GetString()));
        Assert.Equal("https://media.example.org/lead.jpg", Assert.Single(article.GetProperty("image").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task The_seed_article_as_ninjs_is_valid_against_the_iptc_schema()
    {
        var response = await GetAsync($"/v1/articles/{SeedSlug}", "application/ninjs+json");
        var text = await response.Content.ReadAsStringAsync(Ct);
        var file = Path.Combine(Path.GetTempPath(), $"ninjs-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, text, Ct);

        var validation = await NodeTools.RunAsync("node", ["tests/validate-json-schema.mjs", Path.Combine(RepositoryRoot.Path, "standards", "ninjs-schema_3.1.json"), file]);
        File.Delete(file);

        Assert.Equal("application/ninjs+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(validation.ExitCode == 0, validation.Output);
        var ninjs = JsonDocument.Parse(text).RootElement;
        Assert.Equal("usable", ninjs.GetProperty("pubStatus").GetString());
        Assert.Equal("text", ninjs.GetProperty("type").GetString());
        Assert.StartsWith("Hammouchi promotes", ninjs.GetProperty("headlines")[0].GetProperty("value").GetString(), StringComparison.Ordinal);
        var bodies = ninjs.GetProperty("bodies").EnumerateArray().ToList();
        Assert.Equal(["text/plain", "application/xhtml+xml"], bodies.Select(b => b.GetProperty("contentType").GetString()));
        Assert.Equal(288, bodies[0].GetProperty("wordCount").GetInt32());
        Assert.Contains("<blockquote><p>effective security", bodies[1].GetProperty("value").GetString(), StringComparison.Ordinal);
        Assert.Equal("subject", ninjs.GetProperty("people")[0].GetProperty("rel").GetString());
        Assert.Equal(5, ninjs.GetProperty("subjects").GetArrayLength());
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml, text/plain")]
    [InlineData("application/json;q=0")]
    public async Task An_accept_header_nothing_matches_is_a_406_problem(string accept)
    {
        var response = await GetAsync($"/v1/articles/{SeedSlug}", accept);

        await response.AssertProblemAsync(HttpStatusCode.NotAcceptable);
    }

    [Theory]
    [InlineData("application/json;q=0.5, application/ld+json", "application/ld+json")]
    [InlineData("application/ninjs+json;q=0.9, application/json", "application/json")]
    [InlineData("*/*", "application/json")]
    [InlineData("application/*", "application/json")]
    public async Task The_highest_quality_format_is_served(string accept, string expected)
    {
        var response = await GetAsync($"/v1/articles/{SeedSlug}", accept);

        Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Each_format_has_its_own_validators_and_answers_304()
    {
        var json = await GetAsync($"/v1/articles/{SeedSlug}", "application/json");
        var ld = await GetAsync($"/v1/articles/{SeedSlug}", "application/ld+json");
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{SeedSlug}");
        conditional.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/ld+json"));
        conditional.Headers.IfNoneMatch.Add(ld.Headers.ETag!);
        var notModified = await client.SendAsync(conditional, Ct);
        using var crossed = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{SeedSlug}");
        crossed.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/ld+json"));
        crossed.Headers.IfNoneMatch.Add(json.Headers.ETag!);
        var notTheSame = await client.SendAsync(crossed, Ct);

        Assert.NotEqual(json.Headers.ETag, ld.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, notTheSame.StatusCode);
    }
}
