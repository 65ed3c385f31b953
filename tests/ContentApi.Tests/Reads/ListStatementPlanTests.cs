using System.Text.Json;
using ContentApi.Articles;
using ContentApi.Comments;
using ContentApi.Reads;
using ContentApi.Search;
using Npgsql;

namespace ContentApi.Tests.Reads;

/// <summary>
/// A list page's head (the watermark, the parent check and the total) is computed once per page,
/// not once per item: PostgreSQL's own count of each part's runs (<c>explain analyze</c>) for
/// pages sharing one statement, as the API sends them. A ranked list holds its matches narrow. A
/// list that matches a phrase in its own statement checks it by the articles' terms.
/// </summary>
public sealed class ListStatementPlanTests(ContentApiFixture app) : OwnDataSourceTests(app)
{
    private const int Items = 6;

    [Fact]
    public async Task Pages_of_a_filter_count_their_totals_once_each()
    {
        List<string> people = [await PersonWithArticlesAsync("planned"), await PersonWithArticlesAsync("planned")];

        var pages = people.ConvertAll(person => PublicReads.PageStatement.Of(
            ArticleQueries.ListSpec(new ListArticlesQuery { Person = person }), size: Items, cursor: null, offset: 0, known: null));

        await AssertHeadRunsOncePerPageAsync(pages);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_filtered_page_looks_up_its_entity_once(bool entitysOwnList)
    {
        // The filter's entity is the page's parent, found in the head and read by the count and
        // the items; looked up in each, it took two lookups a page, and three on the person's own
        // list of articles, which also checked that the person exists.
        var query = new ListArticlesQuery { Person = await PersonWithArticlesAsync("looked-up") };
        var spec = entitysOwnList ? ArticleQueries.ListSpec(query, notFoundDetail: "No person has the slug.") : ArticleQueries.ListSpec(query);

        var root = await PlanAsync([PublicReads.PageStatement.Of(spec, size: Items, cursor: null, offset: 0, known: null)]);

        Assert.Equal(Items, ItemsRead(root));
        var lookup = Assert.Single(QueryPlans.Nodes(root), node => node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "people");
        Assert.Equal(1, lookup.GetProperty("Actual Loops").GetInt64());
    }

    [Fact]
    public async Task Comment_pages_check_their_article_and_count_their_comments_once_each()
    {
        var slugs = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var slug = TestDatabase.UniqueSlug("planned");
            var articleId = await App.Database.InsertArticleAsync(slug);
            await App.Database.InsertApprovedCommentsAsync(articleId, Items);

            slugs.Add(slug);
        }

        var pages = slugs.ConvertAll(slug => PublicReads.PageStatement.Of(CommentQueries.PublicListSpec(slug, tree: false), size: Items, cursor: null, offset: 0, known: null));

        await AssertHeadRunsOncePerPageAsync(pages);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("approved")]
    public async Task The_moderation_queue_reads_a_page_of_its_comments_not_all_of_them(string? status)
    {
        // Its total, of the whole queue or of a status, is kept (migration 0059): counted, each
        // page read every comment of the queue (at 1,000,000 comments 0.10–0.15 s a page).
        var articleId = await App.Database.InsertArticleAsync(TestDatabase.UniqueSlug("queued"));
        await App.Database.InsertApprovedCommentsAsync(articleId, Items * 5);
        var spec = CommentQueries.ModerationQueueSpec(new ModerationQueueQuery { Status = status });

        // Its items through the queue's index, as at any size worth a plan: on the test's small
        // table the planner may read and sort all of them instead (174 in one full run).
        var root = await PlanAsync(
            [PublicReads.PageStatement.Of(spec, size: Items, cursor: null, offset: 0, known: null)],
            "set enable_seqscan = off; set enable_bitmapscan = off; set max_parallel_workers_per_gather = 0");

        // The page and one more, that tells whether another page follows.
        Assert.Equal(Items + 1, RowsRead(root, "comments"));
    }

