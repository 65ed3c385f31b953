using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace ContentApi.Tests.Infrastructure;

/// <summary>
/// The functions that reads and writes call for each article, and those every full-text statement
/// calls, that PostgreSQL never inlines (they return a row, read from subqueries or write) are
/// plpgsql, whose plans a session keeps: as SQL functions PostgreSQL 15 planned each body again on
/// every call (migrations 0025, 0028, 0038).
/// What they return is held by the tests of the documents, snippets and keys they build. The
/// changes feed's cache keys are an expression PostgreSQL inlines. The watermark's one row is
/// read by its key.
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

    // Each function of signatures (as regprocedure reads them) is written in plpgsql.
    private async Task AssertPlpgsqlAsync(string[] signatures)
    {
        var languages = await TextsAsync(
            "select f.signature || ' ' || l.lanname from unnest(@planned) f (signature) join pg_proc p on p.oid = f.signature::regprocedure join pg_language l on l.oid = p.prolang order by f.signature collate \"C\"",
            signatures);

        Assert.Equal(signatures.Order(StringComparer.Ordinal).Select(signature => $"{signature} plpgsql"), languages);
    }

    [Fact]
    public async Task Functions_called_for_each_article_keep_their_plans()
    {
        await AssertPlpgsqlAsync(
        [
            "article_linked_parts(bigint)", "article_person_json(people, text)", "article_authors_json(bigint)",
            "refresh_article_links(bigint[])", "article_links_follow(bigint, timestamp with time zone)", "snippet_tokens(text)",
            "article_body_opening(jsonb)", "api_key_identity(bytea)",
            "article_jsonld(jsonb, text)", "article_ninjs(jsonb, text)",
        ]);
    }

    [Fact]
    public async Task Functions_called_by_each_full_text_statement_keep_their_plans()
    {
        // A search calls search_query at seven sites, each planned again as an SQL function.
        await AssertPlpgsqlAsync(
        [
            "search_query(text)", "search_rank_candidates(tsquery)", "search_buckets(bigint, bigint, bigint)",
            "entity_snippet(text, bigint)",
        ]);
    }

    [Fact]
    public async Task Functions_that_read_a_words_matches_keep_their_bitmaps_exact()
    {
        // A bitmap of a word's matches outgrew the default work_mem (4 MB) past about 70,000 pages
        // and went lossy: each article on a lossy page checked again, its terms read from TOAST
        // (at 1,000,000 articles a ranked read of a word in 79,034 titles 5.7 → 0.16 s with 32 MB;
        // migrations 0048, 0050, 0052). Every function that reads the search index sets it.
        var settings = await TextsAsync(
            """
            select p.proname || ' ' || coalesce(array_to_string(p.proconfig, ' '), '')
            from pg_proc p
            where p.pronamespace = 'public'::regnamespace and p.prosrc like '%article_search_terms(%'
            order by p.proname collate "C"
            """);

        Assert.Subset(
            settings.Select(setting => setting.Split(' ')[0]).ToHashSet(),
            new HashSet<string> { "article_match_total", "article_matches_in_order", "article_linked_match_total", "article_ranked_newest", "article_ranked_matches" });
        Assert.All(settings, setting => Assert.Contains(" work_mem=32MB", setting, StringComparison.Ordinal));
    }

    // Each statement `read` runs, nested ones too, explained as it runs, with parallel workers made
    // to look free.
    private async Task<List<string>> PlansOfAsync(string read)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var plans = new List<string>();
        connection.Notice += (_, notice) => plans.Add(notice.Notice.MessageText);
        await using (var settings = new NpgsqlCommand(
                         """
                         load 'auto_explain';
                         set auto_explain.log_min_duration = 0;
                         set auto_explain.log_nested_statements = on;
                         set client_min_messages = log;
                         set parallel_setup_cost = 0;
                         set parallel_tuple_cost = 0;
                         set min_parallel_table_scan_size = 0;
                         set min_parallel_index_scan_size = 0;
                         """, connection))
        {
            await settings.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var command = new NpgsqlCommand(read, connection);
        await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        return plans;
    }

    [Fact]
    public async Task A_ranked_read_of_few_matches_starts_no_parallel_workers()
    {
        // Its one statement, a union with a branch the arguments gate off, was planned in parallel:
        // two workers started for each read, ~7 ms where the read takes ~1 (migration 0057).
        // A total of 10 known: every match read at once.
        var plans = await PlansOfAsync("select count(*) from article_ranked_matches(search_query('security'), 21, null, null, false, 10, false, 50000)");

        Assert.Contains(plans, plan => plan.Contains("ts_rank(a.rank_vector, q)", StringComparison.Ordinal));
        Assert.DoesNotContain(plans, plan => plan.Contains("Gather", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_ranked_read_of_few_matches_reads_the_newest_above_the_floor_where_they_filled_its_page(bool pageFromRanked)
    {
        // Every match at once (ranked in the union's statement), unless the list's page came from
        // the matches above the floor alone: then those, newest first, as a long list's (migration 0058).
        var plans = await PlansOfAsync(
            $"select count(*) from article_ranked_matches(search_query('security'), 21, null, null, false, 10, {pageFromRanked}, 50000)");

        Assert.Equal(!pageFromRanked, plans.Any(plan => plan.Contains("ts_rank(a.rank_vector, q)", StringComparison.Ordinal)));
        Assert.Equal(pageFromRanked, plans.Any(plan => plan.Contains("ts_rank(a.rank_vector, $1)", StringComparison.Ordinal)));
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

    [Fact]
    public async Task The_watermark_reads_its_one_row_by_key_however_far_its_table_has_grown()
    {
        // Versions superseded in one transaction cannot be pruned before it ends: the live row
        // moves on page after page (migration 0030). The values stay as they were. This VACUUM
        // cuts no pages: other tests' writes meanwhile may move the live row back to a page the
        // VACUUM of an earlier burst freed, and then every page after it would be cut.
        await TextsAsync("do $$ begin for i in 1..4000 loop update content_changes set version = version where id; end loop; end $$");
        await TextsAsync("vacuum (analyze, truncate false) content_changes");
        var pages = long.Parse((await TextsAsync("select (pg_relation_size('content_changes') / current_setting('block_size')::int)::text"))[0], CultureInfo.InvariantCulture);

        var plan = string.Concat(await TextsAsync("explain (analyze, buffers, format json) select * from content_watermark()"));

        using var document = JsonDocument.Parse(plan);
        var read = QueryPlans.Nodes(document.RootElement[0].GetProperty("Plan"))
            .Single(node => node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "content_changes");
        Assert.True(pages > 8, $"content_changes has {pages} pages: too few for the planner to prefer its key over a scan");
        // Its access path, not a count of blocks: other tests' writes meanwhile add versions the index scan may visit.
        Assert.True(
            read.TryGetProperty("Index Name", out var index) && index.GetString() == "content_changes_pkey",
            $"{read.GetProperty("Node Type")} of content_changes read {read.GetProperty("Shared Hit Blocks")} blocks of its {pages} pages");
    }
}
