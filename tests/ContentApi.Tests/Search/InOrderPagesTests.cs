using ContentApi.Articles;
using ContentApi.Reads;
using ContentApi.Tests.Articles;
using ContentApi.Tests.Reads;
using Dapper;

namespace ContentApi.Tests.Search;

/// <summary>
/// A full-text article list by date or title (`q`, with the article's language and publication
/// range at most) reads from its page's position with
/// article_matches_in_order (migration 0048): along the order's index when the matches are many,
/// else every match by the search index, and from a walk that finds too few to the search index.
/// Beside a tag, an event range or both, among the linked articles (migrations 0050, 0053, 0055):
/// by date along the tag's links, or the date index, by title along the title index, or all of
/// them read, by the search index (with their links looked up, or their ids in the same bitmap) or
/// each one checked; ranked, all of them at once or a window at a time (RankedPagesTests too).
/// A phrase is given to the search index as an AND of its words, and what it finds is checked
/// (migration 0056); so it is by a list beside two filters of links, which matches q in its own
/// statement. An editor's list of published articles reads as a reader's.
/// Whichever it reads, the pages must be those of sorting every match: forwards and backwards by
/// cursor, and by number, with the right total.
/// </summary>
public sealed class InOrderPagesTests(ContentApiFixture app) : OwnDataSourceTests(app)
{
    private const int Articles = 400;
    private const int PageSize = 20;

    private readonly HttpClient client = app.CreateClient();

    private sealed record Match(long Id, DateTime PublishedAt, string Title, string Slug);

    private sealed record Order(string Sort, string Column, bool Descending)
    {
        public object Key(Match match) => Column == "title" ? match.Title : match.PublishedAt;

        /// <summary>The order's first key, of an article <c>a</c> (a rank: as the API ranks by <c>@q</c>).</summary>
        public string KeyOf => Column == "rank" ? "ts_rank(a.rank_vector, search_query(@q))" : $"a.{Column}";

        /// <summary>The order by <paramref name="key"/>, then by <paramref name="id"/>.</summary>
        public string By(string key, string id) => $"{key} {Direction}, {id} {Direction}";

        private string Direction => Descending ? "desc" : "asc";
    }

    /// <summary>The filters beside q: a language, days of publication (both included), a tag's slug, days its event overlaps, an event's and a person's slugs.</summary>
    private sealed record Filters(
        string? Language, DateOnly? From, DateOnly? To, string? Tag = null, DateOnly? EventFrom = null, DateOnly? EventTo = null, string? Event = null, string? Person = null)
    {
        public static readonly Filters None = new(null, null, null);

        public string Query => string.Concat(
            Tag is null ? "" : $"&tag={Tag}",
            Event is null ? "" : $"&event={Event}",
            Person is null ? "" : $"&person={Person}",
            EventFrom is null ? "" : $"&eventFrom={EventFrom:yyyy-MM-dd}",
            EventTo is null ? "" : $"&eventTo={EventTo:yyyy-MM-dd}",
            Language is null ? "" : $"&language={Language}",
            From is null ? "" : $"&publishedFrom={From:yyyy-MM-dd}",
            To is null ? "" : $"&publishedTo={To:yyyy-MM-dd}");

        /// <summary>The publication times the days give: from the first day's start, before the day after the last.</summary>
        public DateTime? FromTime => From?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

        public DateTime? BeforeTime => To?.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
    }

    private static readonly Order[] Orders =
    [
        new(ArticleSorts.Newest, "published_at", Descending: true),
        new(ArticleSorts.Oldest, "published_at", Descending: false),
        new(ArticleSorts.Title, "title", Descending: false),
    ];

    // Ranked beside a tag or an event range only: the ranked lists without them are RankedPagesTests'.
    private static readonly Order ByRelevance = new(ArticleSorts.Relevance, "rank", Descending: true);

