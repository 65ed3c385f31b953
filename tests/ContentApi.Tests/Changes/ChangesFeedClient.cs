using System.Net;
using ContentApi.Changes;

namespace ContentApi.Tests.Changes;

/// <summary>Reads the changes feed as a client does: page after page with each page's `next`.</summary>
internal sealed class ChangesFeedClient(HttpClient http)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every page from <paramref name="since"/> (null: the initial sync) until the feed has no more; the changes and the token to go on from.</summary>
    public async Task<(List<ContentChange> Changes, string Next, List<ChangesPage> Pages)> ReadAllAsync(string? since, int pageSize = 100)
    {
        var changes = new List<ContentChange>();
        var pages = new List<ChangesPage>();
        var token = since;
        while (true)
        {
            var page = await PageAsync(token, pageSize);
            pages.Add(page);
            changes.AddRange(page.Items);
            token = page.Next;
            if (!page.HasMore)
            {
                return (changes, token, pages);
            }
        }
    }

    public async Task<ChangesPage> PageAsync(string? since, int pageSize = 100)
    {
        var url = $"/v1/changes?pageSize={pageSize}" + (since is null ? "" : $"&since={Uri.EscapeDataString(since)}");
        var response = await http.GetAsync(url, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.ReadContractAsync<ChangesPage>();
    }

    /// <summary>The token at the head of the feed now (after a sync of whatever is there).</summary>
    public async Task<string> HeadAsync() => (await ReadAllAsync(null, 1000)).Next;
}
