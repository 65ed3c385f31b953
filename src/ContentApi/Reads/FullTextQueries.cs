using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace ContentApi.Reads;

/// <summary>How full-text reads rank (configuration section <c>FullText</c>).</summary>
internal sealed class FullTextOptions
{
    public const int DefaultRankedMatchesAtMost = 50_000;

    /// <summary>
    /// A ranked read (a search, a public article list by relevance with <c>q</c> and at most its
    /// own columns' filters, one metadata filter and an event range) ranks the newest this many
    /// matches that hold a query word in their title, summary or the body's opening; older ones
    /// rank with the matches further into a body, newest first (migrations 0051, 0055). Ranking
    /// costs ~4 µs a match at 1,000,000 articles.
    /// </summary>
    public int RankedMatchesAtMost { get; set; } = DefaultRankedMatchesAtMost;
}

/// <summary>
/// Web-search syntax (websearch_to_tsquery): words, "quoted phrases", -excluded, or. A query of
/// exclusions only matches nearly every row, so it would rank and count the whole table: it
/// needs a word to find in each alternative. A query with no word to find at all (operators
/// only, or words too common to search) finds nothing cheaply and stays valid.
/// </summary>
internal static partial class FullTextQueries
{
    /// <summary>
    /// The query <c>@q</c> as a tsquery, in SQL, or null when it finds nothing by itself (its words
    /// all too common to search, or exclusions alone: migration 0037). A subquery, so that it is
    /// parsed once per statement: in the generic plan a prepared statement soon runs with, the
    /// bare call was evaluated again for every row ranked (a search ranking 3,318 matches: 14 ms
    /// against 8 ms).
    /// </summary>
    public const string Sql = "(select search_query(@q))";

    /// <summary>The rank of <c>@q</c>'s matches at the floor, in SQL (<see cref="ListSpec.RankFloor"/>).</summary>
    public const string FloorRank = $"search_floor_rank({Sql})";

    /// <summary>A full-text list's article matches are counted up to this many; a larger total is estimated (migration 0035).</summary>
    public const int ExactTotalUpTo = 1000;

    /// <summary>The articles matching <c>@q</c>: their total as <c>(total, estimated)</c>, exact up to <see cref="ExactTotalUpTo"/>.</summary>
    public static readonly string ArticleMatchTotal = ArticleMatchTotalOf("null, null, null");

    /// <summary>
    /// The articles matching <c>@q</c> and <paramref name="ownColumnFilters"/> (SQL: the language,
    /// the publication's start and end, excluded, each <c>null</c> for none), as <see cref="ArticleMatchTotal"/>.
    /// </summary>
    public static string ArticleMatchTotalOf(string ownColumnFilters) =>
        $"select total, estimated from article_match_total({Sql}, {ExactTotalUpTo}, {ownColumnFilters})";

    /// <summary>The longest query, in characters once trimmed.</summary>
    public const int MaxLength = 200;

    public const string NoPositiveTermMessage =
        "needs a word or phrase to find beside its exclusions (-word), in each alternative (or); words as common as 'the' are not searched.";

    [GeneratedRegex("""-?"[^"]*"?|\S+""", RegexOptions.CultureInvariant)]
    private static partial Regex Terms();

    /// <summary>The query as searched and cached: trimmed, each run of white space one space.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(q))]
    public static string? Normalize(string? q) => q is null ? null : WhiteSpace().Replace(q.Trim(), " ");

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhiteSpace();

    /// <summary>Whether <paramref name="q"/> has 1 to <see cref="MaxLength"/> characters once trimmed.</summary>
    public static bool HasLength(string q) => q.Trim().Length is > 0 and <= MaxLength;

    /// <summary>
    /// Whether each alternative of <paramref name="q"/> (its terms between two <c>or</c>s) that
    /// excludes a word also has one to find. Such an alternative matches every article without
    /// the word: a scan of everything, refused with a 400. PostgreSQL drops the words too common
    /// to search, so "the -security" excludes alone. A query with nothing to find at all
    /// (operators, or common words only) finds nothing, cheaply, and stays valid. Where this
    /// reading of a query and PostgreSQL's differ, the query finds nothing (migration 0037).
    /// </summary>
    public static bool HasPositiveTerm(string? q)
    {
        if (q is null)
            return true;
        var (finds, excludes) = (false, false);
        // Dashes standing alone apply to the next term, as PostgreSQL reads them: "- word" excludes
        // the word, "--word" (two exclusions) finds it.
        var dashes = 0;
        foreach (var term in Terms().Matches(q).Select(term => term.Value))
        {
            if (term.Equals("or", StringComparison.OrdinalIgnoreCase))
            {
                if (excludes && !finds)
                    return false;
                (finds, excludes, dashes) = (false, false, 0);
            }
            else if (term.All(c => c == '-'))
            {
                dashes += term.Length;
            }
            else
            {
                if (IsSearched(term))
                {
                    var excluded = (dashes + term.TakeWhile(c => c == '-').Count()) % 2 == 1;
                    finds |= !excluded;
                    excludes |= excluded;
                }

                dashes = 0;
            }
        }

        return finds || !excludes;
    }

    /// <summary>Whether a term holds a word PostgreSQL searches: a run of letters or digits not among its stop words.</summary>
    private static bool IsSearched(string term) =>
        Words().Matches(term).Any(word => !EnglishStopWords.Contains(word.Value));

    [GeneratedRegex(@"[\p{L}\p{N}]+", RegexOptions.CultureInvariant)]
    private static partial Regex Words();

    /// <summary>
    /// The words the 'english' text search configuration drops (PostgreSQL's
    /// <c>tsearch_data/english.stop</c>; <c>FullTextQueryTests</c> holds the two equal), in any case
    /// (PostgreSQL lowercases a query's words first).
    /// </summary>
    public static readonly FrozenSet<string> EnglishStopWords = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
        "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
        "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was",
        "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an", "the", "and",
        "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about", "against", "between",
        "into", "through", "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off",
        "over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all", "any",
        "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so",
        "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now");
}
