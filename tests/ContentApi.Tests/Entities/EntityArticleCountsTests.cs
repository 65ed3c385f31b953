using System.Text.Json;
using ContentApi.Tests.Reads;
using Dapper;

namespace ContentApi.Tests.Entities;

/// <summary>
/// An entity's article count and five latest articles (its lists' `articleCount`, its page's
/// `latestArticles`) come from its links, which keep their article's publication time while it
/// is published (migration 0042): the count reads no article, the latest five read theirs alone.
/// </summary>
public sealed class EntityArticleCountsTests(ContentApiFixture app) : OwnDataSourceTests(app)
{
    [Theory]
    [InlineData("people", "article_people")]
    [InlineData("organisations", "article_organisations")]
    [InlineData("events", "article_events")]
    [InlineData("places", "article_places")]
    [InlineData("tags", "article_tags")]
    [InlineData("authors", "article_authors")]
    public async Task An_entity_counts_its_public_articles_and_shows_the_five_latest_reading_those_five_alone(string entities, string links)
    {
        var slug = TestDatabase.UniqueSlug("linked");
        var entityId = entities == "events"
            ? await App.Database.InsertEventAsync(slug, "Linked", new DateOnly(2001, 1, 1), new DateOnly(2001, 1, 2))
            : await App.Database.InsertEntityAsync(entities, slug, "Linked");
        var newestFirst = new List<string>();
        for (var hoursAgo = 1; hoursAgo <= 7; hoursAgo++)
        {
            var article = TestDatabase.UniqueSlug("linked");
            await App.Database.LinkAsync(links, await App.Database.InsertArticleAsync(article, publishedAt: DateTime.UtcNow.AddHours(-hoursAgo)), entityId);
            newestFirst.Add(article);
        }

        // Neither counted nor shown: a draft, and an article scheduled for tomorrow.
        await App.Database.LinkAsync(links, await App.Database.InsertArticleAsync(TestDatabase.UniqueSlug("draft"), status: "draft"), entityId);
        await App.Database.LinkAsync(links, await App.Database.InsertArticleAsync(TestDatabase.UniqueSlug("scheduled"), publishedAt: DateTime.UtcNow.AddDays(1)), entityId);

        // The transaction's own reads of the articles' rows, from PostgreSQL's counters.
        const string ArticlesRead = "select coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) from pg_stat_xact_user_tables where relname = 'articles'";
        await using var connection = await Db.OpenConnectionAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        var before = await connection.ExecuteScalarAsync<long>(new CommandDefinition(ArticlesRead, transaction: transaction, cancellationToken: Ct));
        var (count, latest) = await connection.QuerySingleAsync<(int, string)>(new CommandDefinition(
            $"select article_count(x), latest_articles_json(x)::text from {entities} x where x.id = @entityId", new { entityId }, transaction, cancellationToken: Ct));
        var read = await connection.ExecuteScalarAsync<long>(new CommandDefinition(ArticlesRead, transaction: transaction, cancellationToken: Ct)) - before;

        Assert.Equal(7, count);
        // People and organisations show each article with their role in it.
        var shown = JsonDocument.Parse(latest).RootElement.EnumerateArray()
            .Select(item => (item.TryGetProperty("article", out var article) ? article : item).GetProperty("slug").GetString());
        Assert.Equal(newestFirst[..5], shown);
        Assert.True(read <= 5, $"the count and the latest five read {read} articles");
    }
}
