using ContentApi.Articles;
using ContentApi.Reads;
using ContentApi.Search;
using ContentApi.Tests.Reads;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ContentApi.Tests.Search;

/// <summary>
/// A ranked page reads the matches ranked above the floor and only the floor's matches near its
/// position, a window of id buckets (1,000 ids each) at a time (migration 0034). Its pages must
/// be those of ranking every match: forwards and backwards by cursor, and by number. A list
/// known to be short reads all its matches at once (migration 0036), with the same pages. So does
/// a ranked article list beside a tag, an event range or both, among the linked articles: all of
/// them at once where that costs less, else a window at a time, each match looked up in the links
/// (migration 0055).
/// </summary>
public sealed class RankedPagesTests(ContentApiFixture app) : OwnDataSourceTests(app)
{
    private const int Articles = 1000;
    private const int PageSize = 20;

    private readonly HttpClient client = app.CreateClient();

    public static TheoryData<string> Queries => new()
    {
        // Both words in every article, both in the title of one in ten (above the floor).
        "{0} {1}",
        // One word: its title matches rank (one in ten, and one in ten more with it alone).
        "{0}",
        // A word in 32 of them. The first page: the first window finds too few, and the rest is
        // read at once. The others, the list known to be short: every match at once (migration 0036).
        "{0} {2}",
        // Candidates that do not imply the query, which the index checks (migration 0039): three of
        // the titles with both words have the rare one in their text too, the others do not.
        "{0} {1} -{2}",
        "{0} {1} {2}",
        // A phrase of both words in one article in five (every article holds both): read through
        // the index as an AND, each article found checked for it (migration 0055); with a word
        // excluded, the same; excluded, read through the index by the first word alone.
        "\"{1} {0}\"",
        "\"{1} {0}\" -{2}",
        "{0} -\"{1} {0}\"",
    };

