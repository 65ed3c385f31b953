using System.Globalization;
using ContentApi.Reads;
using ContentApi.Search;

namespace ContentApi.Tests.Search;

public sealed class SearchApiTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<Paged<SearchHit>> SearchAsync(string query) =>
        await (await client.GetAsync($"/v1/search?{query}", Ct)).ReadContractAsync<Paged<SearchHit>>();

    private static string UniqueWord() => $"zq{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task The_seed_article_is_found_by_Moscow_forum_with_a_highlighted_snippet()
    {
        var result = await SearchAsync("q=Moscow%20forum");

        var hit = Assert.Single(result.Items, h => h.Slug.StartsWith("hammouchi-promotes", StringComparison.Ordinal));
        Assert.Equal("article", hit.Type);
        Assert.Contains("⟦Moscow⟧", hit.Snippet, StringComparison.Ordinal);
        Assert.Contains("⟦forum⟧", hit.Snippet, StringComparison.Ordinal);
        Assert.True(hit.Rank > 0);
    }

    [Fact]
    public async Task Stored_snippet_tokens_are_the_text_again_with_the_lexemes_ts_debug_gives()
    {
        const string Odd = "State-of-the-art e-mail: see http://example.com/a/b?x=1 or x@y.com; v3.14 of <b>bold</b> &amp; 2-3 well-known cafés, 1.5 times";
        await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("tokens"), title: "Tokens", body: Odd);
        await app.Database.InsertEntityAsync("people", TestDatabase.UniqueSlug("p"), "Person Tokens", description: Odd);
        await app.Database.InsertEntityAsync("organisations", TestDatabase.UniqueSlug("o"), "Organisation Tokens", description: Odd);
        await app.Database.InsertEventAsync(TestDatabase.UniqueSlug("e"), "Event Tokens", new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 2), city: Odd);

        // Every article and entity: the tokens put together are its snippet's text, and each token
        // has the lexeme ts_debug gives it (ts_debug lexizes token by token: no positions to line up).
        // Of every test's rows in the database they share (tens of thousands of articles, ~0.5 ms
        // each, on two busy cores up to 30 s): given 5 minutes.
        var mismatched = await app.Database.QueryAsync<string>(
            """
            with snippets as (
                select a.slug, a.snippet, article_snippet_source(a.title, a.summary, a.body) as source from articles a
                union all
                select p.slug, p.snippet, p.name || coalesce('. ' || p.description, '') from people p
                union all
                select o.slug, o.snippet, o.name || coalesce(' (' || o.acronym || ')', '') || coalesce('. ' || o.description, '') from organisations o
                union all
                select e.slug, e.snippet, e.name || coalesce(', ' || e.city, '') || coalesce('. ' || e.description, '') from events e)
            select s.slug
            from snippets s,
                 lateral (select jsonb_agg(d.token order by d.n) as tokens, jsonb_agg(d.lexemes[1] order by d.n) as lexemes
                          from ts_debug('english', s.source) with ordinality d(alias, description, token, dictionaries, dictionary, lexemes, n)
                          where d.alias not in ('url', 'numhword', 'asciihword', 'hword')) expected
            where (select string_agg(t, '') from json_array_elements_text(s.snippet -> 'tokens') t) is distinct from s.source
               or (s.snippet -> 'tokens')::jsonb is distinct from expected.tokens
               or (s.snippet -> 'lexemes')::jsonb is distinct from expected.lexemes
            """,
            timeoutSeconds: 300);

        Assert.Empty(mismatched);
        Assert.True(await app.Database.ScalarAsync<long>("select count(*) from people where description like '%well-known%'") > 0);
    }

    [Fact]
    public async Task An_edit_changes_the_snippet_and_a_match_deep_in_the_opening_is_shown_in_its_fragment()
    {
        var word = UniqueWord();
        var slug = TestDatabase.UniqueSlug("snippet");
        var editor = await ContentApi.Tests.Articles.EditorClient.CreateAsync(app);
        var filler = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"filler{i}"));
        var created = await editor.CreatedAsync(ContentApi.Tests.Articles.EditorClient.Article(slug, change: a =>
        {
            a["summary"] = $"{filler} {word} closes it.";
        }));
        var before = Assert.Single((await SearchAsync($"q={word}")).Items);

        var edited = await editor.PatchAsync(slug, new System.Text.Json.Nodes.JsonObject { ["summary"] = $"Now {word} opens the summaries." }, created);
        var after = Assert.Single((await SearchAsync($"q={word}%20summary")).Items);

        Assert.StartsWith("filler", before.Snippet, StringComparison.Ordinal);
        Assert.EndsWith($"filler39 ⟦{word}⟧ closes it. Body of {slug}", before.Snippet, StringComparison.Ordinal);
        Assert.DoesNotContain("filler0 ", before.Snippet, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal($"Article {slug}. Now ⟦{word}⟧ opens the ⟦summaries⟧. Body of {slug}.", after.Snippet);
    }

    // {0}: the word searched for; {1}: 720 characters of filler, past the body's opening (ranks
    // come from the title, summary and the body's first 400 characters: migration 0018).
    [Theory]
    [InlineData("All about {0}", "Nothing else.", "Unrelated headline", "Deep in the text: {0}.")]
    [InlineData("Unrelated headline", "{0} opens the story.", "Unrelated headline", "A long story{1} then {0}.")]
    public async Task The_better_match_ranks_first_in_search_and_in_relevance_lists(string higherTitle, string higherBody, string lowerTitle, string lowerBody)
    {
        var word = UniqueWord();
        var filler = string.Concat(Enumerable.Repeat(" filler text", 60));
        var higher = TestDatabase.UniqueSlug("higher");
        var lower = TestDatabase.UniqueSlug("lower");
        // The lower one is the newer: on equal ranks it would come first.
        await app.Database.InsertArticleAsync(higher, title: string.Format(CultureInfo.InvariantCulture, higherTitle, word), body: string.Format(CultureInfo.InvariantCulture, higherBody, word, filler));
        await app.Database.InsertArticleAsync(lower, title: string.Format(CultureInfo.InvariantCulture, lowerTitle, word), body: string.Format(CultureInfo.InvariantCulture, lowerBody, word, filler));

        var result = await SearchAsync($"q={word}");
        var articles = await (await client.GetAsync($"/v1/articles?q={word}&sort=relevance", Ct)).ReadContractAsync<Paged<ContentApi.Articles.ArticleSummary>>();

        Assert.Equal([higher, lower], result.Items.Select(h => h.Slug));
        Assert.True(result.Items[0].Rank > result.Items[1].Rank);
        Assert.Equal([higher, lower], articles.Items.Select(a => a.Slug));
    }

    [Fact]
    public async Task Phrase_search_and_negation_work_as_in_web_search()
    {
        var word = UniqueWord();
        var phrase = TestDatabase.UniqueSlug("phrase");
        var scattered = TestDatabase.UniqueSlug("scattered");
        var excluded = TestDatabase.UniqueSlug("excluded");
        await app.Database.InsertArticleAsync(phrase, body: $"{word} calls for shared cooperation between states.");
        await app.Database.InsertArticleAsync(scattered, body: $"{word}: cooperation was not shared by all.");
        await app.Database.InsertArticleAsync(excluded, body: $"{word} says shared cooperation fights terrorism.");

        var phraseHits = await SearchAsync($"q={word}%20%22shared%20cooperation%22");
        var negated = await SearchAsync($"q={word}%20%22shared%20cooperation%22%20-terrorism");

        Assert.Equal([excluded, phrase], phraseHits.Items.Select(h => h.Slug).Order());
        Assert.Equal([phrase], negated.Items.Select(h => h.Slug));
    }

    [Fact]
    public async Task People_organisations_and_events_are_searched_and_can_be_chosen_with_types()
    {
        var word = UniqueWord();
        await app.Database.InsertEntityAsync("people", TestDatabase.UniqueSlug("p"), $"Person {word}");
        await app.Database.InsertEntityAsync("organisations", TestDatabase.UniqueSlug("o"), $"Organisation {word}");
        await app.Database.InsertEventAsync(TestDatabase.UniqueSlug("e"), $"Summit {word}", new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 2));
        await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("a"), title: $"Article {word}");

        var all = await SearchAsync($"q={word}");
        var some = await SearchAsync($"q={word}&types=people,events");

        Assert.Equal(["article", "event", "organisation", "person"], all.Items.Select(h => h.Type).Order());
        Assert.Equal(["event", "person"], some.Items.Select(h => h.Type).Order());
        Assert.All(all.Items, h => Assert.Contains($"⟦", h.Snippet, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unpublished_articles_are_never_found()
    {
        var word = UniqueWord();
        await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("draft"), status: "draft", title: $"Draft {word}");

        var result = await SearchAsync($"q={word}");

        Assert.Empty(result.Items);
    }

    [Fact]
    public async Task Search_results_page_by_cursor()
    {
        var word = UniqueWord();
        for (var i = 0; i < 7; i++)
        {
            await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("many"), title: i % 2 == 0 ? $"{word} headline" : "Other", body: $"{word} text {i}");
        }

        var slugs = new List<string>();
        var totals = new List<(long, int)>();
        for (var url = $"/v1/search?q={word}&pageSize=3"; url is not null;)
        {
            var page = await (await client.GetAsync(url, Ct)).ReadContractAsync<Paged<SearchHit>>();
            slugs.AddRange(page.Items.Select(h => h.Slug));
            totals.Add((page.Page.TotalItems, page.Page.TotalPages));
            url = page.Links.Next;
        }

        var secondPage = await (await client.GetAsync($"/v1/search?q={word}&pageSize=3&page=2", Ct)).ReadContractAsync<Paged<SearchHit>>();

        Assert.Equal(7, slugs.Distinct().Count());
        Assert.Equal(7, slugs.Count);
        // The first page counts its hits while ranking them; the others count on their own.
        Assert.Equal([(7L, 3), (7L, 3), (7L, 3)], totals);
        Assert.Equal((7L, 3, 3), (secondPage.Page.TotalItems, secondPage.Page.TotalPages, secondPage.Items.Count));
    }

    [Theory]
    [InlineData("", "q")]
    [InlineData("q=", "q")]
    [InlineData("q=%20", "q")]
    [InlineData("types=articles", "q")]
    [InlineData("q=moscow&types=articles,spaceships", "types")]
    [InlineData("q=moscow&types=", "types")]
    [InlineData("q=moscow&pageSize=101", "pageSize")]
    public async Task Bad_search_parameters_are_a_400_naming_the_parameter(string query, string parameter)
    {
        var response = await client.GetAsync($"/v1/search?{query}", Ct);

        await response.AssertValidationProblemAsync(parameter);
    }

    [Fact]
    public async Task Over_long_query_is_rejected_and_200_characters_are_accepted()
    {
        var tooLong = await client.GetAsync($"/v1/search?q={new string('x', 201)}", Ct);
        var longest = await client.GetAsync($"/v1/search?q={new string('x', 200)}", Ct);

        await tooLong.AssertValidationProblemAsync("q");
        Assert.Equal(System.Net.HttpStatusCode.OK, longest.StatusCode);
    }

    [Theory]
    [InlineData("q=%22unclosed")]
    [InlineData("q=%26%7C%21%28%29%3A%2A")]
    [InlineData("q=-")]
    [InlineData("q=or%20or%20and")]
    public async Task Odd_query_syntax_never_fails(string query)
    {
        var response = await client.GetAsync($"/v1/search?{query}", Ct);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
