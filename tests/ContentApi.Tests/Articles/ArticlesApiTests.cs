using System.Net;
using System.Text.Json;
using ContentApi.Articles;
using ContentApi.Reads;

namespace ContentApi.Tests.Articles;

public sealed class ArticlesApiTests(ContentApiFixture app)
{
    private const string SeedSlug = "hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum";
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(string Slug, long Id)> NewTagAsync()
    {
        var slug = TestDatabase.UniqueSlug("list");
        return (slug, await app.Database.InsertEntityAsync("tags", slug, "List test"));
    }

    // Other tests publish articles all the time: walk the whole list rather than one page.
    private async Task<ArticleSummary?> FindInListAsync(string slug)
    {
        for (var url = "/v1/articles?pageSize=100"; url is not null;)
        {
            var page = await (await client.GetAsync(url, Ct)).ReadContractAsync<Paged<ArticleSummary>>();
            if (page.Items.FirstOrDefault(a => a.Slug == slug) is { } found)
            {
                return found;
            }

            url = page.Links.Next;
        }

        return null;
    }

    [Fact]
    public async Task Seed_article_contains_every_paragraph_of_the_source_text_verbatim()
    {
        var source = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "Articles", "SeedSourceArticle.txt"), Ct);
        var paragraphs = source.Skip(1).TakeWhile(line => line != "Leave a Reply").Where(line => line.Length > 0).ToList();

        var article = await (await client.GetAsync($"/v1/articles/{SeedSlug}", Ct)).ReadContractAsync<ArticleDetail>();

        Assert.Equal(source[0], article.Title);
        Assert.Equal(6, paragraphs.Count);
        Assert.Equal(paragraphs, article.Body.Where(b => b.Type == "paragraph").Select(b => b.Text));
        Assert.Equal("published", article.Status);
        Assert.Equal("en", article.Language);
        Assert.True(article.CommentsOpen);
    }

    [Fact]
    public async Task Seed_article_quote_is_attributed_to_Abdellatif_Hammouchi()
    {
        var article = await (await client.GetAsync($"/v1/articles/{SeedSlug}", Ct)).ReadContractAsync<ArticleDetail>();

        var quote = Assert.Single(article.Body, b => b.Type == "quote");
        Assert.Equal("effective security can only be achieved through strong and shared cooperation", quote.Text);
        Assert.Equal("abdellatif-hammouchi", quote.Person);
        Assert.Contains(article.Metadata.People, p => p.Slug == quote.Person);
    }

    [Fact]
    public async Task Seed_article_metadata_has_the_event_dates_people_organisations_places_and_tags()
    {
        var article = await (await client.GetAsync($"/v1/articles/{SeedSlug}", Ct)).ReadContractAsync<ArticleDetail>();
        var metadata = article.Metadata;

        Assert.NotNull(metadata.Event);
        Assert.Equal("13th International Meeting of High-Level Security Officials", metadata.Event.Name);
        Assert.Equal(new DateOnly(2025, 5, 27), metadata.Event.StartDate);
        Assert.Equal(new DateOnly(2025, 5, 29), metadata.Event.EndDate);
        Assert.Equal(new EventLocation(null, "Moscow", "RU"), metadata.Event.Location);
        Assert.Equal(new DateOnly(2025, 5, 27), metadata.Dates.CoverageStart);
        Assert.Equal(new DateOnly(2025, 5, 29), metadata.Dates.CoverageEnd);
        Assert.Equal(DateTimeKind.Utc, metadata.Dates.Published?.Kind);
        Assert.Equal(metadata.Dates.Published, metadata.Dates.FirstPublished);

        var person = Assert.Single(metadata.People);
        Assert.Equal(("abdellatif-hammouchi", "Abdellatif Hammouchi", "subject"), (person.Slug, person.Name, person.Role));
        Assert.Equal([new PersonAffiliation("dgsn", "Director General"), new PersonAffiliation("dgst", "Director General")], person.Affiliations);

        Assert.Equal(["dgsn", "dgst", "fsb"], metadata.Organisations.Select(o => o.Slug));
        Assert.Contains(new ArticleOrganisation("fsb", "Federal Security Service", "FSB", "RU", "mentioned"), metadata.Organisations);
        Assert.All(metadata.Organisations.Where(o => o.Slug != "fsb"), o => Assert.Equal("MA", o.Country));

        Assert.Equal([new ArticlePlace("moscow", "Moscow", "RU"), new ArticlePlace("morocco", "Morocco", "MA")], metadata.Places);
        Assert.Equal(["organised-crime", "terrorism", "cyber-threats", "global-south", "security-cooperation"], metadata.Tags.Select(t => t.Slug));
    }

    [Fact]
    public async Task Article_detail_timestamps_are_utc_iso_8601_to_the_second()
    {
        var response = await client.GetAsync($"/v1/articles/{SeedSlug}", Ct);

        var dates = (await response.ReadJsonAsync()).GetProperty("metadata").GetProperty("dates");
        Assert.Equal("2025-05-30T09:00:00Z", dates.GetProperty("published").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", dates.GetProperty("modified").GetString());
        Assert.Equal("2025-05-27", dates.GetProperty("coverageStart").GetString());
    }

    [Fact]
    public async Task Article_list_contains_the_seed_article_as_a_summary_without_body()
    {
        var seed = await FindInListAsync(SeedSlug);

        Assert.NotNull(seed);
        Assert.Equal(new DateTime(2025, 5, 30, 9, 0, 0, DateTimeKind.Utc), seed.PublishedAt);
        var raw = await (await client.GetAsync("/v1/articles?tag=global-south", Ct)).ReadJsonAsync();
        Assert.False(raw.GetProperty("items")[0].TryGetProperty("body", out _));
    }

    [Fact]
    public async Task Article_list_is_newest_first_and_pages_with_links_and_link_header()
    {
        var (tag, tagId) = await NewTagAsync();
        var older = TestDatabase.UniqueSlug("paging-older");
        var newer = TestDatabase.UniqueSlug("paging-newer");
        var now = DateTime.UtcNow.AddSeconds(-5);
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(older, publishedAt: now.AddSeconds(-1)), tagId);
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(newer, publishedAt: now), tagId);

        var response = await client.GetAsync($"/v1/articles?tag={tag}&pageSize=1&page=1", Ct);
        var page = await response.ReadContractAsync<Paged<ArticleSummary>>();
        var second = await (await client.GetAsync(page.Links.Next!, Ct)).ReadContractAsync<Paged<ArticleSummary>>();

        Assert.Equal(newer, Assert.Single(page.Items).Slug);
        Assert.Equal(older, Assert.Single(second.Items).Slug);
        Assert.Equal(new PageInfo(1, 1, 2, false, 2), page.Page);
        Assert.Null(page.Links.Prev);
        Assert.Null(second.Links.Next);
        Assert.Equal($"/v1/articles?tag={tag}&page=1&pageSize=1", page.Links.First);
        Assert.StartsWith($"/v1/articles?tag={tag}&cursor=", page.Links.Next, StringComparison.Ordinal);
        Assert.Contains($"<{page.Links.Next}>; rel=\"next\"", response.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_number_links_go_back_by_page_number()
    {
        var (tag, tagId) = await NewTagAsync();
        for (var i = 0; i < 3; i++)
        {
            await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("numbered"), publishedAt: DateTime.UtcNow.AddMinutes(-i - 1)), tagId);
        }

        var page = await (await client.GetAsync($"/v1/articles?tag={tag}&page=3&pageSize=1", Ct)).ReadContractAsync<Paged<ArticleSummary>>();

        Assert.Equal($"/v1/articles?tag={tag}&page=2&pageSize=1", page.Links.Prev);
        Assert.Null(page.Links.Next);
        Assert.Equal(3, page.Page.Number);
    }

    [Theory]
    [InlineData("pageSize=1")]
    [InlineData("pageSize=100")]
    [InlineData("page=1")]
    [InlineData("page=500&pageSize=20")]
    public async Task Article_list_accepts_paging_at_its_bounds(string query)
    {
        var response = await client.GetAsync($"/v1/articles?{query}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("pageSize=-5", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("page=-1", "page")]
    [InlineData("page=501&pageSize=20", "page")]
    [InlineData("page=101&pageSize=100", "page")]
    public async Task Article_list_rejects_paging_beyond_its_bounds_naming_the_field(string query, string field)
    {
        var response = await client.GetAsync($"/v1/articles?{query}", Ct);

        await response.AssertValidationProblemAsync(field);
    }

    [Theory]
    [InlineData("page=abc", "page")]
    [InlineData("pageSize=1e3", "pageSize")]
    [InlineData("page=99999999999", "page")]
    public async Task Article_list_rejects_malformed_paging_values_naming_the_parameter(string query, string parameter)
    {
        var response = await client.GetAsync($"/v1/articles?{query}", Ct);

        var problem = await response.AssertValidationProblemAsync(parameter);
        Assert.DoesNotContain("Nullable", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_article_is_a_404_problem()
    {
        var response = await client.GetAsync("/v1/articles/no-such-article", Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("/v1/articles/no-such-article", problem.GetProperty("instance").GetString());
    }

    [Theory]
    [InlineData("Upper-Case")]
    [InlineData("double--hyphen")]
    [InlineData("trailing-")]
    [InlineData("%C3%A9t%C3%A9")]
    [InlineData("semi%3Bcolon")]
    public async Task Malformed_article_slug_is_a_400_problem_naming_the_slug(string slug)
    {
        var response = await client.GetAsync($"/v1/articles/{slug}", Ct);

        await response.AssertValidationProblemAsync("slug");
    }

    [Fact]
    public async Task Overlong_article_slug_is_a_400_problem()
    {
        var response = await client.GetAsync($"/v1/articles/{new string('a', 201)}", Ct);

        await response.AssertValidationProblemAsync("slug");
    }

    [Theory]
    [InlineData("draft", null)]
    [InlineData("archived", null)]
    [InlineData("published", 1)]
    public async Task Unpublished_or_scheduled_article_is_invisible_to_the_list_and_the_detail(string status, int? daysAhead)
    {
        var (tag, tagId) = await NewTagAsync();
        var hidden = TestDatabase.UniqueSlug(status);
        var visible = TestDatabase.UniqueSlug("visible");
        var publishedAt = daysAhead is { } days ? DateTime.UtcNow.AddDays(days) : (DateTime?)null;
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(hidden, status: status, publishedAt: publishedAt), tagId);
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(visible), tagId);

        var detail = await client.GetAsync($"/v1/articles/{hidden}", Ct);
        var list = await (await client.GetAsync($"/v1/articles?tag={tag}", Ct)).ReadContractAsync<Paged<ArticleSummary>>();

        await detail.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(visible, Assert.Single(list.Items).Slug);
        Assert.Equal(1, list.Page.TotalItems);
    }

    [Fact]
    public async Task Many_reads_at_once_of_several_articles_each_get_their_own_article_or_304_or_404()
    {
        // Reads that arrive together share statements (CoalescedLookups): each must still get its own.
        var slugs = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var slug = TestDatabase.UniqueSlug("together");
            await app.Database.InsertArticleAsync(slug, title: $"Together {slug}", publishedAt: DateTime.UtcNow.AddMinutes(-1));
            slugs.Add(slug);
        }

        var etags = new Dictionary<string, System.Net.Http.Headers.EntityTagHeaderValue>();
        foreach (var slug in slugs)
        {
            etags[slug] = (await client.GetAsync($"/v1/articles/{slug}", Ct)).Headers.ETag!;
        }

        var missing = TestDatabase.UniqueSlug("together-missing");
        var asked = Enumerable.Range(0, 8).SelectMany(round => slugs.Select((slug, i) => (Slug: (i + round) % 7 == 6 ? missing : slug, Conditional: round % 2 == 1))).ToList();
        var answers = await Task.WhenAll(asked.Select(async ask =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{ask.Slug}");
            if (ask.Conditional && etags.TryGetValue(ask.Slug, out var etag))
            {
                request.Headers.IfNoneMatch.Add(etag);
            }

            using var response = await client.SendAsync(request, Ct);
            return (response.StatusCode, response.Headers.ETag, Body: await response.Content.ReadAsStringAsync(Ct));
        }));

        foreach (var (ask, answer) in asked.Zip(answers))
        {
            if (ask.Slug == missing)
            {
                Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
                continue;
            }

            Assert.Equal(etags[ask.Slug], answer.ETag);
            if (ask.Conditional)
            {
                Assert.Equal(HttpStatusCode.NotModified, answer.StatusCode);
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                var article = JsonSerializer.Deserialize<ArticleDetail>(answer.Body, JsonSerializerOptions.Web)!;
                Assert.Equal((ask.Slug, $"Together {ask.Slug}"), (article.Slug, article.Title));
            }
        }
    }

    [Fact]
    public async Task Article_detail_sends_validators_and_answers_a_matching_If_None_Match_with_an_empty_304()
    {
        var first = await client.GetAsync($"/v1/articles/{SeedSlug}", Ct);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.NotNull(first.Content.Headers.LastModified);
        Assert.Equal("public, max-age=60, stale-while-revalidate=300", first.Headers.CacheControl?.ToString());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{SeedSlug}");
        conditional.Headers.IfNoneMatch.Add(etag);
        var second = await client.SendAsync(conditional, Ct);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(etag, second.Headers.ETag);
    }

    [Fact]
    public async Task Article_detail_answers_If_Modified_Since_with_304_and_a_stale_ETag_with_200()
    {
        var slug = TestDatabase.UniqueSlug("conditional");
        await app.Database.InsertArticleAsync(slug);
        var first = await client.GetAsync($"/v1/articles/{slug}", Ct);

        using var sinceRequest = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{slug}");
        sinceRequest.Headers.IfModifiedSince = first.Content.Headers.LastModified;
        var since = await client.SendAsync(sinceRequest, Ct);
        using var staleRequest = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{slug}");
        staleRequest.Headers.TryAddWithoutValidation("If-None-Match", "W/\"a1\"");
        var stale = await client.SendAsync(staleRequest, Ct);

        Assert.Equal(HttpStatusCode.NotModified, since.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(first.Headers.ETag, stale.Headers.ETag);
    }

    [Fact]
    public async Task Renaming_a_linked_person_changes_the_article_ETag()
    {
        var slug = TestDatabase.UniqueSlug("etag-person");
        var personSlug = TestDatabase.UniqueSlug("person");
        var articleId = await app.Database.InsertArticleAsync(slug);
        var personId = await app.Database.ScalarAsync<long>("insert into people (slug, name) values (@personSlug, 'Before') returning id", new { personSlug });
        await app.Database.ExecuteAsync("insert into article_people (article_id, person_id, role) values (@articleId, @personId, 'quoted')", new { articleId, personId });
        var before = await client.GetAsync($"/v1/articles/{slug}", Ct);

        await app.Database.ExecuteAsync("update people set name = 'After' where id = @personId", new { personId });
        var after = await client.GetAsync($"/v1/articles/{slug}", Ct);

        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        var article = await after.ReadContractAsync<ArticleDetail>();
        Assert.Equal("After", Assert.Single(article.Metadata.People).Name);
    }

    [Fact]
    public async Task Article_without_metadata_has_empty_arrays_and_no_event()
    {
        var slug = TestDatabase.UniqueSlug("bare");
        await app.Database.InsertArticleAsync(slug);

        var article = await (await client.GetAsync($"/v1/articles/{slug}", Ct)).ReadContractAsync<ArticleDetail>();

        Assert.Null(article.Metadata.Event);
        Assert.Empty(article.Metadata.People);
        Assert.Empty(article.Metadata.Organisations);
        Assert.Empty(article.Metadata.Places);
        Assert.Empty(article.Metadata.Tags);
        Assert.Equal($"Body of {slug}.", Assert.Single(article.Body).Text);
    }

    [Fact]
    public async Task Article_detail_is_valid_json_with_the_contract_member_names()
    {
        var response = await client.GetAsync($"/v1/articles/{SeedSlug}", Ct);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.ReadJsonAsync();
        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        Assert.Equal(
            ["id", "slug", "title", "summary", "language", "status", "image", "body", "authors", "commentsOpen", "commentCount", "metadata"],
            json.EnumerateObject().Select(p => p.Name));
    }
}
