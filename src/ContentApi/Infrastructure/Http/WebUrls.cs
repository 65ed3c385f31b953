using System.Diagnostics.CodeAnalysis;

namespace ContentApi.Infrastructure.Http;

/// <summary>Links people give us (author pages, a commenter's site, webhook targets): absolute http or https URLs with a host.</summary>
internal static class WebUrls
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(value, UriKind.Absolute, out uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;

    public static bool IsWebUrl(string? value) => TryParse(value, out _);
}