    [Theory]
    [InlineData(ArticleSorts.Newest)]
    [InlineData(ArticleSorts.Oldest)]
    [InlineData(ArticleSorts.Title)]
    [InlineData(ArticleSorts.Relevance)]
    public async Task Full_text_pages_are_those_of_sorting_every_match(string sort)
    {
        var (prefix, common, occasional, rare, phrase, year, wideTag, narrowTag) = await InsertArticlesAsync();
        var order = Orders.Append(ByRelevance).Single(o => o.Sort == sort);
        var spring = new Filters(null, new DateOnly(year, 3, 1), new DateOnly(year, 5, 31));
        var ownColumns = new[]
        {
            (common, Filters.None), (rare, Filters.None), ($"{common} -{rare}", Filters.None),
            (common, Filters.None with { Language = "fr" }), (common, spring), (rare, spring with { Language = "en" }),
            (phrase, Filters.None), (phrase, spring with { Language = "en" }),
        };
        var besideLinks = new[]
        {
            (common, Filters.None with { Tag = wideTag }), (rare, Filters.None with { Tag = wideTag }),
            (occasional, Filters.None with { Tag = narrowTag }), (common, spring with { Tag = wideTag, Language = "fr" }),
            (common, Filters.None with { EventFrom = new DateOnly(year, 3, 5), EventTo = new DateOnly(year, 5, 5) }),
            (occasional, Filters.None with { EventFrom = new DateOnly(year, 6, 1) }),
            (common, Filters.None with { Language = "en", EventTo = new DateOnly(year, 2, 1) }),
            (common, Filters.None with { Tag = wideTag, EventFrom = new DateOnly(year, 3, 5), EventTo = new DateOnly(year, 8, 5) }),
            (occasional, Filters.None with { Tag = wideTag, EventFrom = new DateOnly(year, 6, 1), Language = "fr" }),
            (phrase, Filters.None with { Tag = wideTag }), (phrase, Filters.None with { EventFrom = new DateOnly(year, 3, 5), EventTo = new DateOnly(year, 8, 5) }),
        };

        foreach (var (q, filters) in order == ByRelevance ? besideLinks : ownColumns.Concat(besideLinks))
        {
            var expected = (await MatchesAsync(prefix, q, order, filters)).Select(m => m.Slug).ToList();
            Assert.NotEmpty(expected);
            await AssertPagesAsync(client, $"/v1/articles?sort={sort}&q={Uri.EscapeDataString(q)}{filters.Query}", expected);
        }
    }

    // An editor's list of published articles reads as a reader's. A list beside two filters of
    // links matches q in its own statement (ArticleQueries.MatchesQuery): a phrase given to the
    // search index as an AND of its words, each article found checked against it.
    [Theory]
    [InlineData(ArticleSorts.Newest)]
    [InlineData(ArticleSorts.Oldest)]
    [InlineData(ArticleSorts.Title)]
    [InlineData(ArticleSorts.Relevance)]
    public async Task Full_text_pages_of_an_editor_or_beside_two_filters_of_links_are_those_of_sorting_every_match(string sort)
    {
        var (prefix, common, occasional, _, phrase, _, wideTag, _) = await InsertArticlesAsync();
        // A person in one article in three: those with the phrase, and those with its words in the other order.
        var person = prefix + "person";
        await App.Database.ExecuteAsync(
            """
            with person as (insert into people (slug, name) values (@person, 'A person') returning id)
            insert into article_people (article_id, person_id, role)
            select a.id, person.id, 'subject' from articles a, person
            where a.slug like @prefix || '%' and substring(a.slug from length(@prefix) + 1)::int % 3 = 0
            """,
            new { prefix, person });
        var editor = (await EditorClient.CreateAsync(App)).Http;
        var order = Orders.Append(ByRelevance).Single(o => o.Sort == sort);
        // The articles of the first month's event all hold the phrase; the sixth's, the occasional word.
        var lists = new[]
        {
            (editor, "&status=published", phrase, Filters.None), (editor, "&status=published", $"{common} -{phrase}", Filters.None),
            (editor, "&status=published", $"{occasional} or {phrase}", Filters.None with { Tag = wideTag }),
            (client, "", common, Filters.None with { Tag = wideTag, Event = prefix + "event-1" }),
            (client, "", phrase, Filters.None with { Tag = wideTag, Person = person }),
            (client, "", $"{common} -{phrase}", Filters.None with { Tag = wideTag, Person = person }),
            (client, "", occasional, Filters.None with { Tag = wideTag, Event = prefix + "event-6" }),
        };

        foreach (var (http, status, q, filters) in lists)
        {
            var expected = (await MatchesAsync(prefix, q, order, filters)).Select(m => m.Slug).ToList();
            Assert.NotEmpty(expected);
            await AssertPagesAsync(http, $"/v1/articles?sort={sort}{status}&q={Uri.EscapeDataString(q)}{filters.Query}", expected);
        }
    }

