using System.Net;
using ContentApi.Articles;
using ContentApi.Reads;
using ContentApi.Search;
using ContentApi.Tests.Articles;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Reads;

/// <summary>
/// Validators and totals that must move with one change and with nothing else: a database of
/// their own, so that no test running alongside moves them and each assertion can fail.
/// </summary>
public sealed class QuietDatabaseTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ContentApiFixture app = new();

    public ValueTask InitializeAsync() => app.InitializeAsync();

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<(string Tag, long TagId)> TagWithOneArticleAsync()
    {
        var tag = TestDatabase.UniqueSlug("quiet");
        var tagId = await app.Database.InsertEntityAsync("tags", tag, "Quiet");
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("quiet-now")), tagId);
        return (tag, tagId);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, System.Net.Http.Headers.EntityTagHeaderValue? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (ifNoneMatch is not null)
        {
            request.Headers.IfNoneMatch.Add(ifNoneMatch);
        }

        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_scheduled_article_becoming_visible_changes_the_list_validators_without_a_write()
    {
        var client = app.CreateClient();
        var (tag, tagId) = await TagWithOneArticleAsync();
        var publishAt = DateTime.UtcNow.AddSeconds(4);
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("quiet-later"), publishedAt: publishAt), tagId);
        string[] lists = [$"/v1/tags/{tag}/articles", $"/v1/articles?tag={tag}", "/v1/articles"];

        var before = new List<(HttpResponseMessage First, HttpResponseMessage Again)>();
        foreach (var url in lists)
        {
            var first = await GetAsync(client, url);
            before.Add((first, await GetAsync(client, url, first.Headers.ETag)));
        }

        var readBeforeTime = DateTime.UtcNow < publishAt;
        await PublicationTime.PastAsync(publishAt, TimeSpan.FromMilliseconds(500), Ct);
        var after = new List<HttpResponseMessage>();
        foreach (var (url, (first, _)) in lists.Zip(before))
        {
            after.Add(await GetAsync(client, url, first.Headers.ETag));
        }

        Assert.True(readBeforeTime, "the reads meant to happen before the publication time took longer than 4 s");
        foreach (var ((first, again), later) in before.Zip(after))
        {
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(HttpStatusCode.OK, later.StatusCode);
            Assert.NotEqual(first.Headers.ETag, later.Headers.ETag);
        }

        var tagList = await after[0].ReadContractAsync<Paged<ArticleSummary>>();
        Assert.Equal((1, 2), ((await before[0].First.ReadContractAsync<Paged<ArticleSummary>>()).Page.TotalItems, tagList.Page.TotalItems));
    }

    /// <param name="more">Articles tagged beside the first: a short list is counted on each request, a long one remembered (<see cref="ListTotals.CountedEachTimeUpTo"/>).</param>
    [Theory]
    [InlineData(0)]
    [InlineData(ListTotals.CountedEachTimeUpTo)]
    public async Task A_list_total_follows_a_change_in_that_list(int more)
    {
        var client = app.CreateClient();
        var (tag, tagId) = await TagWithOneArticleAsync();
        for (var i = 0; i < more; i++)
        {
            await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("quiet-long")), tagId);
        }

        var url = $"/v1/articles?tag={tag}";
        async Task<long> TotalAsync() => (await (await GetAsync(client, url)).ReadContractAsync<Paged<ArticleSummary>>()).Page.TotalItems;

        var first = await TotalAsync();
        var cached = await TotalAsync();
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("quiet-more")), tagId);
        var added = await TotalAsync();
        await app.Database.ExecuteAsync("update articles set status = 'archived' where id in (select article_id from article_tags where tag_id = @tagId)", new { tagId });
        var archived = await TotalAsync();
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("quiet-again")), tagId);
        var again = await TotalAsync();

        Assert.Equal((1 + more, 1 + more, 2 + more, 0, 1), (first, cached, added, archived, again));
    }

    /// <summary>
    /// A full-text list's short total is remembered (<see cref="ListSpec.KeepsShortTotal"/>: its
    /// count reads the query's words' entries however few articles match), and follows each change
    /// of its matches all the same.
    /// </summary>
    [Fact]
    public async Task A_short_full_text_total_is_remembered_and_follows_a_change_in_its_matches()
    {
        var client = app.CreateClient();
        // Letters only: one word, in the titles alone.
        var word = "quiet" + string.Concat(Guid.NewGuid().ToString("N")[..10].Select(c => (char)('a' + c % 16)));
        var totals = app.Services.GetRequiredService<ListTotals>();
        var scope = SearchQueries.ListSpec(new SearchQuery { Q = word }).Scope;
        async Task<long> MatchAsync() => await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("quiet-match"), title: $"Quiet {word}");
        async Task<long> TotalAsync() => (await (await GetAsync(client, $"/v1/search?q={word}")).ReadContractAsync<Paged<SearchHit>>()).Page.TotalItems;

        await MatchAsync();
        var first = await TotalAsync();
        var remembered = totals.Get(scope);
        var again = await TotalAsync();
        await MatchAsync();
        var added = await TotalAsync();
        await app.Database.ExecuteAsync("update articles set status = 'archived' where title = @title", new { title = $"Quiet {word}" });
        var archived = await TotalAsync();
        await MatchAsync();
        var back = await TotalAsync();

        Assert.Equal(1, remembered?.Total);
        Assert.Equal((1, 1, 2, 0, 1), (first, again, added, archived, back));
    }

    /// <summary>
    /// A long list (its total remembered, <see cref="ListTotals.CountedEachTimeUpTo"/>) for each
    /// filter, and an editor's list of published articles (<see cref="ListSpec.RemembersTotal"/>),
    /// and each change that moves articles in or out of one: every total follows it.
    /// </summary>
    [Fact]
    public async Task Article_list_totals_follow_each_change_of_their_members()
    {
        var client = app.CreateClient();
        var editor = (await EditorClient.CreateAsync(app)).Http;
        var many = ListTotals.CountedEachTimeUpTo + 10;
        var prefix = TestDatabase.UniqueSlug("members");
        // Letters only: one word, in the titles alone.
        var word = "quiet" + string.Concat(Guid.NewGuid().ToString("N")[..10].Select(c => (char)('a' + c % 16)));
        var tag = await app.Database.InsertEntityAsync("tags", prefix + "-tag", "Quiet tag");
        var person = await app.Database.InsertEntityAsync("people", prefix + "-person", "Quiet Person");
        var author = await app.Database.ScalarAsync<long>("insert into authors (slug, name) values (@slug, 'Quiet Author') returning id", new { slug = prefix + "-author" });
        var quietEvent = await app.Database.InsertEventAsync(prefix + "-event", "Quiet event", new DateOnly(2030, 5, 1), new DateOnly(2030, 5, 2));
        var articles = (await app.Database.QueryAsync<long>(
            """
            insert into articles (slug, title, summary, body, language, status, published_at)
            select @prefix || '-' || n, 'Quiet ' || @word || ' ' || n, 'A test article.',
                   jsonb_build_array(jsonb_build_object('type', 'paragraph', 'text', 'Body ' || n)), 'de', 'published', now() - interval '1 minute'
            from generate_series(1, @many) n
            returning id
            """, new { prefix, word, many })).Order().ToList();
        await app.Database.ExecuteAsync(
            """
            insert into article_tags (article_id, tag_id) select id, @tag from unnest(@articles) id;
            insert into article_people (article_id, person_id) select id, @person from unnest(@articles) id;
            insert into article_authors (article_id, author_id) select id, @author from unnest(@articles) id;
            insert into article_events (article_id, event_id) select id, @quietEvent from unnest(@articles) id;
            """, new { tag, person, author, quietEvent, articles = articles.ToArray() });

        var lists = new Dictionary<string, (HttpClient Client, string Url)>
        {
            ["tag"] = (client, $"/v1/articles?tag={prefix}-tag"),
            ["tag page"] = (client, $"/v1/tags/{prefix}-tag/articles"),
            ["person"] = (client, $"/v1/articles?person={prefix}-person"),
            ["author"] = (client, $"/v1/articles?author={prefix}-author"),
            ["event dates"] = (client, "/v1/articles?eventFrom=2030-01-01&eventTo=2030-12-31"),
            ["language"] = (client, "/v1/articles?language=de"),
            ["words"] = (client, $"/v1/articles?q={word}"),
            ["words by relevance"] = (client, $"/v1/articles?q={word}&sort=relevance"),
            ["words, an editor's"] = (editor, $"/v1/articles?status=published&q={word}"),
            ["words by relevance, an editor's"] = (editor, $"/v1/articles?status=published&q={word}&sort=relevance"),
        };
        async Task<long[]> TotalsAsync()
        {
            var totals = new List<long>();
            foreach (var (listClient, url) in lists.Values)
            {
                var response = await GetAsync(listClient, url);
                totals.Add(response.StatusCode == HttpStatusCode.NotFound ? -1 : (await response.ReadContractAsync<Paged<ArticleSummary>>()).Page.TotalItems);
            }

            return [.. totals];
        }

        var steps = new List<(string Change, long[] Totals)> { ("none", await TotalsAsync()), ("read again", await TotalsAsync()) };
        Assert.Equal(many, app.Services.GetRequiredService<ListTotals>().Get(ArticleQueries.ListSpec(new ListArticlesQuery { Status = "published", Q = word }).Scope)?.Total);
        async Task StepAsync(string change, string sql, object args)
        {
            await app.Database.ExecuteAsync(sql, args);
            steps.Add((change, await TotalsAsync()));
        }

        await StepAsync("archived", "update articles set status = 'archived' where id = @id", new { id = articles[0] });
        await StepAsync("scheduled", "update articles set published_at = now() + interval '1 day' where id = @id", new { id = articles[1] });
        await StepAsync("language", "update articles set language = 'fr' where id = @id", new { id = articles[2] });
        await StepAsync("title", "update articles set title = 'Quiet, another word' where id = @id", new { id = articles[3] });
        await StepAsync("tag unlinked", "delete from article_tags where article_id = @id", new { id = articles[4] });
        await StepAsync("person unlinked", "delete from article_people where article_id = @id", new { id = articles[5] });
        await StepAsync("author unlinked", "delete from article_authors where article_id = @id", new { id = articles[6] });
        await StepAsync("event moved", "update events set start_date = '2031-05-01', end_date = '2031-05-02' where id = @quietEvent", new { quietEvent });
        await StepAsync("deleted", "delete from articles where id = @id", new { id = articles[7] });
        await StepAsync("tag renamed", "update tags set slug = @slug where id = @tag", new { slug = prefix + "-renamed", tag });

        // In the order of the lists: the tag's two, the person's, the author's, the events', the language's, the word's four.
        static long[] Expect(long tagged, long person, long authored, long inEvents, long german, long words) =>
            [tagged, tagged, person, authored, inEvents, german, words, words, words, words];
        var n = many;
        (string, long[])[] expected =
        [
            ("none", Expect(n, n, n, n, n, n)),
            ("read again", Expect(n, n, n, n, n, n)),
            ("archived", Expect(n - 1, n - 1, n - 1, n - 1, n - 1, n - 1)),
            ("scheduled", Expect(n - 2, n - 2, n - 2, n - 2, n - 2, n - 2)),
            ("language", Expect(n - 2, n - 2, n - 2, n - 2, n - 3, n - 2)),
            ("title", Expect(n - 2, n - 2, n - 2, n - 2, n - 3, n - 3)),
            ("tag unlinked", Expect(n - 3, n - 2, n - 2, n - 2, n - 3, n - 3)),
            ("person unlinked", Expect(n - 3, n - 3, n - 2, n - 2, n - 3, n - 3)),
            ("author unlinked", Expect(n - 3, n - 3, n - 3, n - 2, n - 3, n - 3)),
            ("event moved", Expect(n - 3, n - 3, n - 3, 0, n - 3, n - 3)),
            ("deleted", Expect(n - 4, n - 4, n - 4, 0, n - 4, n - 4)),
            // The old slug names no tag: no article has it, and it has no page.
            ("tag renamed", [0, -1, n - 4, n - 4, 0, n - 4, n - 4, n - 4, n - 4, n - 4]),
        ];
        static string Line((string Change, long[] Totals) step) => $"{step.Change}: {string.Join(' ', step.Totals)}";
        Assert.Equal(expected.Select(Line), steps.Select(step => Line((step.Change, step.Totals))));
    }

    [Fact]
    public async Task An_approved_comment_leaves_the_article_lists_totals_uncounted()
    {
        var client = app.CreateClient();
        var prefix = TestDatabase.UniqueSlug("uncounted");
        var many = ListTotals.CountedEachTimeUpTo + 10;
        var articles = (await app.Database.QueryAsync<long>(
            """
            insert into articles (slug, title, summary, body, language, status, published_at)
            select @prefix || '-' || n, 'Uncounted ' || n, 'A test article.',
                   jsonb_build_array(jsonb_build_object('type', 'paragraph', 'text', 'Body ' || n)), 'nl', 'published', now() - interval '1 minute'
            from generate_series(1, @many) n
            returning id
            """, new { prefix, many })).ToList();
        const string url = "/v1/articles?language=nl";
        async Task<long> TotalAsync() => (await (await GetAsync(client, url)).ReadContractAsync<Paged<ArticleSummary>>()).Page.TotalItems;

        var counted = await TotalAsync();
        // Unseen: with the triggers off neither version moves, so only a count finds this article gone.
        await app.Database.ExecuteAsync(
            "begin; set local session_replication_role = replica; update articles set status = 'archived' where id = @id; commit;",
            new { id = articles[0] });
        var beforeComment = await TotalAsync();
        await app.Database.InsertApprovedCommentsAsync(articles[1], 1);
        var afterComment = await TotalAsync();
        // Any change of the lists' members (here a new tag) has the next page count again.
        await app.Database.InsertEntityAsync("tags", prefix + "-tag", "Uncounted tag");
        var afterMembersChanged = await TotalAsync();

        Assert.Equal((many, many, many, many - 1), (counted, beforeComment, afterComment, afterMembersChanged));
    }
}
