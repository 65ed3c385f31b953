using System.Net;
using System.Text;

namespace ContentApi.Tests.Comments;

/// <summary>The "Leave a Reply" form's rules, each at and beyond its limit.</summary>
public sealed class CommentValidationTests(ContentApiFixture app)
{
    private const string Seed = "hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum";
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<long> CountByEmailAsync(string email) =>
        app.Database.ScalarAsync<long>("select count(*) from comments where author_email = @email", new { email });

    private static string EmailOfLength(int length) => new string('a', length - "@example.com".Length) + "@example.com";

    [Fact]
    public async Task Limits_are_accepted_at_their_maximum()
    {
        var email = EmailOfLength(100);
        var response = await client.PostCommentAsync(Seed, new
        {
            authorName = new string('N', 245),
            authorEmail = email,
            authorUrl = "https://example.com/" + new string('p', 200 - "https://example.com/".Length),
            body = new string('b', 65_525),
        });

        await response.PostedIdAsync();
        Assert.Equal(1, await CountByEmailAsync(email));
    }

    [Theory]
    [InlineData("authorName", 246)]
    [InlineData("authorEmail", 101)]
    [InlineData("authorUrl", 201)]
    [InlineData("body", 65_526)]
    public async Task One_character_beyond_a_limit_is_a_400_naming_the_field(string field, int length)
    {
        var email = field == "authorEmail" ? EmailOfLength(length) : CommentTestClient.UniqueEmail();
        var response = await client.PostCommentAsync(Seed, new
        {
            authorName = field == "authorName" ? new string('N', length) : "Reader",
            authorEmail = email,
            authorUrl = field == "authorUrl" ? "https://example.com/" + new string('p', length - "https://example.com/".Length) : null,
            body = field == "body" ? new string('b', length) : "Fine.",
        });

        await response.AssertValidationProblemAsync(field);
        Assert.Equal(0, await CountByEmailAsync(email));
    }