    [Theory]
    [InlineData("articles")]
    [InlineData("comments")]
    [InlineData("search")]
    public async Task A_page_looks_up_the_newest_visible_publication_once(string list)
    {
        // The watermark's newest visible publication is a subquery on the articles; the head names
        // it in its output, in both halves of the known total's check and in the count's condition.
        var slug = TestDatabase.UniqueSlug("watermarked");
        await App.Database.InsertArticleAsync(slug);
        var spec = list switch
        {
            "articles" => ArticleQueries.ListSpec(new ListArticlesQuery()),
            "comments" => CommentQueries.PublicListSpec(slug, tree: false),
            _ => SearchQueries.ListSpec(new SearchQuery { Q = "watermarked" }),
        };

        var root = await PlanAsync([PublicReads.PageStatement.Of(spec, size: Items, cursor: null, offset: 0, known: null)]);

        var newestPublications = QueryPlans.Nodes(root)
            .Where(node => node.TryGetProperty("Subplan Name", out var name) && name.GetString()!.StartsWith("InitPlan", StringComparison.Ordinal))
            .Where(initPlan => QueryPlans.Nodes(initPlan).Any(node => node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "articles"))
            .ToList();
        Assert.Single(newestPublications);
    }

    [Theory]
    [InlineData("articles")]
    [InlineData("search")]
    [InlineData("search of articles")]
    public async Task A_ranked_list_holds_a_key_and_a_rank_for_each_match_not_its_text(string list)
    {
        // Every match is held for the count and the sort before the page is known. 300 matches
        // with their summaries, titles and snippets (~0.5 kB each) need more than the least
        // memory PostgreSQL allows a sort (64 kB) and went to disk; their keys and ranks do not.
        const int matches = 300;
        var word = "heldrank" + Guid.NewGuid().ToString("N")[..10];
        await App.Database.ExecuteAsync(
            """
            insert into articles (slug, title, summary, body, status, published_at)
            select @prefix || n, 'Ranked ' || @word || ' ' || n, 'A summary of the kind a ranked list must not hold ' || repeat('for every match ', 20),
                   jsonb_build_array(jsonb_build_object('type', 'paragraph', 'text', repeat(@word || ' among other words ', 1 + n % 3))),
                   'published', now() - interval '1 hour'
            from generate_series(1, @matches) n
            """,
            new { prefix = TestDatabase.UniqueSlug("held") + "-", word, matches });
        var spec = list switch
        {
            "articles" => ArticleQueries.ListSpec(new ListArticlesQuery { Q = word, Sort = ArticleSorts.Relevance }),
            "search" => SearchQueries.ListSpec(new SearchQuery { Q = word }),
            _ => SearchQueries.ListSpec(new SearchQuery { Q = word, Types = "articles" }),
        };

        var root = await PlanAsync([PublicReads.PageStatement.Of(spec, size: Items, cursor: null, offset: 0, known: null)], "set work_mem = '64kB'");

        Assert.Equal(Items + 1, ItemsRead(root));
        Assert.All(QueryPlans.Nodes(root), node => Assert.True(
            node.GetProperty("Temp Written Blocks").GetInt64() == 0,
            $"{node.GetProperty("Node Type")} wrote {node.GetProperty("Temp Written Blocks")} blocks to disk"));
    }

