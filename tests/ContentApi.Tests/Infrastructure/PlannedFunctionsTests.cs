using Npgsql;

namespace ContentApi.Tests.Infrastructure;

/// <summary>
/// The functions that reads and writes call for each article and that PostgreSQL never inlines
/// (they return a row, read from subqueries or write) are plpgsql, whose plans a session keeps:
/// as SQL functions PostgreSQL 15 planned each body again on every call (migrations 0025, 0028).
/// What they return is held by the tests of the documents, snippets and keys they build. The
/// changes feed's cache keys are an expression PostgreSQL inlines.
/// </summary>
public sealed class PlannedFunctionsTests(ContentApiFixture app)
{
    // The first column of each row of sql, with @planned bound to planned when given.
    private async Task<List<string>> TextsAsync(string sql, string[]? planned = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        if (planned is not null)
        {
            command.Parameters.AddWithValue("planned", planned);
        }

        var texts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            texts.Add(reader.GetString(0));
        }

        return texts;
    }

    [Fact]
    public async Task Functions_called_for_each_article_keep_their_plans()
    {
        string[] planned =
        [
            "article_linked_parts(bigint)", "article_person_json(people, text)", "article_authors_json(bigint)",
            "refresh_article_links(bigint[])", "snippet_tokens(text)", "article_body_opening(jsonb)", "api_key_identity(bytea)",
            "article_jsonld(jsonb, text)", "article_ninjs(jsonb, text)",
        ];
        var languages = await TextsAsync(
            "select f.signature || ' ' || l.lanname from unnest(@planned) f (signature) join pg_proc p on p.oid = f.signature::regprocedure join pg_language l on l.oid = p.prolang order by f.signature collate \"C\"",
            planned);

        Assert.Equal(planned.Order(StringComparer.Ordinal).Select(signature => $"{signature} plpgsql"), languages);
    }

    [Fact]
    public async Task The_cache_keys_of_each_change_are_an_expression_of_the_statement_that_names_them()
    {
        // Inlined, the function is gone from the plan (migration 0029); called, it runs as a query of its own for each item.
        var plan = await TextsAsync(
            "explain (verbose, costs off) select content_outbox_keys('comment', c.id, c.article_id), content_outbox_keys('tag', t.id) from comments c, tags t");

        Assert.Contains(plan, line => line.Contains("'comments:'::text || (c.article_id)::text", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("content_outbox_keys", StringComparison.Ordinal));
    }
}