    [Theory]
    [InlineData("""{"authorEmail":"a@example.com","body":"x"}""", "authorName")]
    [InlineData("""{"authorName":"   ","authorEmail":"a@example.com","body":"x"}""", "authorName")]
    [InlineData("""{"authorName":"A","body":"x"}""", "authorEmail")]
    [InlineData("""{"authorName":"A","authorEmail":"not-an-email","body":"x"}""", "authorEmail")]
    [InlineData("""{"authorName":"A","authorEmail":"a@localhost","body":"x"}""", "authorEmail")]
    [InlineData("""{"authorName":"A","authorEmail":"a b@example.com","body":"x"}""", "authorEmail")]
    [InlineData("""{"authorName":"A","authorEmail":"a@example.com"}""", "body")]
    [InlineData("""{"authorName":"A","authorEmail":"a@example.com","body":" \n\t "}""", "body")]
    [InlineData("""{"authorName":"A","authorEmail":"a@example.com","body":"x","authorUrl":"ftp://example.com"}""", "authorUrl")]
    [InlineData("""{"authorName":"A","authorEmail":"a@example.com","body":"x","authorUrl":"javascript:alert(1)"}""", "authorUrl")]
    [InlineData("""{"authorName":"A","authorEmail":"a@example.com","body":"x","authorUrl":"/relative"}""", "authorUrl")]
    [InlineData("""{"authorName":"A","authorEmail":"a@example.com","body":"bell \u0007"}""", "body")]
    [InlineData("""{"authorName":"A","authorEmail":"a@example.com","body":"nul \u0000"}""", "body")]
    [InlineData("""{"authorName":"A\u001b[31m","authorEmail":"a@example.com","body":"x"}""", "authorName")]
    [InlineData("""{"authorName":"A","authorEmail":"a@example.com","body":"x","parentId":0}""", "parentId")]
    public async Task Invalid_fields_are_a_400_naming_the_field(string json, string field)
    {
        var response = await client.PostRawAsync(Seed, json);

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task A_lone_surrogate_is_a_400_naming_the_field()
    {
        var response = await client.PostRawAsync(Seed, """{"authorName":"A","authorEmail":"a@example.com","body":"lone \ud800 surrogate"}""");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("body", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tabs_and_newlines_are_allowed_and_text_is_trimmed()
    {
        var email = CommentTestClient.UniqueEmail();

        var response = await client.PostCommentAsync(Seed, CommentTestClient.Comment(email, body: "  line one\n\tline two  ", name: "  Spaced  "));

        var id = await response.PostedIdAsync();
        var stored = await app.Database.QueryAsync<(string Name, string Body)>("select author_name, body from comments where id = @id", new { id });
        Assert.Equal(("Spaced", "line one\n\tline two"), stored.Single());
    }

    [Theory]
    [InlineData("status", "\"approved\"")]
    [InlineData("id", "1")]
    [InlineData("createdAt", "\"2020-01-01T00:00:00Z\"")]
    [InlineData("clientAddress", "\"1.2.3.4\"")]
    public async Task Unknown_fields_are_rejected_and_nothing_is_stored(string field, string value)
    {
        var email = CommentTestClient.UniqueEmail();

        var response = await client.PostRawAsync(Seed, $$"""{"authorName":"A","authorEmail":"{{email}}","body":"x","{{field}}":{{value}}}""");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ContentApi", problem.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await CountByEmailAsync(email));
    }

    [Theory]
    [InlineData("""{"authorName":"A","authorEmail":"a@example.com","body":"x""")]
    [InlineData("""not json at all""")]
    [InlineData("""{"authorName":"A","authorName":"B","authorEmail":"a@example.com","body":"x"}""")]
    [InlineData("""{"authorName":"A","authorEmail":"a@example.com","body":"x","parentId":"abc"}""")]
    [InlineData("""{"authorName":["A"],"authorEmail":"a@example.com","body":"x"}""")]
    [InlineData("""[]""")]
    [InlineData("")]
    public async Task Malformed_json_wrong_types_and_duplicate_keys_are_a_400(string json)
    {
        var response = await client.PostRawAsync(Seed, json);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public async Task A_body_that_is_not_json_is_a_415(string contentType)
    {
        var response = await client.PostRawAsync(Seed, """{"authorName":"A","authorEmail":"a@example.com","body":"x"}""", contentType);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_body_over_512_KiB_is_a_413_whether_its_length_is_declared_or_not()
    {
        var json = $$"""{"authorName":"A","authorEmail":"a@example.com","body":"{{new string('x', 600 * 1024)}}"}""";

        var declared = await client.PostRawAsync(Seed, json);
        using var chunked = new HttpRequestMessage(HttpMethod.Post, $"/v1/articles/{Seed}/comments")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json))),
        };
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        var streamed = await client.SendAsync(chunked, Ct);

        await declared.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        await streamed.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_maximal_comment_in_a_non_latin_script_fits_the_size_limit()
    {
        var email = CommentTestClient.UniqueEmail();

        var response = await client.PostCommentAsync(Seed, CommentTestClient.Comment(email, body: new string('म', 65_525), name: new string('ह', 245)));

        await response.PostedIdAsync();
    }

    [Fact]
    public async Task The_openapi_document_states_the_field_limits()
    {
        var document = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json", Ct)).RootElement;

        var properties = document.GetProperty("components").GetProperty("schemas").GetProperty("PostCommentRequest").GetProperty("properties");
        Assert.Equal(245, properties.GetProperty("authorName").GetProperty("maxLength").GetInt32());
        Assert.Equal(100, properties.GetProperty("authorEmail").GetProperty("maxLength").GetInt32());
        Assert.Equal(200, properties.GetProperty("authorUrl").GetProperty("maxLength").GetInt32());
        Assert.Equal(65_525, properties.GetProperty("body").GetProperty("maxLength").GetInt32());
    }
}