    [Fact]
    public async Task A_list_matching_a_phrase_in_its_own_statement_checks_it_by_the_articles_terms()
    {
        // A list beside two filters of links, or an editor's list of drafts, scheduled or archived
        // articles, matches q in its own statement (ArticleQueries.MatchesQuery): the search index
        // is given the phrase's words, and each article found with them apart is checked by its
        // search_vector. Given the phrase, the index rechecked each one by its expression, rebuilt
        // from the row (~49 µs an article at 100,000, ~15 by search_vector). Read through the
        // search index, as where the words are in many articles.
        var (first, second) = ("phrased" + Guid.NewGuid().ToString("N")[..10], "phrased" + Guid.NewGuid().ToString("N")[..10]);
        await App.Database.ExecuteAsync(
            """
            insert into articles (slug, title, summary, body, status, published_at)
            select @prefix || n, 'Phrased ' || n, 'A summary.',
                   jsonb_build_array(jsonb_build_object('type', 'paragraph', 'text',
                       case when n % 3 = 0 then @first || ' ' || @second else @second || ' then ' || @first end || ' in a story.')),
                   'published', now() - interval '1 hour'
            from generate_series(1, 30) n
            """,
            new { prefix = TestDatabase.UniqueSlug("phrased") + "-", first, second });
        await using var connection = await Db.OpenConnectionAsync(Ct);
        // One process: a parallel plan's counts are each worker's.
        await using (var set = new NpgsqlCommand("set enable_seqscan = off; set max_parallel_workers_per_gather = 0", connection))
        {
            await set.ExecuteNonQueryAsync(Ct);
        }

        await using var command = new NpgsqlCommand($"explain (analyze, format json) select count(*) from articles a where {ArticleQueries.MatchesQuery}", connection);
        command.Parameters.AddWithValue("q", $"\"{first} {second}\"");
        using var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync(Ct))!);

        var searched = Assert.Single(QueryPlans.Nodes(plan.RootElement[0].GetProperty("Plan")), node => node.TryGetProperty("Recheck Cond", out _));
        Assert.Contains("article_search_terms", searched.GetProperty("Recheck Cond").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            (10L, 0L, 20L),
            (searched.GetProperty("Actual Rows").GetInt64(),
             searched.TryGetProperty("Rows Removed by Index Recheck", out var rechecked) ? rechecked.GetInt64() : 0,
             searched.GetProperty("Rows Removed by Filter").GetInt64()));
    }

    [Fact]
    public async Task An_event_date_range_alone_reads_the_articles_of_its_page_only()
    {
        // The links of the events in range give the page's order and total. Walked from the articles
        // by date, a page read every public article newer than its last item (all of them for a
        // range no event overlaps); joined from the links, every article in range.
        var start = new DateOnly(3000 + Random.Shared.Next(5000), 1, 1);
        var eventId = await App.Database.InsertEventAsync(TestDatabase.UniqueSlug("ranged"), "Ranged", start, start.AddDays(1));
        for (var i = 0; i < 10; i++)
        {
            // Published before every other test's articles: a walk by date passes them all first.
            var articleId = await App.Database.InsertArticleAsync(TestDatabase.UniqueSlug("ranged"), publishedAt: new DateTime(1990, 1, 1, 0, i, 0, DateTimeKind.Utc));
            await App.Database.LinkAsync("article_events", articleId, eventId);
        }

        var spec = ArticleQueries.ListSpec(new ListArticlesQuery { EventFrom = start.AddDays(1), EventTo = start.AddDays(5) });
        var root = await PlanAsync([PublicReads.PageStatement.Of(spec, size: 2, cursor: null, offset: 0, known: null)]);

        Assert.Equal(3, ItemsRead(root));
        var articlesRead = RowsRead(root, "articles");
        // The three the page reads (its two and one more) and the watermark's newest publication.
        Assert.True(articlesRead <= 4, $"the page read {articlesRead} articles");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_moderation_queue_page_reads_the_articles_of_its_own_comments_only(bool ofOneArticle)
    {
        // Each comment shows its article's slug. Joined to the articles to filter by slug, the
        // queue read the article of every comment it counted and sorted (at 1,000,000 comments,
        // 3.8 s a page of the pending queue).
        var slug = TestDatabase.UniqueSlug("queued");
        var articleId = await App.Database.InsertArticleAsync(slug);
        for (var i = 0; i < 10; i++)
        {
            var other = await App.Database.InsertArticleAsync(TestDatabase.UniqueSlug("queued"));
            await App.Database.ExecuteAsync(
                """
                insert into comments (article_id, author_name, body, body_hash, status)
                select id, 'Reader', 'Awaiting moderation', '\x00', 'pending' from unnest(array[@articleId, @other]) id
                """,
                new { articleId, other });
        }

        var query = new ModerationQueueQuery { Status = "pending", Article = ofOneArticle ? slug : null };
        var root = await PlanAsync([PublicReads.PageStatement.Of(CommentQueries.ModerationQueueSpec(query), size: 2, cursor: null, offset: 0, known: null)]);

        Assert.Equal(3, ItemsRead(root));
        var articlesRead = RowsRead(root, "articles");
        // The three comments' articles (the page's two and one more), the watermark's newest
        // publication, and the article named, found by its slug.
        Assert.True(articlesRead <= (ofOneArticle ? 5 : 4), $"the page read {articlesRead} articles");
    }

    [Theory]
    [InlineData("draft")]
    [InlineData("archived")]
    [InlineData("published")]
    [InlineData("scheduled")]
    public async Task An_editors_list_reads_its_articles_in_the_order_of_an_index(string status)
    {
        // Ordered by an expression that no index held (the publication time, else the last
        // change), each page of an editors' list read and sorted every article of its status:
        // at 100,000 articles, 0.3–0.4 s a page of the published ones.
        for (var i = 0; i < 3; i++)
        {
            await App.Database.InsertArticleAsync(
                TestDatabase.UniqueSlug("edited"), status: status == "scheduled" ? "published" : status,
                publishedAt: status switch { "draft" => null, "scheduled" => DateTime.UtcNow.AddDays(1), _ => DateTime.UtcNow.AddHours(-1) });
        }

        var spec = ArticleQueries.ListSpec(new ListArticlesQuery { Status = status });
        var root = await PlanAsync([PublicReads.PageStatement.Of(spec, size: 2, cursor: null, offset: 0, known: null)], "set enable_sort = off");

        Assert.Equal(3, ItemsRead(root));
        Assert.DoesNotContain(QueryPlans.Nodes(root), node => node.GetProperty("Node Type").GetString() == "Sort");
    }

    [Theory]
    [InlineData("publishedTo")]
    [InlineData("language")]
    public async Task A_list_by_title_filtered_by_the_articles_own_columns_walks_the_title_index_alone(string filter)
    {
        // A filter few articles pass made the title walk read nearly every article's row, to
        // check each one's publication time or language (at 100,000 articles, publishedTo=1990-01-01
        // 582 ms a page). The title index holds both (migration 0046).
        for (var i = 0; i < 3; i++)
        {
            await App.Database.InsertArticleAsync(TestDatabase.UniqueSlug("titled"), language: "qz", publishedAt: new DateTime(1900, 1, 1, 0, i, 0, DateTimeKind.Utc));
        }

        var query = filter == "language"
            ? new ListArticlesQuery { Language = "qz", Sort = ArticleSorts.Title }
            : new ListArticlesQuery { PublishedTo = new DateOnly(1900, 1, 1), Sort = ArticleSorts.Title };
        var root = await PlanAsync([PublicReads.PageStatement.Of(ArticleQueries.ListSpec(query), size: 2, cursor: null, offset: 0, known: null)], "set enable_sort = off");

        Assert.Equal(3, ItemsRead(root));
        var titleWalks = QueryPlans.Nodes(root).Where(node => node.TryGetProperty("Index Name", out var index) && index.GetString() == "articles_title_idx").ToList();
        Assert.NotEmpty(titleWalks);
        Assert.All(titleWalks, node => Assert.Equal("Index Only Scan", node.GetProperty("Node Type").GetString()));
    }

    [Theory]
    [InlineData(ArticleSorts.Newest)]
    [InlineData(ArticleSorts.Title)]
    public async Task A_list_beside_a_tag_within_a_publication_range_reads_the_tags_links_within_that_range(string sort)
    {
        // Bounded on the articles alone, the page and its count read every link of the tag, or
        // every article of the range (at 1,000,000 articles, from 2024 with a tag of 6,000:
        // 1.5 s, by title 3.2 s).
        var tag = TestDatabase.UniqueSlug("ranged");
        var tagId = await App.Database.InsertEntityAsync("tags", tag, "Ranged");
        var day = new DateTime(1901, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(Random.Shared.Next(20_000));
        for (var i = 0; i < 30; i++)
        {
            var articleId = await App.Database.InsertArticleAsync(TestDatabase.UniqueSlug("ranged"), publishedAt: day.AddDays(i - 27));
            await App.Database.LinkAsync("article_tags", articleId, tagId);
        }

        var query = new ListArticlesQuery { Tag = tag, PublishedFrom = DateOnly.FromDateTime(day), Sort = sort };
        var root = await PlanAsync([PublicReads.PageStatement.Of(ArticleQueries.ListSpec(query), size: 2, cursor: null, offset: 0, known: null)]);

        // The tag's links are read with the range as a condition of their own: where the links'
        // index of entity and time bounds the read (which the planner takes for a large tag; for
        // this one it may read the 30 links and filter them).
        var linkConditions = QueryPlans.Nodes(root)
            .Where(node => (node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "article_tags")
                           || (node.TryGetProperty("Index Name", out var index) && index.GetString()!.StartsWith("article_tags", StringComparison.Ordinal)))
            .SelectMany(node => new[] { "Index Cond", "Recheck Cond", "Filter" }.Select(name => node.TryGetProperty(name, out var condition) ? condition.GetString() : null))
            .OfType<string>()
            .ToList();
        Assert.Contains(linkConditions, condition => condition.Contains("published_at >= ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ArticleSorts.Newest, null)]
    [InlineData(ArticleSorts.Title, null)]
    [InlineData(ArticleSorts.Title, "security")]
    public async Task A_list_within_an_event_range_that_no_event_overlaps_reads_no_article(string sort, string? q)
    {
        // Beside another filter the range is a condition on the articles the list walks: for a
        // range no event overlaps, it walked them all (at 1,000,000 articles, 503 after 5 s). After
        // every test's events (ArticleFilterTests' end before 9901). Beside q, with a tag and a
        // person too: q beside an event range alone, or beside one entity as well, reads the links
        // in migration 0050's functions (and 0053's).
        string? tag = null, person = null;
        if (q is not null)
        {
            (tag, person) = (TestDatabase.UniqueSlug("unranged"), TestDatabase.UniqueSlug("unranged"));
            var articleId = await App.Database.InsertArticleAsync(TestDatabase.UniqueSlug("unranged"), body: $"About {q}.");
            await App.Database.LinkAsync("article_tags", articleId, await App.Database.InsertEntityAsync("tags", tag, "Unranged"));
            await App.Database.LinkAsync("article_people", articleId, await App.Database.InsertEntityAsync("people", person, "Unranged"), "subject");
        }

        var query = new ListArticlesQuery { EventFrom = new DateOnly(9990, 1, 1), Language = "en", Q = q, Tag = tag, Person = person, Sort = sort };
        var root = await PlanAsync([PublicReads.PageStatement.Of(ArticleQueries.ListSpec(query), size: 2, cursor: null, offset: 0, known: null)]);

        var eventLinkReads = QueryPlans.Nodes(root).Where(node => node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "article_events").ToList();
        Assert.NotEmpty(eventLinkReads);
        Assert.All(eventLinkReads, node => Assert.Equal(0, node.GetProperty("Actual Loops").GetInt64()));
        Assert.Equal(0, ItemsRead(root));
    }

    // The slug of a new person with Items published articles.
    private async Task<string> PersonWithArticlesAsync(string prefix)
    {
        var person = TestDatabase.UniqueSlug(prefix);
        var personId = await App.Database.InsertEntityAsync("people", person, $"Person {person}");
        for (var j = 0; j < Items; j++)
        {
            var articleId = await App.Database.InsertArticleAsync(TestDatabase.UniqueSlug(prefix));
            await App.Database.LinkAsync("article_people", articleId, personId, "subject");
        }

        return person;
    }

    // Runs the pages in one shared statement under explain analyze: each page gets its items,
    // and no part of the plan outside the pages' items runs more often than there are pages.
    private async Task AssertHeadRunsOncePerPageAsync(List<PublicReads.PageStatement> pages)
    {
        var root = await PlanAsync(pages);

        Assert.Equal(pages.Count, root.GetProperty("Actual Rows").GetInt64());
        Assert.Equal(pages.Count * Items, ItemsRead(root));
        var subplans = QueryPlans.Nodes(root).Where(node => node.TryGetProperty("Subplan Name", out _)).ToList();
        Assert.NotEmpty(subplans);
        Assert.All(subplans, node => Assert.True(
            node.GetProperty("Actual Loops").GetInt64() <= pages.Count,
            $"{node.GetProperty("Subplan Name")} ran {node.GetProperty("Actual Loops")} times for {pages.Count} pages of {Items} items"));
    }

    // The items the pages' statements read (one past each page, when there are more): the rows
    // into the aggregate that makes each page's items one value (its outer plan; a ranked list's
    // aggregate also has the floor rank's query, an init plan).
    private static long ItemsRead(JsonElement root)
    {
        var page = Assert.Single(QueryPlans.Nodes(root), node =>
            node.GetProperty("Node Type").GetString() == "Aggregate"
            && node.GetProperty("Output").EnumerateArray().Any(output => output.GetString()!.StartsWith("string_agg(", StringComparison.Ordinal)));
        var items = Assert.Single(page.GetProperty("Plans").EnumerateArray(), plan => plan.GetProperty("Parent Relationship").GetString() == "Outer");
        return items.GetProperty("Actual Rows").GetInt64() * items.GetProperty("Actual Loops").GetInt64();
    }

    // The rows the plan's scans of a table gave, over all their runs.
    private static long RowsRead(JsonElement root, string table) =>
        QueryPlans.Nodes(root)
            .Where(node => node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == table)
            .Sum(node => node.GetProperty("Actual Rows").GetInt64() * node.GetProperty("Actual Loops").GetInt64());

    // The plan of the pages' shared statement as PostgreSQL ran it, after `setting` in the same session.
    private async Task<JsonElement> PlanAsync(List<PublicReads.PageStatement> pages, string setting = "reset work_mem")
    {
        var first = pages[0];
        await using var connection = await Db.OpenConnectionAsync(Ct);
        await using (var set = new NpgsqlCommand(setting, connection))
        {
            await set.ExecuteNonQueryAsync(Ct);
        }

        await using var command = new NpgsqlCommand(
            "explain (analyze, buffers, verbose, format json) " + CoalescedListStatements.Batched(first.Sql, first.Parameters.Names), connection);
        SqlParameters.AddColumnsTo(command, pages.ConvertAll(page => page.Parameters));
        using var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync(Ct))!);
        return plan.RootElement[0].GetProperty("Plan").Clone();
    }
}