    // The index reads a query with a phrase as its part an index can read (its negations left
    // out) with each phrase as an AND of its words, and a query without a phrase, or whose
    // negations leave every article, as it is; what it finds is then checked by the query itself
    // where the two differ.
    [Theory]
    [InlineData("'a' <-> 'b'", "'a' & 'b'", true)]
    [InlineData("'a' <2> 'b' & 'c' | 'd' <-> 'e'", "'a' & 'b' & 'c' | 'd' & 'e'", true)]
    [InlineData("'a' <-> 'b' & !'c'", "'a' & 'b'", true)]
    [InlineData("!'c' & 'a' <-> 'b'", "'a' & 'b'", true)]
    [InlineData("'a' <-> 'b' & '~7'", "'a' & 'b' & '~7'", true)]
    [InlineData("'a' & !( 'a' <-> 'b' )", "'a'", true)]
    [InlineData("'a' <-> 'b' & !( 'c' <-> 'd' )", "'a' & 'b'", true)]
    [InlineData("!'a' <-> 'b'", "'b'", true)]
    [InlineData("'it''s<1>' <-> 'c'", "'it''s<1>' & 'c'", true)]
    [InlineData("'a<->b' & 'c'", "'a<->b' & 'c'", false)]
    [InlineData("'a' & !'b'", "'a' & !'b'", false)]
    [InlineData("'a' <-> 'b' | !'c'", "'a' <-> 'b' | !'c'", false)]
    public async Task The_index_reads_a_phrase_as_an_and_of_its_words(string query, string indexQuery, bool checkedAfter)
    {
        var (index, exact) = (await App.Database.QueryAsync<(string, string?)>(
            "select search_index_query(@query::tsquery)::text, search_exact_query(@query::tsquery)::text", new { query })).Single();
        Assert.Equal(indexQuery, index);
        Assert.Equal(checkedAfter ? query : null, exact);
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public Task Ranked_pages_are_those_of_ranking_every_match(string queryFormat) => AssertRankedPagesAsync(queryFormat, language: null);

    // A ranked article list with a language beside q reads from its position too (migration
    // 0049), the matches above the floor and those in its windows of that language alone.
    [Theory]
    [MemberData(nameof(Queries))]
    public Task Ranked_pages_of_one_language_are_those_of_ranking_its_matches(string queryFormat) => AssertRankedPagesAsync(queryFormat, language: "fr");

    // A read ranks the newest FullText:RankedMatchesAtMost matches above the floor (migration
    // 0051); the older ones rank at the floor, newest first. Here 25 of the ~185 above it for one
    // word (~60 of one language): the ranked ones end inside the second page. The language's
    // list holds fewer than 500 matches, so its pages after the first read all at once. Beside
    // links, ranking 25 of 600–800 costs less than ranking them all: read a window at a time.
    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Ranked_pages_rank_the_newest_matches_above_the_floor_at_most(string queryFormat)
    {
        await using var bounded = App.WithWebHostBuilder(b => b.UseSetting("FullText:RankedMatchesAtMost", "25"));
        using var boundedClient = bounded.CreateClient();
        await AssertRankedPagesAsync(queryFormat, [null, "fr"], rankedAtMost: 25, boundedClient);
    }

    // The newest matches above the floor, read at once or a window of id buckets at a time (the
    // planner's expectation given in its place: few, many), with and without a language, and
    // among the articles a tag links (the linked share scaling the planner's expectation). With
    // many candidates expected, the rest of a language's list is read by the language's articles,
    // each checked by its rank vector (migration 0055).
    [Fact]
    public async Task The_newest_matches_above_the_floor_are_those_of_every_read()
    {
        var words = (Word(), Word(), Word());
        var prefix = TestDatabase.UniqueSlug("newest") + "-";
        var links = await InsertSpreadArticlesAsync(prefix, words);
        await using var connection = await Db.OpenConnectionAsync(Ct);
        foreach (var (q, language, tagId) in new[]
                 {
                     (words.Item1, (string?)null, (long?)null), ($"{words.Item1} or {words.Item2}", null, null), (words.Item1, "fr", null),
                     (words.Item1, null, links.TagId), ($"{words.Item1} or {words.Item2}", "fr", links.TagId),
                     // A phrase (a stop word between): the titles with both words, and every body.
                     ($"\"{words.Item1} and {words.Item2}\"", null, null),
                     // Read at last by the language's articles, each checked by its rank vector
                     // and by the query (the rare word in some of the titled ones' bodies).
                     ($"{words.Item1} {words.Item2} -{words.Item3}", "fr", null),
                 })
        {
            var aboveFloor = (await connection.QueryAsync<long>(Command(
                """
                select a.id from articles a, websearch_to_tsquery('english', @q) query
                where a.slug like @prefix || '%' and article_is_public(a) and a.search_vector @@ query
                  and (@language::text is null or a.language = @language) and ts_rank(a.rank_vector, query) > search_floor_rank(query)
                  and (@tagId::bigint is null or a.id in (select l.article_id from article_tags l where l.tag_id = @tagId))
                order by a.id desc
                """,
                new { q, prefix, language, tagId }))).ToList();
            Assert.InRange(aboveFloor.Count, 20, 300);
            foreach (var rankedAtMost in new[] { 1, 25, aboveFloor.Count - 1, aboveFloor.Count, aboveFloor.Count + 1 })
            {
                foreach (var candidatesExpected in new double?[] { null, 0, 1e9 })
                {
                    var newest = (await connection.QueryAsync<long>(Command(
                        """
                        select r.id
                        from article_ranked_newest(websearch_to_tsquery('english', @q), @rankedAtMost, null, @language, null, null, @candidatesExpected,
                                                   linked => case when @tagId::bigint is not null
                                                                  then article_link_probe('article_tags', article_link_condition('tag_id', @tagId, null, null)) end,
                                                   linked_share => case when @tagId::bigint is null then 1 else 0.01 end) r
                        order by r.id desc
                        """,
                        new { q, rankedAtMost, language, candidatesExpected, tagId }))).ToList();
                    Assert.Equal(aboveFloor.Take(rankedAtMost), newest);
                }
            }
        }
    }

    // Whether a list's page came from its matches above the floor alone is remembered with its
    // total and given to its next pages' reads (migration 0058): a list of few matches whose newest
    // above the floor fill its page reads those rather than every match. Both words' matches have
    // one in ten above the floor (their titles); the rare word's with the first (~30, more than a
    // page and the one past it) all rank at the floor.
    [Theory]
    [InlineData("{0} {1}", true)]
    [InlineData("{0} {2}", false)]
    public async Task A_list_remembers_whether_its_page_came_from_the_matches_above_the_floor(string queryFormat, bool fromRanked)
    {
        var words = (Word(), Word(), Word());
        await InsertSpreadArticlesAsync(TestDatabase.UniqueSlug("filled") + "-", words);
        var q = string.Format(System.Globalization.CultureInfo.InvariantCulture, queryFormat, words.Item1, words.Item2, words.Item3);
        var spec = SearchQueries.ListSpec(new SearchQuery { Q = q, Types = "articles" });

        var response = await client.GetAsync($"/v1/search?types=articles&q={Uri.EscapeDataString(q)}&pageSize={PageSize}", Ct);
        response.EnsureSuccessStatusCode();
        var remembered = App.Services.GetRequiredService<ListTotals>().Get(spec.Scope);
        await using var nextPage = new NpgsqlCommand();
        PublicReads.PageStatement.Of(spec, PageSize, cursor: null, offset: 0, known: remembered).Parameters.AddTo(nextPage);

        Assert.NotNull(remembered);
        Assert.Equal(fromRanked, remembered.PageFromRanked);
        Assert.Equal(fromRanked, nextPage.Parameters["pageFromRanked"].Value);
    }

    private Task AssertRankedPagesAsync(string queryFormat, string? language) =>
        AssertRankedPagesAsync(queryFormat, [language], rankedAtMost: int.MaxValue, client);

    // The lists of each language (null: all) over one set of articles: each set is 1,000 more
    // articles in the database every test shares, which its whole-table checks read.
    private async Task AssertRankedPagesAsync(string queryFormat, string?[] languages, int rankedAtMost, HttpClient reader)
    {
        var words = (Word(), Word(), Word());
        var prefix = TestDatabase.UniqueSlug("ranked") + "-";
        var links = await InsertSpreadArticlesAsync(prefix, words);
        var q = string.Format(System.Globalization.CultureInfo.InvariantCulture, queryFormat, words.Item1, words.Item2, words.Item3);
        var ranked = $"/v1/articles?sort=relevance&q={Uri.EscapeDataString(q)}";
        var eventRange = $"&eventFrom={links.EventDay:yyyy-MM-dd}&eventTo={links.EventDay:yyyy-MM-dd}";
        // Each list, its language, and whether it keeps the tag's articles alone, and the event's.
        var lists = languages.SelectMany(language => language is null
            ? new[]
            {
                ($"/v1/search?types=articles&q={Uri.EscapeDataString(q)}", language, false, false), (ranked, language, false, false),
                ($"{ranked}&tag={links.Tag}", language, true, false), ($"{ranked}{eventRange}", language, false, true),
                ($"{ranked}&tag={links.Tag}{eventRange}", language, true, true),
            }
            : [($"{ranked}&language={language}", language, false, false), ($"{ranked}&tag={links.Tag}&language={language}", language, true, false)]);
        foreach (var (list, language, tagged, aboutTheEvent) in lists)
        {
            // Past the newest `rankedAtMost` above the floor, a match ranks at the floor.
            var expected = (await App.Database.QueryAsync<string>(
                """
                select m.slug
                from (select a.id, a.slug, ts_rank(a.rank_vector, query) as rank, search_floor_rank(query) as floor_rank,
                             count(*) filter (where ts_rank(a.rank_vector, query) > search_floor_rank(query)) over (order by a.id desc) as newer_above_floor
                      from articles a, websearch_to_tsquery('english', @q) query
                      where a.slug like @prefix || '%' and article_is_public(a) and a.search_vector @@ query
                        and (@language::text is null or a.language = @language)
                        and (not @tagged or a.id in (select l.article_id from article_tags l where l.tag_id = @tagId))
                        and (not @aboutTheEvent or a.id in (select l.article_id from article_events l where l.event_id = @eventId))) m
                order by case when m.rank > m.floor_rank and m.newer_above_floor > @rankedAtMost then m.floor_rank else m.rank end desc, m.id desc
                """,
                new { q, prefix, language, rankedAtMost, tagged, links.TagId, aboutTheEvent, links.EventId })).ToList();
            Assert.True(expected.Count > PageSize * 2 || queryFormat.Contains("{2}", StringComparison.Ordinal), $"{list}: {expected.Count} matches");

            var forward = new List<string>();
            Page? last = null;
            for (var url = $"{list}&pageSize={PageSize}"; url is not null;)
            {
                var page = await PageAsync(reader, list, url);
                Assert.Equal((expected.Count, false), (page.Total, page.Estimated));
                forward.AddRange(page.Slugs);
                last = page;
                url = page.Next;
            }

            Assert.Equal(expected, forward);

            // Back from the last page by its prev links: the same pages in reverse.
            var backward = new List<string>();
            for (var url = last!.Prev; url is not null;)
            {
                var page = await PageAsync(reader, list, url);
                backward.InsertRange(0, page.Slugs);
                url = page.Prev;
            }

            Assert.Equal(expected.Take(expected.Count - last.Slugs.Count), backward);

            var pages = (expected.Count + PageSize - 1) / PageSize;
            foreach (var number in Enumerable.Range(1, Math.Min(pages, 5)).Append(pages).Distinct())
            {
                var page = await PageAsync(reader, list, $"{list}&pageSize={PageSize}&page={number}");
                Assert.Equal(expected.Skip((number - 1) * PageSize).Take(PageSize), page.Slugs);
            }
        }
    }

    private sealed record Page(IReadOnlyList<string> Slugs, long Total, bool Estimated, string? Next, string? Prev);

    private static async Task<Page> PageAsync(HttpClient client, string list, string url)
    {
        var response = await client.GetAsync(url, Ct);
        if (list.StartsWith("/v1/search", StringComparison.Ordinal))
        {
            var hits = await response.ReadContractAsync<Paged<SearchHit>>();
            return new Page(hits.Items.Select(h => h.Slug).ToList(), hits.Page.TotalItems, hits.Page.TotalItemsEstimated, hits.Links.Next, hits.Links.Prev);
        }

        var articles = await response.ReadContractAsync<Paged<ArticleSummary>>();
        return new Page(articles.Items.Select(a => a.Slug).ToList(), articles.Page.TotalItems, articles.Page.TotalItemsEstimated, articles.Links.Next, articles.Links.Prev);
    }

    private static string Word() => $"rq{Guid.NewGuid():N}"[..12];

    /// <summary>A tag of six in seven of the articles and an event of a day of its own about two in three of them.</summary>
    private sealed record Links(string Tag, long TagId, long EventId, DateOnly EventDay);

    // 1,000 articles with ids 137 apart from far above the others' (over 130 buckets: a page's
    // first window of two holds ~13 at the floor, fewer than a page of 20 reaches, so its next
    // windows are read), each with both words past its body's opening (found, at the floor); one
    // in ten with both in its title, one in ten more with the first alone; one in thirteen a
    // draft; one in three in French; the third word in 32 of them (rare: the rest of the table
    // read at once); the second word then the first, a phrase, in one in five. A tag on those
    // not 3 in 7, an event about those not 2 in 3: in steps the titles' are not, so that the
    // newest matches of every query among the linked articles are not those among all.
    private async Task<Links> InsertSpreadArticlesAsync(string prefix, (string First, string Second, string Rare) words)
    {
        await using var connection = await Db.OpenConnectionAsync(Ct);
        var firstId = await connection.ExecuteScalarAsync<long>(Command("select greatest(max(id), 0) + 1000000 from articles"));
        await connection.ExecuteAsync(Command(
            """
            insert into articles (id, slug, title, summary, body, language, status, published_at)
            overriding system value
            select @firstId + n * 137, @prefix || n,
                   case n % 10 when 0 then 'Story of ' || @first || ' and ' || @second when 5 then 'Story of ' || @first else 'Story ' || n end,
                   'A summary.',
                   jsonb_build_array(jsonb_build_object('type', 'paragraph', 'text',
                       repeat('Filler words of an opening paragraph. ', 12) || @first || ' then ' || @second
                       || case when n % 31 = 3 then ' and ' || @rare else '' end
                       || case when n % 5 = 1 then '. Then ' || @second || ' ' || @first else '' end)),
                   case when n % 3 = 1 then 'fr' else 'en' end,
                   case when n % 13 = 6 then 'draft' else 'published' end,
                   case when n % 13 = 6 then null else now() - interval '1 hour' end
            from generate_series(0, @articles - 1) n
            """,
            new { firstId, prefix, first = words.First, second = words.Second, rare = words.Rare, articles = Articles }));
        var tag = prefix + "tag";
        var eventDay = new DateOnly(2100 + Random.Shared.Next(5000), 1, 1).AddDays(Random.Shared.Next(365));
        var eventId = await App.Database.InsertEventAsync(prefix + "event", "Event", eventDay, eventDay);
        var tagId = await connection.ExecuteScalarAsync<long>(Command(
            """
            with tag as (insert into tags (slug, name) values (@tag, 'Tag') returning id),
                 tagged as (insert into article_tags (article_id, tag_id)
                            select @firstId + n * 137, tag.id from generate_series(0, @articles - 1) n, tag where n % 7 <> 3),
                 about as (insert into article_events (article_id, event_id)
                           select @firstId + n * 137, @eventId from generate_series(0, @articles - 1) n where n % 3 <> 2)
            select id from tag
            """,
            new { tag, firstId, articles = Articles, eventId }));
        return new Links(tag, tagId, eventId, eventDay);
    }
}
