using Dapper;
using ContentApi.Tests.Reads;
using Npgsql;

namespace ContentApi.Tests.Search;

/// <summary>
/// Each search reads its index's whole pending list (new entries not yet merged): writes keep
/// that list a few pages long (migration 0031), where PostgreSQL's default lets it grow to 4 MB.
/// </summary>
public sealed class SearchIndexTests(ContentApiFixture app) : OwnDataSourceTests(app)
{
    // 64 kB (the limit) is 8 pages; one article's entries may pass it before the list is merged,
    // and other tests' writes may add a few more while it is.
    private const int MostPendingPages = 16;

    [Fact]
    public async Task Article_writes_leave_the_search_index_a_short_pending_list()
    {
        await using var connection = await Db.OpenConnectionAsync(Ct);
        // Rolled back: the articles and the inspection functions (pgstattuple ships with the server).
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await connection.ExecuteAsync(Command("create extension if not exists pgstattuple"));
        var pagesBefore = await PendingPagesAsync(connection);

        // 40 articles of 400 words found nowhere else: 16,000 new entries, ~120 pages of pending
        // list were it merged only past PostgreSQL's default 4 MB.
        const int articles = 40;
        var prefix = TestDatabase.UniqueSlug("pending") + "-";
        var written = await connection.ExecuteAsync(Command(
            """
            insert into articles (slug, title, body, status, published_at)
            select @prefix || n, 'Pending ' || n,
                   jsonb_build_array(jsonb_build_object('type', 'paragraph', 'text',
                       (select string_agg('pq' || md5(@prefix || n || '-' || w), ' ') from generate_series(1, 400) w))),
                   'published', now() - interval '1 hour'
            from generate_series(1, @articles) n
            """,
            new { prefix, articles }));

        Assert.Equal(articles, written);
        var pagesAfter = await PendingPagesAsync(connection);
        Assert.True(pagesAfter <= MostPendingPages, $"the pending list went from {pagesBefore} to {pagesAfter} pages");
    }

    private static Task<long> PendingPagesAsync(NpgsqlConnection connection) =>
        connection.ExecuteScalarAsync<long>(Command("select pending_pages::bigint from pgstatginindex('articles_search_idx')"));
}
