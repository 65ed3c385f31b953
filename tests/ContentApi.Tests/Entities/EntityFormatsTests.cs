using System.Net;
using System.Text.Json;

namespace ContentApi.Tests.Entities;

/// <summary>Entity pages in schema.org JSON-LD (Accept: application/ld+json), each with its own validators.</summary>
public sealed class EntityFormatsTests(ContentApiFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string SeedArticleSlug = "hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum";

    private readonly HttpClient client = app.CreateClient();

    private async Task<HttpResponseMessage> GetAsync(string url, string accept = "application/ld+json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await client.SendAsync(request, Ct);
    }

    private async Task<JsonElement> JsonLdAsync(string url)
    {
        var response = await GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Accept", response.Headers.Vary);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("https://schema.org", document.GetProperty("@context").GetString());
        Assert.EndsWith(url, document.GetProperty("@id").GetString(), StringComparison.Ordinal);
        return document;
    }

    [Fact]
    public async Task A_person_is_a_schema_org_person_with_job_title_affiliations_and_the_articles_about_them()
    {
        var person = await JsonLdAsync("/v1/people/abdellatif-hammouchi");

        Assert.Equal("Person", person.GetProperty("@type").GetString());
        Assert.Equal("Abdellatif Hammouchi", person.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(person.GetProperty("jobTitle").GetString()));
        var affiliations = person.GetProperty("affiliation").EnumerateArray().ToList();
        Assert.Equal(2, affiliations.Count);
        Assert.All(affiliations, a => Assert.Equal("Organization", a.GetProperty("@type").GetString()));
        Assert.Contains(person.GetProperty("subjectOf").EnumerateArray(),
            a => a.GetProperty("@type").GetString() == "NewsArticle" && a.GetProperty("url").GetString()!.EndsWith(SeedArticleSlug, StringComparison.Ordinal)
                 && a.GetProperty("headline").GetString()!.StartsWith("Hammouchi", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_organisation_names_its_parent_and_its_children_and_an_event_its_dates_and_located_place()
    {
        var parent = TestDatabase.UniqueSlug("ministry");
        var child = TestDatabase.UniqueSlug("directorate");
        var parentId = await app.Database.InsertEntityAsync("organisations", parent, "Ministry of Examples");
        var childId = await app.Database.InsertEntityAsync("organisations", child, "Directorate of Examples");
        await app.Database.ExecuteAsync("update organisations set parent_id = @parentId, country = 'MA' where id = @childId", new { parentId, childId });
        var place = TestDatabase.UniqueSlug("venue-city");
        var placeId = await app.Database.InsertEntityAsync("places", place, "Example City");
        var eventSlug = TestDatabase.UniqueSlug("summit");
        var eventId = await app.Database.InsertEventAsync(eventSlug, "Example Summit", new DateOnly(2026, 5, 27), new DateOnly(2026, 5, 29), "Example City");
        await app.Database.ExecuteAsync("update events set place_id = @placeId, country = 'RU' where id = @eventId", new { placeId, eventId });

        var organisation = await JsonLdAsync($"/v1/organisations/{child}");
        var parentDocument = await JsonLdAsync($"/v1/organisations/{parent}");
        var @event = await JsonLdAsync($"/v1/events/{eventSlug}");
        var placeDocument = await JsonLdAsync($"/v1/places/{place}");

        Assert.Equal("Organization", organisation.GetProperty("@type").GetString());
        Assert.Equal("Ministry of Examples", organisation.GetProperty("parentOrganization").GetProperty("name").GetString());
        Assert.Equal("MA", organisation.GetProperty("address").GetProperty("addressCountry").GetString());
        Assert.Equal("Directorate of Examples", parentDocument.GetProperty("subOrganization")[0].GetProperty("name").GetString());
        // What Google's Event structured data requires: name, startDate, location with an address.
        Assert.Equal("Event", @event.GetProperty("@type").GetString());
        Assert.Equal("Example Summit", @event.GetProperty("name").GetString());
        Assert.Equal("2026-05-27", @event.GetProperty("startDate").GetString());
        Assert.Equal("2026-05-29", @event.GetProperty("endDate").GetString());
        var location = @event.GetProperty("location");
        Assert.Equal("Place", location.GetProperty("@type").GetString());
        Assert.Equal("Example City", location.GetProperty("address").GetProperty("addressLocality").GetString());
        Assert.Equal("RU", location.GetProperty("address").GetProperty("addressCountry").GetString());
        Assert.EndsWith($"/v1/places/{place}", location.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal("Place", placeDocument.GetProperty("@type").GetString());
    }

    [Fact]
    public async Task Tags_and_authors_have_json_ld_too()
    {
        var tag = TestDatabase.UniqueSlug("ld-tag");
        await app.Database.InsertEntityAsync("tags", tag, "Linked Data");
        var author = TestDatabase.UniqueSlug("ld-author");
        await app.Database.InsertEntityAsync("authors", author, "Jane Writer");

        var tagDocument = await JsonLdAsync($"/v1/tags/{tag}");
        var authorDocument = await JsonLdAsync($"/v1/authors/{author}");

        Assert.Equal("DefinedTerm", tagDocument.GetProperty("@type").GetString());
        Assert.Equal("Linked Data", tagDocument.GetProperty("name").GetString());
        Assert.Equal("Person", authorDocument.GetProperty("@type").GetString());
        Assert.Equal("Jane Writer", authorDocument.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Json_ld_has_its_own_etag_answers_304_to_it_and_an_unmatched_accept_is_a_406()
    {
        const string url = "/v1/people/abdellatif-hammouchi";
        var json = await GetAsync(url, "application/json");
        var ld = await GetAsync(url);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.TryAddWithoutValidation("Accept", "application/ld+json");
        conditional.Headers.IfNoneMatch.Add(ld.Headers.ETag!);
        var notModified = await client.SendAsync(conditional, Ct);
        var html = await GetAsync(url, "text/html");
        var missing = await GetAsync("/v1/people/nobody-of-that-name");

        Assert.NotEqual(json.Headers.ETag, ld.Headers.ETag);
        Assert.Equal(json.Headers.GetValues("Surrogate-Key").Single(), ld.Headers.GetValues("Surrogate-Key").Single());
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        await html.AssertProblemAsync(HttpStatusCode.NotAcceptable);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