    // The list's pages by their next links, back by their prev links, and by number, are expected's.
    private static async Task AssertPagesAsync(HttpClient http, string list, List<string> expected)
    {
        var forward = new List<string>();
        Paged<ArticleSummary>? last = null;
        for (var url = $"{list}&pageSize={PageSize}"; url is not null; url = last.Links.Next)
        {
            last = await (await http.GetAsync(url, Ct)).ReadContractAsync<Paged<ArticleSummary>>();
            Assert.Equal(expected.Count, last.Page.TotalItems);
            forward.AddRange(last.Items.Select(a => a.Slug));
        }

        Assert.Equal(expected, forward);

        // Back from the last page by its prev links: the same pages in reverse.
        var backward = new List<string>();
        for (var url = last!.Links.Prev; url is not null;)
        {
            var page = await (await http.GetAsync(url, Ct)).ReadContractAsync<Paged<ArticleSummary>>();
            backward.InsertRange(0, page.Items.Select(a => a.Slug));
            url = page.Links.Prev;
        }

        Assert.Equal(expected.Take(expected.Count - last.Items.Count), backward);

        var pages = (expected.Count + PageSize - 1) / PageSize;
        foreach (var number in new[] { 1, 2, pages, pages + 1 }.Distinct())
        {
            var page = await (await http.GetAsync($"{list}&pageSize={PageSize}&page={number}", Ct)).ReadContractAsync<Paged<ArticleSummary>>();
            Assert.Equal(expected.Skip((number - 1) * PageSize).Take(PageSize), page.Items.Select(a => a.Slug));
        }
    }

    [Theory]
    [InlineData(ArticleSorts.Newest)]
    [InlineData(ArticleSorts.Title)]
    [InlineData(ArticleSorts.Relevance)]
    public async Task Full_text_pages_beside_an_entity_not_found_or_a_range_no_event_overlaps_are_empty(string sort)
    {
        // The entity's links, or none when no entity has the slug: never the events' in range alone.
        var (prefix, common, _, _, _, year, wideTag, _) = await InsertArticlesAsync();
        foreach (var filters in new[]
                 {
                     Filters.None with { Tag = prefix + "missing", EventFrom = new DateOnly(year, 3, 5) },
                     Filters.None with { Tag = wideTag, EventFrom = new DateOnly(year + 1, 1, 1) },
                 })
        {
            var page = await (await client.GetAsync($"/v1/articles?sort={sort}&q={common}{filters.Query}", Ct)).ReadContractAsync<Paged<ArticleSummary>>();

            Assert.Equal((0L, 0), (page.Page.TotalItems, page.Items.Count));
        }
    }

