using System.Net;
using ContentApi.Articles;
using ContentApi.Events;
using ContentApi.Organisations;
using ContentApi.People;
using ContentApi.Places;
using ContentApi.Reads;
using ContentApi.Tags;

namespace ContentApi.Tests.Entities;

/// <summary>People, organisations, events, places and tags as resources.</summary>
public sealed class EntityApiTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<T> GetAsync<T>(string url) => await (await client.GetAsync(url, Ct)).ReadContractAsync<T>();

    [Fact]
    public async Task Seed_person_has_affiliations_article_count_and_latest_articles_with_role()
    {
        var person = await GetAsync<PersonDetail>("/v1/people/abdellatif-hammouchi");

        Assert.Equal("Abdellatif Hammouchi", person.Name);
        Assert.Equal(["dgsn", "dgst"], person.Affiliations.Select(a => a.Organisation.Slug));
        Assert.All(person.Affiliations, a => Assert.Equal("Director General", a.Title));
        Assert.Equal("DGSN", person.Affiliations[0].Organisation.Acronym);
        Assert.Equal(1, person.ArticleCount);
        var latest = Assert.Single(person.LatestArticles);
        Assert.Equal("subject", latest.Role);
        Assert.StartsWith("hammouchi-promotes", latest.Article.Slug, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_organisation_has_people_and_the_FSB_is_mentioned()
    {
        var dgst = await GetAsync<OrganisationDetail>("/v1/organisations/dgst");
        var fsb = await GetAsync<OrganisationDetail>("/v1/organisations/fsb");

        Assert.Equal(("DGST", "MA", "intelligence-service"), (dgst.Acronym, dgst.Country, dgst.Kind));
        Assert.Equal("abdellatif-hammouchi", Assert.Single(dgst.People).Slug);
        Assert.Equal(("Federal Security Service", "FSB", "RU"), (fsb.Name, fsb.Acronym, fsb.Country));
        Assert.Equal("mentioned", Assert.Single(fsb.LatestArticles).Role);
    }

    [Fact]
    public async Task Organisation_shows_its_parent_and_children()
    {
        var parentSlug = TestDatabase.UniqueSlug("ministry");
        var childSlug = TestDatabase.UniqueSlug("agency");
        var parentId = await app.Database.InsertEntityAsync("organisations", parentSlug, "Ministry");
        await app.Database.ExecuteAsync("insert into organisations (slug, name, acronym, parent_id) values (@childSlug, 'Agency', 'AG', @parentId)", new { childSlug, parentId });

        var parent = await GetAsync<OrganisationDetail>($"/v1/organisations/{parentSlug}");
        var child = await GetAsync<OrganisationDetail>($"/v1/organisations/{childSlug}");

        Assert.Equal(new OrganisationReference(childSlug, "Agency", "AG"), Assert.Single(parent.Children));
        Assert.Equal(parentSlug, child.Parent?.Slug);
        Assert.Null(parent.Parent);
    }

    [Fact]
    public async Task Seed_event_place_and_tag_have_their_facts_and_article()
    {
        var @event = await GetAsync<EventDetail>("/v1/events/13th-international-meeting-of-high-level-security-officials");
        var place = await GetAsync<PlaceDetail>("/v1/places/moscow");
        var tag = await GetAsync<TagDetail>("/v1/tags/global-south");

        Assert.Equal((new DateOnly(2025, 5, 27), new DateOnly(2025, 5, 29)), (@event.StartDate, @event.EndDate));
        Assert.Equal("Moscow", @event.Location.City);
        Assert.Equal("moscow", @event.Place?.Slug);
        Assert.Contains("over one hundred countries", @event.Description, StringComparison.Ordinal);
        Assert.Equal(("city", "RU", 1), (place.Kind, place.Country, place.ArticleCount));
        Assert.Equal(("Global South", 1), (tag.Name, tag.ArticleCount));
        Assert.Single(@event.LatestArticles);
    }

    [Fact]
    public async Task Entity_lists_are_ordered_by_name_and_count_published_articles_only()
    {
        var slug = TestDatabase.UniqueSlug("counted");
        var tagId = await app.Database.InsertEntityAsync("tags", slug, "Counted");
        var published = await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("pub"));
        var draft = await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("draft"), status: "draft");
        await app.Database.LinkAsync("article_tags", published, tagId);
        await app.Database.LinkAsync("article_tags", draft, tagId);

        var tags = await GetAsync<Paged<TagSummary>>("/v1/tags?pageSize=100");
        var detail = await GetAsync<TagDetail>($"/v1/tags/{slug}");

        Assert.Equal(1, Assert.Single(tags.Items, t => t.Slug == slug).ArticleCount);
        Assert.Equal(tags.Items.OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Id).Select(t => t.Id), tags.Items.Select(t => t.Id));
        Assert.Equal(1, detail.ArticleCount);
        Assert.Single(detail.LatestArticles);
    }

    [Fact]
    public async Task Every_entity_list_answers_with_the_page_envelope()
    {
        Assert.Contains((await GetAsync<Paged<PersonSummary>>("/v1/people?pageSize=100")).Items, p => p.Slug == "abdellatif-hammouchi");
        Assert.Contains((await GetAsync<Paged<OrganisationSummary>>("/v1/organisations?pageSize=100")).Items, o => o.Slug == "fsb");
        Assert.Contains((await GetAsync<Paged<PlaceSummary>>("/v1/places?pageSize=100")).Items, p => p.Slug == "morocco");
        Assert.Contains((await GetAsync<Paged<EventSummary>>("/v1/events?pageSize=100")).Items, e => e.Slug.StartsWith("13th-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Event_list_keeps_events_overlapping_the_date_range()
    {
        var early = TestDatabase.UniqueSlug("early");
        var late = TestDatabase.UniqueSlug("late");
        await app.Database.InsertEventAsync(early, "Early", new DateOnly(1990, 1, 1), new DateOnly(1990, 1, 10));
        await app.Database.InsertEventAsync(late, "Late", new DateOnly(1990, 1, 8), new DateOnly(1990, 2, 1));

        var overlapping = await GetAsync<Paged<EventSummary>>("/v1/events?from=1990-01-09&to=1990-01-09");
        var onlyLate = await GetAsync<Paged<EventSummary>>("/v1/events?from=1990-01-11&to=1990-12-31");
        var bad = await client.GetAsync("/v1/events?from=1990-02-01&to=1990-01-01", Ct);

        Assert.Equal([late, early], overlapping.Items.Select(e => e.Slug));
        Assert.Equal([late], onlyLate.Items.Select(e => e.Slug));
        await bad.AssertValidationProblemAsync("to");
    }

    [Theory]
    [InlineData("people", "abdellatif-hammouchi")]
    [InlineData("organisations", "fsb")]
    [InlineData("events", "13th-international-meeting-of-high-level-security-officials")]
    [InlineData("places", "morocco")]
    [InlineData("tags", "cyber-threats")]
    public async Task Each_entity_lists_its_articles(string resource, string slug)
    {
        var page = await GetAsync<Paged<ArticleSummary>>($"/v1/{resource}/{slug}/articles");

        Assert.StartsWith("hammouchi-promotes", Assert.Single(page.Items).Slug, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("people")]
    [InlineData("organisations")]
    [InlineData("events")]
    [InlineData("places")]
    [InlineData("tags")]
    public async Task Unknown_entity_is_a_404_and_a_malformed_slug_a_400(string resource)
    {
        await (await client.GetAsync($"/v1/{resource}/no-such-thing", Ct)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"/v1/{resource}/no-such-thing/articles", Ct)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"/v1/{resource}/Not_A_Slug", Ct)).AssertValidationProblemAsync("slug");
        await (await client.GetAsync($"/v1/{resource}?pageSize=101", Ct)).AssertValidationProblemAsync("pageSize");
    }
}
