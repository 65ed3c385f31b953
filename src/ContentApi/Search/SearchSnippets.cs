using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ContentApi.Search;

/// <summary>
/// Finishes a search hit as the database gives it (<see cref="SearchQueries"/>): its snippet
/// arrives as the text's tokens, each with its lexeme (migration 0021), with the query's lexemes,
/// so the text is neither parsed nor stemmed again per request. The extract is the whole text when it
/// has at most <see cref="MaxWords"/> words; else up to <see cref="MaxFragments"/> fragments of
/// at most <see cref="MaxWords"/> words, joined by " … ": the first shows the most of the query's
/// terms (then the most matches), starting <see cref="Lead"/> words before its first match; a
/// second shows terms the first does not. A text with no match (the hit matched further into
/// the body) opens with its first words. Each matching word is wrapped in ⟦ and ⟧.
/// </summary>
internal static class SearchSnippets
{
    public const int MaxWords = 30;
    public const int MaxFragments = 2;
    public const int Lead = 5;
    private const string FragmentDelimiter = " … ";

    // The JSON keeps ⟦ ⟧ and other text readable, as the database wrote it.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A SearchHit's JSON from its parts: type, slug, title, rank, snippet tokens and the lexemes to mark.</summary>
    public static string RenderHit(string parts)
    {
        using var document = JsonDocument.Parse(parts);
        var root = document.RootElement;
        var snippet = root.GetProperty("snippet");
        var tokens = snippet.GetProperty("tokens").EnumerateArray().Select(t => t.GetString() ?? "").ToArray();
        var lexemes = snippet.GetProperty("lexemes").EnumerateArray().Select(l => l.GetString()).ToArray();
        var marked = root.GetProperty("marked").EnumerateArray().Select(l => l.GetString()!).ToHashSet(StringComparer.Ordinal);

        var buffer = new ArrayBufferWriter<byte>(parts.Length);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", root.GetProperty("type").GetString());
            writer.WriteString("slug", root.GetProperty("slug").GetString());
            writer.WriteString("title", root.GetProperty("title").GetString());
            writer.WriteString("snippet", Extract(tokens, lexemes, marked));
            writer.WritePropertyName("rank");
            root.GetProperty("rank").WriteTo(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The extract of a text given as tokens (<paramref name="lexemes"/>: each token's, or null), marking the <paramref name="marked"/> ones.</summary>
    public static string Extract(IReadOnlyList<string> tokens, IReadOnlyList<string?> lexemes, IReadOnlySet<string> marked)
    {
        // Words are the tokens with a letter or digit (stop words included); the rest is what lies between them.
        var words = Enumerable.Range(0, tokens.Count).Where(i => tokens[i].Any(char.IsLetterOrDigit)).ToArray();
        if (words.Length <= MaxWords)
        {
            return Marked(tokens, lexemes, marked, 0, tokens.Count - 1);
        }

        var matches = Enumerable.Range(0, words.Length).Where(w => lexemes[words[w]] is { } lexeme && marked.Contains(lexeme)).ToArray();
        var fragments = new List<(int First, int Last)>();
        if (matches.Length == 0)
        {
            fragments.Add((0, MaxWords - 1));
        }
        else
        {
            var shown = new HashSet<string>(StringComparer.Ordinal);
            while (fragments.Count < MaxFragments && BestFragment(words.Length, matches, fragments, shown, m => lexemes[words[m]]!) is { } best)
            {
                fragments.Add(best);
                shown.UnionWith(matches.Where(m => m >= best.First && m <= best.Last).Select(m => lexemes[words[m]]!));
            }

            fragments.Sort();
        }

        return string.Join(FragmentDelimiter, fragments.Select(f => Marked(tokens, lexemes, marked, words[f.First], words[f.Last])));
    }

    // Tokens first…last, each match wrapped in ⟦ ⟧.
    private static string Marked(IReadOnlyList<string> tokens, IReadOnlyList<string?> lexemes, IReadOnlySet<string> marked, int first, int last)
    {
        var text = new StringBuilder();
        for (var token = first; token <= last; token++)
        {
            var isMatch = lexemes[token] is { } lexeme && marked.Contains(lexeme);
            text.Append(isMatch ? "⟦" : "").Append(tokens[token]).Append(isMatch ? "⟧" : "");
        }

        return text.ToString();
    }

    // The window of MaxWords words, starting Lead words before a match, that shows the most terms
    // not shown yet, then the most matches; none when every window left overlaps one taken, or
    // (after the first) shows no new term.
    private static (int First, int Last)? BestFragment(
        int wordCount, int[] matches, List<(int First, int Last)> taken, HashSet<string> shown, Func<int, string> lexemeOf)
    {
        (int First, int Last)? best = null;
        var bestScore = (NewTerms: 0, Matches: 0);
        foreach (var match in matches)
        {
            var first = Math.Max(0, Math.Min(match - Lead, wordCount - MaxWords));
            var last = first + MaxWords - 1;
            if (taken.Any(f => first <= f.Last && f.First <= last))
            {
                continue;
            }

            var inside = matches.Where(m => m >= first && m <= last).ToArray();
            var score = (NewTerms: inside.Select(lexemeOf).Where(l => !shown.Contains(l)).Distinct(StringComparer.Ordinal).Count(), Matches: inside.Length);
            if (best is null || score.NewTerms > bestScore.NewTerms || (score.NewTerms == bestScore.NewTerms && score.Matches > bestScore.Matches))
            {
                best = (first, last);
                bestScore = score;
            }
        }

        return best is not null && (taken.Count == 0 || bestScore.NewTerms > 0) ? best : null;
    }
}