    [Fact]
    public async Task Each_read_gives_the_matches_past_a_position_in_order()
    {
        var (prefix, common, occasional, rare, phrase, year, _, _) = await InsertArticlesAsync();
        await using var connection = await Db.OpenConnectionAsync(Ct);
        var articlesTotal = await connection.ExecuteScalarAsync<double>(Command("select greatest(reltuples, 1) from pg_class where oid = 'articles'::regclass"));

        foreach (var (q, filters) in new[] { (common, Filters.None), (occasional, Filters.None), (rare, Filters.None), (common, new Filters("fr", new DateOnly(year, 3, 1), null)), (phrase, Filters.None) })
        {
            foreach (var order in Orders.Append(Orders[2] with { Descending = true }))
            {
                var sorted = await MatchesAsync(prefix, q, order, filters);
                foreach (var reach in new[] { 1, 21, 150 })
                {
                    // The total the function is told, a hint of how to read (its lists give the
                    // real one): none (a walk first), one that makes it read the search index at
                    // once, one just past where it walks first (migration 0048: an article walked
                    // costs three matches read), which turns to the index once the walk finds too
                    // few, and one that keeps it walking.
                    var walkThenIndex = (long)Math.Ceiling(Math.Sqrt(3 * reach * articlesTotal)) + 1;
                    foreach (var total in new long?[] { null, 1, walkThenIndex, 1_000_000_000_000 })
                    {
                        foreach (var from in new[] { -1, 0, 17, sorted.Count / 2, sorted.Count - 1 }.Where(from => from < sorted.Count).Distinct())
                        {
                            var position = from < 0 ? null : sorted[from];
                            var read = (await connection.QueryAsync<long>(Command(
                                $"""
                                select m.id
                                from article_matches_in_order(search_query(@q), @reach, @column,
                                                              @key::{(order.Column == "title" ? "text" : "timestamptz")}, @id, @descending, @total,
                                                              @language, @from, @before) m
                                order by {order.By("m.key", "m.id")}
                                """,
                                new
                                {
                                    q, reach, order.Column, key = position is null ? null : order.Key(position), id = position?.Id, order.Descending, total,
                                    filters.Language, from = filters.FromTime, before = filters.BeforeTime,
                                }))).ToList();
                            Assert.True(
                                sorted.Skip(from + 1).Take(reach).Select(m => m.Id).SequenceEqual(read),
                                $"q={q} {filters} {order} reach {reach} total {total} from {from}: {read.Count} read");
                        }
                    }
                }
            }
        }
    }

    // Past half the articles, the planner leaves the search index out of a bitmap of the query's
    // matches and the linked ids, and checks each linked article by the index's expression, three
    // times what a check by the whole text's terms costs: then they are checked (migration 0055).
    [Fact]
    public async Task A_query_that_most_articles_match_is_not_read_as_a_bitmap()
    {
        await using var connection = await Db.OpenConnectionAsync(Ct);
        await connection.ExecuteAsync(Command("analyze articles"));
        var articles = await connection.ExecuteScalarAsync<double>(Command("select reltuples from pg_class where oid = 'articles'::regclass"));
        Assert.True(articles > 0);
        foreach (var (share, read) in new[] { (0.4, "bitmap"), (0.6, "check") })
        {
            var matches = share * articles;
            Assert.Equal(read, await connection.ExecuteScalarAsync<string>(Command(
                "select article_linked_read(@matches, @linked, @matches)", new { matches, linked = articles / 10 })));
        }
    }

