using System.Net.Http.Json;
using System.Text;

namespace ContentApi.Tests.Comments;

/// <summary>Posting helpers: unique authors by default, so that flood control never trips by accident.</summary>
internal static class CommentTestClient
{
    public static string UniqueEmail() => $"reader-{Guid.NewGuid():N}@example.com";

    public static Task<HttpResponseMessage> PostCommentAsync(this HttpClient client, string articleSlug, object body, string? clientAddress = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/articles/{articleSlug}/comments") { Content = JsonContent.Create(body) };
        if (clientAddress is not null)
        {
            request.Headers.Add(TestClientAddress.Header, clientAddress);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string articleSlug, string json, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/articles/{articleSlug}/comments")
        {
            Content = new StringContent(json, Encoding.UTF8, contentType),
        };
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static object Comment(string? email = null, string body = "A thoughtful comment.", long? parentId = null, string name = "Reader", string? url = null) =>
        new { authorName = name, authorEmail = email ?? UniqueEmail(), authorUrl = url, body, parentId };

    public static async Task<long> PostedIdAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"expected 202, got {(int)response.StatusCode}: {text}");
        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }
}
