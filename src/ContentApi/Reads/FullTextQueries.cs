using System.Text.RegularExpressions;
using ContentApi.Infrastructure.Http;

namespace ContentApi.Reads;

/// <summary>
/// Web-search syntax (websearch_to_tsquery): words, "quoted phrases", -excluded, or. A query of
/// exclusions only matches nearly every row, so it would rank and count the whole table: it
/// needs at least one word to find. A query with no word at all (operators only) finds nothing
/// cheaply and stays valid.
/// </summary>
internal static partial class FullTextQueries
{
    /// <summary>The rate-limiting policy of endpoints taking a full-text <c>q</c>.</summary>
    public const string ConcurrencyPolicy = "full-text";

    /// <summary>
    /// The query <c>@q</c> as a tsquery, in SQL. A subquery, so that it is parsed once per
    /// statement: in the generic plan a prepared statement soon runs with, the bare call was
    /// evaluated again for every row ranked (a search ranking 3,318 matches: 14 ms against 8 ms).
    /// </summary>
    public const string Sql = "(select websearch_to_tsquery('english', @q))";

    /// <summary>A full-text list's article matches are counted up to this many; a larger total is estimated (migration 0035).</summary>
    public const int ExactTotalUpTo = 1000;

    /// <summary>The articles matching <c>@q</c>: their total as <c>(total, estimated)</c>, exact up to <see cref="ExactTotalUpTo"/>.</summary>
    public static readonly string ArticleMatchTotal = $"select total, estimated from article_match_total({Sql}, {ExactTotalUpTo})";

    /// <summary>The longest query, in characters once trimmed.</summary>
    public const int MaxLength = 200;

    public const string NoPositiveTermMessage = "needs at least one word or phrase to find, not only excluded ones (-word).";

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
    /// Whether <paramref name="q"/> passes the rules every endpoint taking one checks (its length,
    /// clean text, a word to find): any other is a 400 before PostgreSQL is asked.
    /// </summary>
    public static bool IsValid(string q) => HasLength(q) && CleanText.IsClean(q) && HasPositiveTerm(q);

    public static bool HasPositiveTerm(string? q)
    {
        if (q is null)
            return true;
        var words = Terms().Matches(q)
            .Select(term => term.Value)
            .Where(term => term.Any(char.IsLetterOrDigit) && !term.Equals("or", StringComparison.OrdinalIgnoreCase))
            .ToList();
        return words.Count == 0 || words.Any(word => !word.StartsWith('-'));
    }
}