    [Fact]
    public async Task Each_read_among_linked_articles_gives_their_matches_past_a_position_in_order()
    {
        var (prefix, common, occasional, rare, phrase, year, wideTag, narrowTag) = await InsertArticlesAsync();
        await using var connection = await Db.OpenConnectionAsync(Ct);

        foreach (var (q, filters) in new[]
                 {
                     (common, Filters.None with { Tag = wideTag }), (occasional, Filters.None with { Tag = narrowTag }),
                     (rare, Filters.None with { Tag = wideTag }), (common, new Filters("fr", new DateOnly(year, 3, 1), null, wideTag)),
                     (common, Filters.None with { EventFrom = new DateOnly(year, 3, 5), EventTo = new DateOnly(year, 8, 5) }),
                     (occasional, new Filters("fr", null, null, EventFrom: new DateOnly(year, 6, 1))),
                     (common, Filters.None with { Tag = wideTag, EventFrom = new DateOnly(year, 3, 5), EventTo = new DateOnly(year, 8, 5) }),
                     (phrase, Filters.None with { Tag = wideTag }), (phrase, Filters.None with { EventFrom = new DateOnly(year, 3, 5), EventTo = new DateOnly(year, 8, 5) }),
                 })
        {
            // The links: the tag's (its id), or the events' in range (no entity's column), or the
            // tag's whose articles are about an event in range.
            var tagId = filters.Tag is null ? (long?)null : await connection.ExecuteScalarAsync<long>(Command("select id from tags where slug = @tag", new { tag = filters.Tag }));
            var links = filters.Tag is null ? "'article_events', null" : "'article_tags', 'tag_id'";
            var all = (await MatchesAsync(prefix, q, Orders[0], filters)).Select(m => m.Id).Order().ToList();
            Assert.NotEmpty(all);
            // The linked articles, and all the articles as the functions count them: the query's
            // matches expected five times as many as the linked articles (and at most half the
            // articles) make them read the search index and the linked ids at once; fewer, each
            // match looked up in the links; many more, each linked article checked.
            var linked = await connection.ExecuteScalarAsync<double>(Command(
                """
                select case when @tagId::bigint is not null
                            then (select count(*) from article_tags l
                                  where l.tag_id = @tagId and l.published_at <= now()
                                    and ((@eventFrom::date is null and @eventTo::date is null) or l.article_id in (select v.article_id from article_events v join events e on e.id = v.event_id
                                          where (@eventFrom::date is null or e.end_date >= @eventFrom) and (@eventTo::date is null or e.start_date <= @eventTo))))
                            else (select count(*) from article_events l join events e on e.id = l.event_id
                                  where l.published_at <= now()
                                    and (@eventFrom::date is null or e.end_date >= @eventFrom) and (@eventTo::date is null or e.start_date <= @eventTo))
                       end
                """,
                new { tagId, filters.EventFrom, filters.EventTo }));
            var articles = await connection.ExecuteScalarAsync<double>(Command(
                "select greatest(reltuples, @linked) from pg_class where oid = 'articles'::regclass", new { linked }));
            var someMatches = Math.Min(5 * linked, 0.4 * articles);

            // The matches read all at once, by each way.
            foreach (var total in new long?[] { null, 1, (long)Math.Ceiling(someMatches * linked / articles), 1_000_000_000_000 })
            {
                var read = await connection.QueryAsync<long>(Command(
                    $"select id from article_linked_matches(search_query(@q), {links}, @tagId, @eventFrom, @eventTo, @language, @from, @before, @total) order by id",
                    new { q, tagId, filters.EventFrom, filters.EventTo, filters.Language, from = filters.FromTime, before = filters.BeforeTime, total }));
                Assert.Equal(all, read);
            }

            // Their total, by each way: exact up to the bound; past it estimated, but as one bitmap
            // (which the functions choose by the links the planner expects, on a new table maybe
            // fewer than there are), and always estimated with each linked article checked.
            foreach (var (matchesExpected, exactUpTo) in
                     from matchesExpected in new[] { 1.0, someMatches, 1e12 }
                     from exactUpTo in new[] { 1000, all.Count, all.Count - 1, 2 }
                     select (matchesExpected, exactUpTo))
            {
                var (total, estimated) = await connection.QuerySingleAsync<(long, bool)>(Command(
                    $"""
                    select total, estimated
                    from article_linked_match_total(search_query(@q), {links}, @tagId, @eventFrom, @eventTo, @exactUpTo, @language, @from, @before, @matchesExpected)
                    """,
                    new { q, tagId, filters.EventFrom, filters.EventTo, exactUpTo, filters.Language, from = filters.FromTime, before = filters.BeforeTime, matchesExpected }));
                var checkedOneByOne = matchesExpected > someMatches;
                if (all.Count <= exactUpTo || (!estimated && !checkedOneByOne))
                {
                    Assert.Equal((all.Count, false), (total, estimated));
                }
                else
                {
                    Assert.True(estimated, $"q={q} {filters}, a bound of {exactUpTo}: {total} of {all.Count} counted exactly");
                    Assert.InRange(total, exactUpTo + 1, checkedOneByOne ? Articles : long.MaxValue);
                }
            }

            foreach (var order in Orders.Append(Orders[2] with { Descending = true }))
            {
                var sorted = await MatchesAsync(prefix, q, order, filters);
                foreach (var reach in new[] { 1, 21, 150 })
                {
                    // The list's total, a hint of how to read: none, one that reads every match at
                    // once, one that walks and may turn to reading them all, and one that keeps walking.
                    foreach (var total in new long?[] { null, 1, 2 * reach, 1_000_000_000_000 })
                    {
                        foreach (var from in new[] { -1, 0, 17, sorted.Count / 2, sorted.Count - 1 }.Where(from => from < sorted.Count).Distinct())
                        {
                            var position = from < 0 ? null : sorted[from];
                            var read = (await connection.QueryAsync<long>(Command(
                                $"""
                                select m.id
                                from article_linked_matches_in_order(search_query(@q), {links}, @tagId, @eventFrom, @eventTo, @reach, @column,
                                                                     @key::{(order.Column == "title" ? "text" : "timestamptz")}, @id, @descending, @total,
                                                                     @language, @from, @before) m
                                order by {order.By("m.key", "m.id")}
                                """,
                                new
                                {
                                    q, tagId, filters.EventFrom, filters.EventTo, reach, order.Column, key = position is null ? null : order.Key(position), id = position?.Id, order.Descending, total,
                                    filters.Language, from = filters.FromTime, before = filters.BeforeTime,
                                }))).ToList();
                            Assert.True(
                                sorted.Skip(from + 1).Take(reach).Select(m => m.Id).SequenceEqual(read),
                                $"q={q} {filters} {order} reach {reach} total {total} from {from}: {read.Count} read");
                        }
                    }
                }
            }
        }

        // A tag that no longer exists (its id not found by the list's statement) has no matches.
        Assert.Empty(await connection.QueryAsync<long>(Command(
            "select id from article_linked_matches_in_order(search_query(@common), 'article_tags', 'tag_id', null, null, null, 21, 'title', null::text, null, false, null, null, null, null)",
            new { common })));
        Assert.Equal((0L, false), await connection.QuerySingleAsync<(long, bool)>(Command(
            "select total, estimated from article_linked_match_total(search_query(@common), 'article_tags', 'tag_id', null, null, null, 1000, null, null, null)",
            new { common })));
    }

