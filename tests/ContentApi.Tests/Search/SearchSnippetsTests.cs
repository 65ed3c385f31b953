using System.Text;
using System.Text.Json;
using ContentApi.Search;

namespace ContentApi.Tests.Search;

public sealed class SearchSnippetsTests
{
    // A text of words w0 … w{n-1}, one space apart; each word's lexeme is itself.
    private static (string[] Tokens, string?[] Lexemes) Words(int count, IReadOnlyDictionary<int, string>? replaced = null)
    {
        var words = Enumerable.Range(0, count).Select(i => replaced?.GetValueOrDefault(i) ?? $"w{i}").ToArray();
        var tokens = words.SelectMany((w, i) => i == 0 ? new[] { w } : [" ", w]).ToArray();
        return (tokens, tokens.Select(t => t == " " ? null : t).ToArray());
    }

    // A hit's parts as the database gives them.
    private static byte[] Parts(string[] tokens, string?[] lexemes, string[] marked, string title = "A title") =>
        JsonSerializer.SerializeToUtf8Bytes(new { type = "article", slug = "a-slug", title, rank = 0.5, marked, snippet = new { tokens, lexemes } });

    private static string Snippet((string[] Tokens, string?[] Lexemes) text, params string[] marked) =>
        JsonDocument.Parse(SearchSnippets.RenderHit(Parts(text.Tokens, text.Lexemes, marked))).RootElement.GetProperty("snippet").GetString()!;

    [Fact]
    public void A_short_text_is_whole_with_each_match_marked_by_its_lexeme()
    {
        var snippet = Snippet((["Moscow", " ", "forums", ", \"the\" ", "forum", "."], ["moscow", null, "forum", null, "forum", null]), "forum");

        Assert.Equal("Moscow ⟦forums⟧, \"the\" ⟦forum⟧.", snippet);
    }

    [Fact]
    public void A_long_text_without_a_match_opens_with_its_first_words()
    {
        var snippet = Snippet(Words(100), "absent");

        Assert.Equal(string.Join(' ', Enumerable.Range(0, SearchSnippets.MaxWords).Select(i => $"w{i}")), snippet);
    }

    [Fact]
    public void The_fragment_starts_a_few_words_before_its_match_and_holds_at_most_MaxWords()
    {
        var snippet = Snippet(Words(100, new Dictionary<int, string> { [50] = "alpha" }), "alpha");

        var words = snippet.Split(' ');
        Assert.Equal(SearchSnippets.MaxWords, words.Length);
        Assert.Equal($"w{50 - SearchSnippets.Lead}", words[0]);
        Assert.Equal("⟦alpha⟧", words[SearchSnippets.Lead]);
    }

    [Fact]
    public void Terms_far_apart_get_two_fragments_in_text_order()
    {
        var snippet = Snippet(Words(200, new Dictionary<int, string> { [20] = "alpha", [150] = "beta", [160] = "beta" }), "alpha", "beta");

        var fragments = snippet.Split(" … ");
        Assert.Equal(2, fragments.Length);
        Assert.Contains("⟦alpha⟧", fragments[0], StringComparison.Ordinal);
        Assert.Contains("⟦beta⟧", fragments[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_fragment_showing_both_terms_wins_over_one_with_more_of_a_single_term()
    {
        var text = Words(200, new Dictionary<int, string> { [10] = "alpha", [12] = "alpha", [14] = "alpha", [120] = "alpha", [125] = "beta" });

        var fragments = Snippet(text, "alpha", "beta").Split(" … ");

        var fragment = Assert.Single(fragments);
        Assert.Contains("⟦alpha⟧", fragment, StringComparison.Ordinal);
        Assert.Contains("⟦beta⟧", fragment, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_ASCII_and_escaped_tokens_are_words_and_matches_like_the_others()
    {
        var text = Words(60, new Dictionary<int, string> { [40] = "café", [41] = "\"quoted\"", [45] = "Ωmega" });

        var snippet = Snippet(text, "café", "Ωmega");

        Assert.Equal(SearchSnippets.MaxWords, snippet.Split(' ').Length);
        Assert.Contains("⟦café⟧ \"quoted\" w42 w43 w44 ⟦Ωmega⟧", snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hit_is_rendered_as_a_SearchHit_with_the_rank_as_the_database_wrote_it()
    {
        var hit = SearchSnippets.RenderHit("""
            {"type" : "article", "slug" : "a-slug", "title" : "Quoted \"title\"", "rank" : 0.011884115,
             "snippet" : {"tokens" : ["Moscow", " ", "forum"], "lexemes" : ["moscow", null, "forum"]}, "marked" : ["forum"]}
            """u8.ToArray());

        Assert.Equal("""{"type":"article","slug":"a-slug","title":"Quoted \"title\"","snippet":"Moscow ⟦forum⟧","rank":0.011884115}""", Encoding.UTF8.GetString(hit));
    }

    [Fact]
    public void A_hit_without_a_snippet_has_an_empty_one_and_the_parts_after_it_are_read()
    {
        var hit = SearchSnippets.RenderHit("""
            {"type" : "person", "slug" : "a-person", "title" : "A person", "snippet" : null, "marked" : ["forum"], "rank" : 0.5}
            """u8.ToArray());

        Assert.Equal("""{"type":"person","slug":"a-person","title":"A person","snippet":"","rank":0.5}""", Encoding.UTF8.GetString(hit));
    }

    [Fact]
    public void Properties_in_any_order_are_read_and_unknown_ones_skipped()
    {
        var hit = SearchSnippets.RenderHit("""
            {"marked":["forum"],"extra":{"nested":[1, "two", {"three": null}, [true]]},
             "snippet":{"other":[null],"lexemes":["moscow",null,"forum"],"tokens":["Moscow"," ","forum"]},
             "rank":1e-20,"title":"A title","slug":"a-slug","type":"article"}
            """u8.ToArray());

        Assert.Equal("""{"type":"article","slug":"a-slug","title":"A title","snippet":"Moscow ⟦forum⟧","rank":1e-20}""", Encoding.UTF8.GetString(hit));
    }

    [Fact]
    public void Escaped_lexemes_and_terms_match_their_unescaped_text()
    {
        var hit = SearchSnippets.RenderHit("""
            {"type":"article","slug":"a-slug","title":"A title","rank":0.5,"marked":["caf\u00e9"],
             "snippet":{"tokens":["Caf\u00e9","\t","caf\u00e9s"],"lexemes":["café",null,"caf\u00e9"]}}
            """u8.ToArray());

        Assert.Equal("{\"type\":\"article\",\"slug\":\"a-slug\",\"title\":\"A title\",\"snippet\":\"⟦Café⟧\\t⟦cafés⟧\",\"rank\":0.5}", Encoding.UTF8.GetString(hit));
    }

    [Fact]
    public void A_hit_that_is_not_JSON_is_refused()
    {
        Assert.ThrowsAny<JsonException>(() => SearchSnippets.RenderHit("""{"type":"article","snippet":{"tokens":["open"""u8.ToArray()));
        Assert.ThrowsAny<JsonException>(() => SearchSnippets.RenderHit("""{"type" "article"}"""u8.ToArray()));
    }
}
