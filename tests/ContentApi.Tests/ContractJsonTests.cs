using System.Text.Json;
using ContentApi.Articles;
using ContentApi.People;

namespace ContentApi.Tests;

/// <summary>The strict reading every contract test relies on fails in each way a shape can drift.</summary>
public sealed class ContractJsonTests
{
    [Fact]
    public void A_body_that_lacks_a_member_of_the_contract_is_rejected()
    {
        const string missingArticleCount = """{"id":1,"slug":"someone","name":"Someone"}""";

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PersonSummary>(missingArticleCount, HttpAssertions.StrictJson));

        Assert.Contains("articleCount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_with_a_member_the_contract_does_not_have_is_rejected()
    {
        const string extraEmail = """{"id":1,"slug":"someone","name":"Someone","articleCount":0,"email":"a@example.com"}""";

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PersonSummary>(extraEmail, HttpAssertions.StrictJson));

        Assert.Contains("email", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_where_the_contract_allows_none_is_rejected()
    {
        const string nullName = """{"slug":"a-tag","name":null}""";

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ArticleTag>(nullName, HttpAssertions.StrictJson));
    }

    [Fact]
    public void A_complete_body_is_read()
    {
        const string complete = """{"id":1,"slug":"someone","name":"Someone","articleCount":3}""";

        var person = JsonSerializer.Deserialize<PersonSummary>(complete, HttpAssertions.StrictJson);

        Assert.Equal(new PersonSummary(1, "someone", "Someone", 3), person);
    }
}