    private static string Word() => $"io{Guid.NewGuid():N}"[..12];

    /// <summary>The public articles of this test that match <paramref name="q"/> and the filters, sorted by PostgreSQL (its collation's title order).</summary>
    private async Task<List<Match>> MatchesAsync(string prefix, string q, Order order, Filters filters)
    {
        await using var connection = await Db.OpenConnectionAsync(Ct);
        return (await connection.QueryAsync<Match>(Command(
            $"""
            select a.id, a.published_at as publishedat, a.title, a.slug
            from articles a
            where a.slug like @prefix || '%' and article_is_public(a) and a.search_vector @@ websearch_to_tsquery('english', @q)
              and (@language::text is null or a.language = @language)
              and (@from::timestamptz is null or a.published_at >= @from) and (@before::timestamptz is null or a.published_at < @before)
              and (@tag::text is null or a.id in (select l.article_id from article_tags l join tags t on t.id = l.tag_id where t.slug = @tag))
              and (@event::text is null or a.id in (select l.article_id from article_events l join events e on e.id = l.event_id where e.slug = @event))
              and (@person::text is null or a.id in (select l.article_id from article_people l join people p on p.id = l.person_id where p.slug = @person))
              and ((@eventFrom::date is null and @eventTo::date is null)
                   or a.id in (select l.article_id from article_events l join events e on e.id = l.event_id
                               where (@eventFrom::date is null or e.end_date >= @eventFrom) and (@eventTo::date is null or e.start_date <= @eventTo)))
            order by {order.By(order.KeyOf, "a.id")}
            """,
            new { prefix, q, filters.Language, from = filters.FromTime, before = filters.BeforeTime, filters.Tag, filters.EventFrom, filters.EventTo, filters.Event, filters.Person }))).ToList();
    }

