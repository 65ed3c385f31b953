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

    // What a hit is rendered with, kept by each thread for the next hit it renders (RenderHit runs
    // to its end on the thread that calls it): each hit allocated ~16 kB of lists and buffers, all
    // zeroed, for an answer of ~0.4 kB.
    [ThreadStatic]
    private static Hit? threadHit;

    /// <summary>
    /// A SearchHit's JSON (UTF-8) from its parts as PostgreSQL sent them: type, slug, title, rank,
    /// the query's lexemes (marked) and the snippet's tokens and lexemes.
    /// </summary>
    public static byte[] RenderHit(ReadOnlyMemory<byte> json)
    {
        var hit = threadHit ??= new Hit();
        hit.Read(json);
        return hit.Render();
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

    /// <summary>
    /// A string of a hit's JSON: where its UTF-8 lies in the input; or, with <see cref="Start"/>
    /// below 0, the text of an escaped one (quotes, backslashes, control characters: rare in
    /// prose) at ~Start among the hit's; or null, with <see cref="Length"/> below 0. A page renders
    /// ~20 hits of ~150 tokens, few of them shown: they are not made strings unless shown. It holds
    /// no reference, so that the lists of them fill without the GC's write barriers.
    /// </summary>
    private readonly record struct JsonText(int Start, int Length)
    {
        public static JsonText Null { get; } = new(0, -1);

        public bool IsNull => Length < 0;
    }

    /// <summary>
    /// A hit being rendered: its parts read from its JSON (<see cref="Read"/>), its strings found
    /// where they lie rather than through a <see cref="Utf8JsonReader"/>, which checked each of
    /// ~300 small strings a hit has (any JSON is read, its properties in any order).
    /// </summary>
    private sealed class Hit
    {
        private readonly List<JsonText> tokens = new(256);
        private readonly List<JsonText> lexemes = new(256);
        private readonly List<JsonText> marked = new(8);
        private readonly List<byte[]> unescaped = [];
        private readonly List<int> words = new(256);
        private readonly ArrayBufferWriter<byte> extract = new(1024);
        private readonly ArrayBufferWriter<byte> output = new(1024);
        private readonly Utf8JsonWriter writer = new(Stream.Null, WriterOptions);
        private readonly HitReader.PropertyReader readHitProperty;
        private readonly HitReader.PropertyReader readSnippetProperty;
        private bool[] isMatch = new bool[256];
        private ReadOnlyMemory<byte> json;
        private JsonText type;
        private JsonText slug;
        private JsonText title;
        private JsonText rank;

        public Hit()
        {
            // Made once: a method group made a delegate at each use.
            readHitProperty = ReadHitProperty;
            readSnippetProperty = ReadSnippetProperty;
        }

        public void Read(ReadOnlyMemory<byte> hit)
        {
            json = hit;
            type = slug = title = rank = JsonText.Null;
            tokens.Clear();
            lexemes.Clear();
            marked.Clear();
            unescaped.Clear();
            new HitReader(hit.Span, unescaped).ReadObject(readHitProperty);
        }

        // A property of the hit, its value next.
        private void ReadHitProperty(ref HitReader reader, JsonText property)
        {
            var name = In(property);
            if (name.SequenceEqual("type"u8))
            {
                type = reader.ReadStringOrNull();
            }
            else if (name.SequenceEqual("slug"u8))
            {
                slug = reader.ReadStringOrNull();
            }
            else if (name.SequenceEqual("title"u8))
            {
                title = reader.ReadStringOrNull();
            }
            else if (name.SequenceEqual("rank"u8))
            {
                rank = reader.ReadLiteral();
            }
            else if (name.SequenceEqual("marked"u8))
            {
                reader.ReadStrings(marked);
            }
            else if (name.SequenceEqual("snippet"u8) && reader.Comes((byte)'{'))
            {
                // An object of the snippet's tokens and lexemes (an entity's may be null).
                reader.ReadObject(readSnippetProperty);
            }
            else
            {
                reader.SkipValue();
            }
        }

        /// <summary>The SearchHit, as UTF-8 JSON.</summary>
        public byte[] Render()
        {
            MarkMatches();
            output.ResetWrittenCount();
            writer.Reset(output);
            writer.WriteStartObject();
            WriteText("type"u8, type);
            WriteText("slug"u8, slug);
            WriteText("title"u8, title);
            writer.WriteString("snippet"u8, Extract());
            writer.WritePropertyName("rank"u8);
            writer.WriteRawValue(rank.IsNull ? "0"u8 : In(rank), skipInputValidation: true);
            writer.WriteEndObject();
            writer.Flush();
            return output.WrittenSpan.ToArray();
        }

        // A string's UTF-8, unescaped; a null's is empty.
        private ReadOnlySpan<byte> In(JsonText text) =>
            text.IsNull ? [] : text.Start < 0 ? unescaped[~text.Start] : json.Span.Slice(text.Start, text.Length);

        private void WriteText(ReadOnlySpan<byte> name, JsonText text)
        {
            if (text.IsNull)
            {
                writer.WriteNull(name);
            }
            else
            {
                writer.WriteString(name, In(text));
            }
        }

        // A property of the snippet, its value next.
        private void ReadSnippetProperty(ref HitReader reader, JsonText property)
        {
            var name = In(property);
            if (name.SequenceEqual("tokens"u8))
            {
                reader.ReadStrings(tokens);
            }
            else if (name.SequenceEqual("lexemes"u8))
            {
                reader.ReadStrings(lexemes);
            }
            else
            {
                reader.SkipValue();
            }
        }

        // Whether each token is a match: its lexeme one of those marked.
        private void MarkMatches()
        {
            if (isMatch.Length < tokens.Count)
            {
                isMatch = new bool[Math.Max(tokens.Count, isMatch.Length * 2)];
            }

            var matches = isMatch.AsSpan(0, tokens.Count);
            matches.Clear();
            for (var i = 0; i < matches.Length && i < lexemes.Count; i++)
            {
                if (!lexemes[i].IsNull)
                {
                    var lexeme = In(lexemes[i]);
                    foreach (var term in marked)
                    {
                        matches[i] |= In(term).SequenceEqual(lexeme);
                    }
                }
            }
        }

        // The extract, as UTF-8.
        private ReadOnlySpan<byte> Extract()
        {
            // Words are the tokens with a letter or digit (stop words included); the rest is what lies between them.
            words.Clear();
            for (var i = 0; i < tokens.Count; i++)
            {
                if (IsWord(In(tokens[i])))
                {
                    words.Add(i);
                }
            }

            extract.ResetWrittenCount();
            if (words.Count <= MaxWords)
            {
                Append(0, tokens.Count - 1);
                return extract.WrittenSpan;
            }

            var matches = MatchedWords();
            var fragments = new List<(int First, int Last)>();
            if (matches.Length == 0)
            {
                fragments.Add((0, MaxWords - 1));
            }
            else
            {
                string TermOf(int word) => Encoding.UTF8.GetString(In(lexemes[words[word]]));
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

                Append(words[first], words[last]);
            }

            return extract.WrittenSpan;
        }

        // The words that are matches, by their place among the words.
        private int[] MatchedWords()
        {
            var count = 0;
            foreach (var token in words)
            {
                count += isMatch[token] ? 1 : 0;
            }

            var matches = new int[count];
            for (int word = 0, match = 0; match < count; word++)
            {
                if (isMatch[words[word]])
                {
                    matches[match++] = word;
                }
            }

            return matches;
        }

        // Tokens first…last, each match wrapped in ⟦ ⟧.
        private void Append(int first, int last)
        {
            for (var token = first; token <= last; token++)
            {
                if (isMatch[token])
                {
                    extract.Write(MatchStart);
                }

                extract.Write(In(tokens[token]));
                if (isMatch[token])
                {
                    extract.Write(MatchEnd);
                }
            }
        }
    }

    /// <summary>Reads JSON values from where they lie in a hit's UTF-8; malformed JSON is a <see cref="JsonException"/>.</summary>
    private ref struct HitReader(ReadOnlySpan<byte> json, List<byte[]> unescaped)
    {
        private readonly ReadOnlySpan<byte> json = json;
        private int at;

        /// <summary>Reads the value of an object's property named <c>property</c>.</summary>
        public delegate void PropertyReader(ref HitReader reader, JsonText property);

        /// <summary>Reads an object, the value of each of its properties by <paramref name="readProperty"/>.</summary>
        public void ReadObject(PropertyReader readProperty)
        {
            Expect((byte)'{');
            if (TryTake((byte)'}'))
            {
                return;
            }

            do
            {
                var property = ReadString();
                Expect((byte)':');
                readProperty(ref this, property);
            }
            while (TryTake((byte)','));

            Expect((byte)'}');
        }

        /// <summary>Whether <paramref name="expected"/> comes next (after any white space), not taken.</summary>
        public bool Comes(byte expected)
        {
            SkipWhiteSpace();
            return at < json.Length && json[at] == expected;
        }

        public void Expect(byte expected)
        {
            if (!TryTake(expected))
            {
                throw new JsonException($"'{(char)expected}' expected at byte {at} of a search hit.");
            }
        }

        /// <summary>Takes <paramref name="expected"/> if it comes next (after any white space).</summary>
        public bool TryTake(byte expected)
        {
            if (Comes(expected))
            {
                at++;
                return true;
            }

            return false;
        }

        public JsonText ReadStringOrNull()
        {
            SkipWhiteSpace();
            if (at < json.Length && json[at] == (byte)'n')
            {
                ReadLiteral();
                return JsonText.Null;
            }

            return ReadString();
        }

        public JsonText ReadString()
        {
            Expect((byte)'"');
            var start = at;
            var escaped = false;
            // Byte by byte: most of a hit's strings are a word or the space after one, shorter
            // than a vectorised search's setup.
            while (true)
            {
                if (at >= json.Length)
                {
                    throw new JsonException($"A string of a search hit is not closed (byte {start}).");
                }

                var b = json[at];
                if (b == (byte)'"')
                {
                    break;
                }

                if (b == (byte)'\\')
                {
                    escaped = true;
                    at++; // and the character escaped (a \u's digits are neither a quote nor a backslash)
                }

                at++;
            }

            var length = at - start;
            at++;
            if (!escaped)
            {
                return new JsonText(start, length);
            }

            var reader = new Utf8JsonReader(json.Slice(start - 1, length + 2));
            reader.Read();
            unescaped.Add(Encoding.UTF8.GetBytes(reader.GetString()!));
            return new JsonText(~(unescaped.Count - 1), 0);
        }

        /// <summary>A number, true, false or null, as it is written.</summary>
        public JsonText ReadLiteral()
        {
            SkipWhiteSpace();
            var start = at;
            while (at < json.Length && json[at] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                at++;
            }

            if (at == start)
            {
                throw new JsonException($"A value expected at byte {at} of a search hit.");
            }

            return new JsonText(start, at - start);
        }

        /// <summary>The strings (or nulls) of an array; none for null.</summary>
        public void ReadStrings(List<JsonText> into)
        {
            if (!TryTake((byte)'['))
            {
                SkipValue();
                return;
            }

            if (TryTake((byte)']'))
            {
                return;
            }

            do
            {
                into.Add(ReadStringOrNull());
            }
            while (TryTake((byte)','));

            Expect((byte)']');
        }

        public void SkipValue()
        {
            SkipWhiteSpace();
            if (at >= json.Length)
            {
                throw new JsonException("A search hit ends before its value.");
            }

            switch (json[at])
            {
                case (byte)'"':
                    ReadString();
                    break;
                case (byte)'[':
                    at++;
                    if (!TryTake((byte)']'))
                    {
                        do
                        {
                            SkipValue();
                        }
                        while (TryTake((byte)','));

                        Expect((byte)']');
                    }

                    break;
                case (byte)'{':
                    ReadObject(SkipProperty);
                    break;
                default:
                    ReadLiteral();
                    break;
            }
        }

        private static void SkipProperty(ref HitReader reader, JsonText property) => reader.SkipValue();

        private void SkipWhiteSpace()
        {
            while (at < json.Length && json[at] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                at++;
            }
        }
    }
}
