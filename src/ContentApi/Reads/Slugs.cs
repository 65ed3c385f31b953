using System.Text.RegularExpressions;
using ContentApi.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContentApi.Reads;

/// <summary>Slugs are the public keys: lower-case ASCII words joined by single hyphens, at most 200 characters.</summary>
internal static partial class Slugs
{
    public const int MaxLength = 200;

    public const string PatternText = "^[a-z0-9]+(-[a-z0-9]+)*$";

    [GeneratedRegex(PatternText, RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? value) => value is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(value);

    /// <summary>A 400 validation problem naming <paramref name="parameter"/> when the slug is malformed, else null.</summary>
    public static ProblemHttpResult? Problem(string value, string parameter = "slug") =>
        IsValid(value) ? null : Problems.Validation(parameter, Message(parameter));

    // Latin letters with diacritics and their plain forms (the app runs with invariant
    // globalization, where Unicode normalization is not available).
    private const string Accented = "àáâãäåāăąçćčďđèéêëēėęěìíîïīįıñńňòóôõöøōőŕřśšşťţùúûüūůűųýÿžźż";
    private const string Plain = "aaaaaaaaacccddeeeeeeeeiiiiiiinnnoooooooorrsssttuuuuuuuuyyzzz";

    /// <summary>
    /// A slug for a title or name: letters without their accents, lower-case, words joined by
    /// hyphens, cut at a word boundary to fit. "item" when nothing of it is left (e.g. all CJK).
    /// </summary>
    public static string FromTitle(string title)
    {
        var words = new System.Text.StringBuilder();
        foreach (var c in title.ToLowerInvariant())
        {
            var plain = Accented.IndexOf(c, StringComparison.Ordinal) is var at and >= 0 ? Plain[at] : c;
            words.Append(char.IsAsciiLetterOrDigit(plain) ? plain : ' ');
        }

        var slug = string.Join('-', words.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (slug.Length > MaxLength - 10) // room for a "-N" that makes it unique
        {
            slug = slug[..(MaxLength - 10)];
            slug = slug.Contains('-', StringComparison.Ordinal) ? slug[..slug.LastIndexOf('-')] : slug;
        }

        return slug.Length > 0 ? slug : "item";
    }

    public static string Message(string parameter) =>
        $"'{parameter}' must be lower-case letters and digits in words joined by single hyphens, at most {MaxLength} characters.";
}
