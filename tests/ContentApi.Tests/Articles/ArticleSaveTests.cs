using System.Text.Json;
using ContentApi.Tests.Reads;
using Dapper;
using Npgsql;

namespace ContentApi.Tests.Articles;

/// <summary>
/// article_save (what every article write runs) writes the article's row once: a second version
/// would leave a dead one behind and a second entry in each of the table's indexes.
/// </summary>
public sealed class ArticleSaveTests(ContentApiFixture app) : OwnDataSourceTests(app)
{
    [Fact]
    public async Task A_save_writes_the_row_once_and_the_links_take_its_publication_time()
    {
        var tag = TestDatabase.UniqueSlug("once");
        await App.Database.InsertEntityAsync("tags", tag, "Written once");
        var slug = TestDatabase.UniqueSlug("once");
        await using var connection = await Db.OpenConnectionAsync(Ct);
        // Rolled back: the counts are this transaction's own.
        await using var transaction = await connection.BeginTransactionAsync(Ct);

        var created = await SaveAsync(connection, currentSlug: null, expectedVersion: null, new { title = "Written once", slug, status = "published", tags = new[] { tag } });
        Assert.Equal("Created", created);
        Assert.Equal((1L, 0L), await RowWritesAsync(connection));
        Assert.True(await LinkHasItsArticlesTimeAsync(connection, slug), "the new article's tag link has no publication time of its own");

        var saved = await SaveAsync(connection, slug, expectedVersion: 1, new { title = "Written once again", slug, status = "published", tags = new[] { tag } });
        Assert.Equal("Saved", saved);
        Assert.Equal((1L, 1L), await RowWritesAsync(connection));
        Assert.True(await LinkHasItsArticlesTimeAsync(connection, slug), "the saved article's tag link lost its publication time");
    }

    private static Task<string> SaveAsync(NpgsqlConnection connection, string? currentSlug, int? expectedVersion, object document) =>
        connection.ExecuteScalarAsync<string>(Command(
            "select outcome from article_save(@currentSlug, @expectedVersion, @document::jsonb, 'test')",
            new { currentSlug, expectedVersion, document = JsonSerializer.Serialize(document) }))!;

    // The rows of articles this transaction inserted and updated.
    private static Task<(long Inserted, long Updated)> RowWritesAsync(NpgsqlConnection connection) =>
        connection.QuerySingleAsync<(long Inserted, long Updated)>(Command(
            "select pg_stat_get_xact_tuples_inserted('articles'::regclass), pg_stat_get_xact_tuples_updated('articles'::regclass)"));

    private static Task<bool> LinkHasItsArticlesTimeAsync(NpgsqlConnection connection, string slug) =>
        connection.ExecuteScalarAsync<bool>(Command(
            """
            select l.published_at is not null and l.published_at = a.published_at
            from articles a join article_tags l on l.article_id = a.id
            where a.slug = @slug
            """,
            new { slug }));
}
