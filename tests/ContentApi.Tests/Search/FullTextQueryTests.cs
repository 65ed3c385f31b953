using System.Text.Json;
using ContentApi.Reads;

namespace ContentApi.Tests.Search;

/// <summary>
/// What a query finds once PostgreSQL has dropped its words too common to search: nothing when
/// none is left to find, and a 400 when exclusions are left alone (migration 0037,
/// <see cref="FullTextQueries.HasPositiveTerm"/>).
/// </summary>
public sealed class FullTextQueryTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/search?q=the")]
    [InlineData("/v1/search?types=articles&q=the%20a")]
    [InlineData("/v1/articles?q=an%20the&sort=relevance")]
    [InlineData("/v1/articles?q=the%20an")]
    [InlineData("/v1/search?q=%22the%20a%22")]
    public async Task A_query_of_words_too_common_to_search_finds_nothing_on_every_page(string url)
    {
        // A ranked list's first page reads its matches a window of ids at a time; the next, its
        // total known to be short, all at once (migrations 0034 and 0036).
        for (var request = 0; request < 2; request++)
        {
            var page = await (await client.GetAsync(url, Ct)).ReadContractAsync<Paged<JsonElement>>();

            Assert.Empty(page.Items);
            Assert.Equal((0L, false), (page.Page.TotalItems, page.Page.TotalItemsEstimated));
        }
    }

    [Theory]
    [InlineData("security", true, true)]
    [InlineData("moscow -terrorism", true, true)]
    [InlineData("security or moscow -terrorism", true, true)]
    [InlineData("the", false, true)]
    [InlineData("\"the a\" -the", false, true)]
    [InlineData("the -security", false, false)]
    [InlineData("a -security or moscow", false, false)]
    [InlineData("security OR -moscow", false, false)]
    [InlineData("- security", false, false)]
    [InlineData("--security", true, true)]
    [InlineData("security - moscow", true, true)]
    public async Task A_query_finds_something_with_a_word_to_find_in_each_alternative(string q, bool findsSomething, bool accepted)
    {
        Assert.Equal(findsSomething, await app.Database.ScalarAsync<bool>("select search_query(@q) is not null", new { q }));
        Assert.Equal(accepted, FullTextQueries.HasPositiveTerm(q));
    }

    [Fact]
    public async Task The_words_the_api_knows_as_too_common_are_postgresqls()
    {
        var stopFile = await app.Database.ScalarAsync<string>(
            "select pg_read_file(setting || '/tsearch_data/english.stop') from pg_config where name = 'SHAREDIR'");
        var postgres = stopFile.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.Equal(postgres.Order(StringComparer.Ordinal), FullTextQueries.EnglishStopWords.Order(StringComparer.Ordinal));
    }
}