    // 400 articles in a year of their own, published in pairs on the same day at the same time,
    // titled in 37 groups that share a title and sort together (the id breaks both ties), one in
    // thirteen a draft, one in four in French; the common word in one in three, the occasional
    // one in one in twelve, the rare one in one in fifty: the walks pass many articles for each match.
    // A phrase of two words in one in six; its words in the other order in another one in six, which
    // the search index finds for it too (migrations 0055, 0056: read as an AND, then checked).
    // A wide tag on three in five of them, and a narrow one on one in forty, drafts included; four in
    // five about an event, of twelve: the nth of the year's first ten days of month n.
    private async Task<(string Prefix, string Common, string Occasional, string Rare, string Phrase, int Year, string WideTag, string NarrowTag)> InsertArticlesAsync()
    {
        var prefix = TestDatabase.UniqueSlug("in-order") + "-";
        var (common, occasional, rare, first, second) = (Word(), Word(), Word(), Word(), Word());
        var year = 1100 + Random.Shared.Next(800);
        await using var connection = await Db.OpenConnectionAsync(Ct);
        await connection.ExecuteAsync(Command(
            """
            insert into articles (slug, title, summary, body, language, status, published_at)
            select @prefix || n, @prefix || lpad((n * 7 % 37)::text, 2, '0'), 'A summary.',
                   jsonb_build_array(jsonb_build_object('type', 'paragraph', 'text',
                       'Words of the story' || case when n % 3 = 0 then ' with ' || @common else '' end
                       || case when n % 12 = 5 then ' or ' || @occasional else '' end
                       || case when n % 50 = 7 then ' and ' || @rare else '' end
                       || case n % 6 when 0 then ' ' || @first || ' ' || @second when 3 then ' ' || @second || ' ' || @first else '' end || '.')),
                   case when n % 4 = 1 then 'fr' else 'en' end,
                   case when n % 13 = 6 then 'draft' else 'published' end,
                   case when n % 13 = 6 then null else make_timestamptz(@year, 1, 1, 12, 0, 0, 'UTC') + (n / 2) * interval '1 day' end
            from generate_series(0, @articles - 1) n
            """,
            new { prefix, common, occasional, rare, first, second, year, articles = Articles }));
        var (wideTag, narrowTag) = (prefix + "wide", prefix + "narrow");
        await connection.ExecuteAsync(Command(
            """
            with wide as (insert into tags (slug, name) values (@wideTag, 'Wide') returning id),
                 narrow as (insert into tags (slug, name) values (@narrowTag, 'Narrow') returning id)
            insert into article_tags (article_id, tag_id)
            select a.id, case when substring(a.slug from length(@prefix) + 1)::int % 40 = 5 then narrow.id else wide.id end
            from articles a, wide, narrow
            where a.slug like @prefix || '%'
              and (substring(a.slug from length(@prefix) + 1)::int % 5 < 3 or substring(a.slug from length(@prefix) + 1)::int % 40 = 5)
            """,
            new { prefix, wideTag, narrowTag }));
        var events = new List<long>();
        for (var month = 1; month <= 12; month++)
        {
            events.Add(await App.Database.InsertEventAsync(prefix + "event-" + month, $"Event {month}", new DateOnly(year, month, 1), new DateOnly(year, month, 10)));
        }

        await connection.ExecuteAsync(Command(
            """
            insert into article_events (article_id, event_id)
            select a.id, (@events::bigint[])[substring(a.slug from length(@prefix) + 1)::int % 12 + 1]
            from articles a
            where a.slug like @prefix || '%' and substring(a.slug from length(@prefix) + 1)::int % 5 <> 4
            """,
            new { prefix, events = events.ToArray() }));
        return (prefix, common, occasional, rare, $"\"{first} {second}\"", year, wideTag, narrowTag);
    }
}
