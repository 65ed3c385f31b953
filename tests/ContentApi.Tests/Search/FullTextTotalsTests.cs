using System.Text.Json;
using ContentApi.Reads;

namespace ContentApi.Tests.Search;

/// <summary>
/// A full-text list's total is exact up to <see cref="FullTextQueries.ExactTotalUpTo"/> matches
/// and estimated past that, which the envelope says (migration 0035).
/// </summary>
public sealed class FullTextTotalsTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Past_the_bound_a_total_is_estimated_and_said_so_and_up_to_it_exact()
    {
        var word = $"tq{Guid.NewGuid():N}"[..12];
        var rare = $"tq{Guid.NewGuid():N}"[..12];
        var prefix = TestDatabase.UniqueSlug("totals") + "-";
        const int Matches = FullTextQueries.ExactTotalUpTo + 100;
        await app.Database.ExecuteAsync(
            """
            insert into articles (slug, title, body, status, published_at)
            select @prefix || n, 'Totals ' || n,
                   jsonb_build_array(jsonb_build_object('type', 'paragraph', 'text',
                       @word || case when n <= 3 then ' ' || @rare else '' end)),
                   'published', now() - interval '1 hour'
            from generate_series(1, @matches) n
            """,
            new { prefix, word, rare, matches = Matches });

        foreach (var url in new[] { $"/v1/search?q={word}", $"/v1/search?types=articles&q={word}", $"/v1/articles?q={word}", $"/v1/articles?q={word}&sort=relevance" })
        {
            var page = (await (await client.GetAsync(url, Ct)).ReadContractAsync<Paged<JsonElement>>()).Page;
            Assert.True(page.TotalItemsEstimated, url);
            // Never below what was counted exactly.
            Assert.True(page.TotalItems > FullTextQueries.ExactTotalUpTo, $"{url}: {page.TotalItems}");
            Assert.Equal((page.TotalItems + page.Size - 1) / page.Size, page.TotalPages);
        }

        foreach (var url in new[] { $"/v1/search?q={word}%20{rare}", $"/v1/articles?q={word}%20{rare}" })
        {
            var page = (await (await client.GetAsync(url, Ct)).ReadContractAsync<Paged<JsonElement>>()).Page;
            Assert.Equal((3L, false), (page.TotalItems, page.TotalItemsEstimated));
        }
    }
}
