namespace ContentApi.Reads;

/// <summary>
/// The cache keys a public response depends on, for a CDN in front of the API: Surrogate-Key
/// (Fastly, space-separated) and Cache-Tag (Cloudflare, comma-separated). They are the keys the
/// changes feed and webhooks name in each change (migration 0014: <c>article:12</c>,
/// <c>articles</c>, <c>person:3</c>, <c>people</c>, <c>comments:12</c>…), so a CDN can keep
/// long max-ages and purge exactly what a change invalidates.
/// </summary>
internal static class CacheTags
{
    /// <summary>One key (an article's, an entity's page): no list to build on the hottest reads.</summary>
    public static void Set(HttpResponse response, string key)
    {
        response.Headers["Surrogate-Key"] = key;
        response.Headers["Cache-Tag"] = key;
    }

    public static void Set(HttpResponse response, IEnumerable<string> keys)
    {
        var distinct = keys.Distinct().ToArray();
        if (distinct.Length == 0)
        {
            return;
        }

        response.Headers["Surrogate-Key"] = string.Join(' ', distinct);
        response.Headers["Cache-Tag"] = string.Join(',', distinct);
    }
}
