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

    public static string Message(string parameter) =>
        $"'{parameter}' must be lower-case letters and digits in words joined by single hyphens, at most {MaxLength} characters.";
}
