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

    private static readonly byte[] FragmentDelimiter = Encoding.UTF8.GetBytes(" … ");
    private static readonly byte[] MatchStart = Encoding.UTF8.GetBytes("⟦");
    private static readonly byte[] MatchEnd = Encoding.UTF8.GetBytes("⟧");

    // The JSON keeps ⟦ ⟧ and other text readable, as the database wrote it.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// A string of the hit's JSON, kept as where its UTF-8 lies in the input, or as its text when
    /// it had escapes (quotes, backslashes, control characters: rare in prose). A page renders ~20
    /// hits of ~150 tokens, few of them shown: they are not made strings unless shown.
    /// </summary>
    private readonly record struct JsonText(int Start, int Length, byte[]? Unescaped)
    {
        public ReadOnlySpan<byte> In(ReadOnlyMemory<byte> json) => Unescaped ?? json.Span.Slice(Start, Length);

        public static JsonText? Read(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.String when reader.ValueIsEscaped => new JsonText(0, 0, Encoding.UTF8.GetBytes(reader.GetString()!)),
            JsonTokenType.String => new JsonText((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, null),
            _ => null,
        };
    }

    /// <summary>
    /// A SearchHit's JSON (UTF-8) from its parts as PostgreSQL sent them: type, slug, title, rank,
    /// the query's lexemes (marked) and the snippet's tokens and lexemes.
    /// </summary>
    public static byte[] RenderHit(ReadOnlyMemory<byte> json)
    {
        var reader = new Utf8JsonReader(json.Span);
        string? type = null, slug = null, title = null;
        var rank = "0"u8.ToArray();
        List<JsonText> tokens = new(160), marked = new(4);
        List<JsonText?> lexemes = new(160);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetString();
            }
            else if (reader.ValueTextEquals("slug"u8))
            {
                reader.Read();
                slug = reader.GetString();
            }
            else if (reader.ValueTextEquals("title"u8))
            {
                reader.Read();
                title = reader.GetString();
            }
            else if (reader.ValueTextEquals("rank"u8))
            {
                reader.Read();
                rank = reader.ValueSpan.ToArray();
            }
            else if (reader.ValueTextEquals("marked"u8))
            {
                reader.Read();
                ReadArray(ref reader, marked, static text => text ?? default);
            }
            else if (reader.ValueTextEquals("snippet"u8))
            {
                reader.Read();
                ReadSnippet(ref reader, tokens, lexemes);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        var isMatch = new bool[tokens.Count];
        for (var i = 0; i < isMatch.Length && i < lexemes.Count; i++)
        {
            if (lexemes[i] is { } lexeme)
            {
                foreach (var term in marked)
                {
                    isMatch[i] |= term.In(json).SequenceEqual(lexeme.In(json));
                }
            }
        }

        var buffer = new ArrayBufferWriter<byte>(json.Length);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, type);
            writer.WriteString("slug"u8, slug);
            writer.WriteString("title"u8, title);
            writer.WriteString("snippet"u8, Extract(json, tokens, isMatch, lexemes));
            writer.WritePropertyName("rank"u8);
            writer.WriteRawValue(rank, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    // The snippet's tokens and lexemes, when it is an object (an entity's may be null).
    private static void ReadSnippet(ref Utf8JsonReader reader, List<JsonText> tokens, List<JsonText?> lexemes)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTokens = reader.ValueTextEquals("tokens"u8);
            reader.Read();
            if (isTokens)
            {
                ReadArray(ref reader, tokens, static text => text ?? default);
            }
            else
            {
                ReadArray(ref reader, lexemes, static text => text);
            }
        }
    }

    // The strings (or nulls) of an array, each made an item by `item`; none for null.
    private static void ReadArray<T>(ref Utf8JsonReader reader, List<T> into, Func<JsonText?, T> item)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            into.Add(item(JsonText.Read(ref reader)));
        }
    }

    // The extract, as UTF-8.
    private static ReadOnlySpan<byte> Extract(ReadOnlyMemory<byte> json, List<JsonText> tokens, bool[] isMatch, List<JsonText?> lexemes)
    {
        // Words are the tokens with a letter or digit (stop words included); the rest is what lies between them.
        var words = new List<int>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (IsWord(tokens[i].In(json)))
            {
                words.Add(i);
            }
        }

        var extract = new ArrayBufferWriter<byte>(1024);
        if (words.Count <= MaxWords)
        {
            Append(extract, json, tokens, isMatch, 0, tokens.Count - 1);
            return extract.WrittenSpan;
        }

        var matches = Enumerable.Range(0, words.Count).Where(w => isMatch[words[w]]).ToArray();
        var fragments = new List<(int First, int Last)>();
        if (matches.Length == 0)
        {
            fragments.Add((0, MaxWords - 1));
        }
        else
        {
            string TermOf(int word) => Encoding.UTF8.GetString(lexemes[words[word]]!.Value.In(json));
            var shown = new HashSet<string>(StringComparer.Ordinal);
            while (fragments.Count < MaxFragments && BestFragment(words.Count, matches, fragments, shown, TermOf) is { } best)
            {
                fragments.Add(best);
                shown.UnionWith(matches.Where(m => m >= best.First && m <= best.Last).Select(TermOf));
            }

            fragments.Sort();
        }

        foreach (var (first, last) in fragments)
        {
            if (extract.WrittenCount > 0)
            {
                extract.Write(FragmentDelimiter);
            }

            Append(extract, json, tokens, isMatch, words[first], words[last]);
        }

        return extract.WrittenSpan;
    }

    private static bool IsWord(ReadOnlySpan<byte> token)
    {
        foreach (var b in token)
        {
            if (b >= 0x80)
            {
                // Not ASCII: decided on the characters (rare in this corpus, cheap either way).
                return Encoding.UTF8.GetString(token).Any(char.IsLetterOrDigit);
            }

            if (char.IsAsciiLetterOrDigit((char)b))
            {
                return true;
            }
        }

        return false;
    }

    // Tokens first…last, each match wrapped in ⟦ ⟧.
    private static void Append(ArrayBufferWriter<byte> extract, ReadOnlyMemory<byte> json, List<JsonText> tokens, bool[] isMatch, int first, int last)
    {
        for (var token = first; token <= last; token++)
        {
            if (isMatch[token])
            {
                extract.Write(MatchStart);
            }

            extract.Write(tokens[token].In(json));
            if (isMatch[token])
            {
                extract.Write(MatchEnd);
            }
        }
    }

    // The window of MaxWords words, starting Lead words before a match, that shows the most terms
    // not shown yet, then the most matches; none when every window left overlaps one taken, or
    // (after the first) shows no new term.
    private static (int First, int Last)? BestFragment(
        int wordCount, int[] matches, List<(int First, int Last)> taken, HashSet<string> shown, Func<int, string> termOf)
    {
        (int First, int Last)? best = null;
        var bestScore = (NewTerms: 0, Matches: 0);
        foreach (var match in matches)
        {
            var first = Math.Max(0, Math.Min(match - Lead, wordCount - MaxWords));
            var last = first + MaxWords - 1;
            if (taken.Exists(f => first <= f.Last && f.First <= last))
            {
                continue;
            }

            var inside = matches.Where(m => m >= first && m <= last).ToArray();
            var score = (NewTerms: inside.Select(termOf).Where(t => !shown.Contains(t)).Distinct(StringComparer.Ordinal).Count(), Matches: inside.Length);
            if (best is null || score.NewTerms > bestScore.NewTerms || (score.NewTerms == bestScore.NewTerms && score.Matches > bestScore.Matches))
            {
                best = (first, last);
                bestScore = score;
            }
        }

        return best is not null && (taken.Count == 0 || bestScore.NewTerms > 0) ? best : null;
    }
}
