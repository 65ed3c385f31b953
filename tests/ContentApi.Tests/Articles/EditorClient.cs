using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContentApi.Articles;
using ContentApi.Infrastructure.Security;

namespace ContentApi.Tests.Articles;

/// <summary>An editor's HTTP client (API key with content:write) and the requests of the write API.</summary>
internal sealed class EditorClient(HttpClient http)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public HttpClient Http { get; } = http;

    public static async Task<EditorClient> CreateAsync(ContentApiFixture app, params string[] scopes)
    {
        var http = app.CreateClient(new() { AllowAutoRedirect = false });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateApiKeyAsync(scopes.Length == 0 ? [Scopes.ContentWrite] : scopes));
        return new EditorClient(http);
    }

    /// <summary>A publishable article with a unique slug; <paramref name="change"/> sets more fields.</summary>
    public static JsonObject Article(string slug, string status = "published", Action<JsonObject>? change = null)
    {
        var article = new JsonObject
        {
            ["title"] = $"Article {slug}",
            ["slug"] = slug,
            ["summary"] = "Written through the API.",
            ["status"] = status,
            ["body"] = new JsonArray(new JsonObject { ["type"] = "paragraph", ["text"] = $"Body of {slug}." }),
        };
        change?.Invoke(article);
        return article;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, JsonNode? body = null, string? ifMatch = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, contentType);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return Http.SendAsync(request, Ct);
    }

    public Task<HttpResponseMessage> CreateAsync(JsonNode article) => SendAsync(HttpMethod.Post, "/v1/articles", article);

    /// <summary>Creates the article and answers its strong ETag.</summary>
    public async Task<string> CreatedAsync(JsonNode article)
    {
        var response = await CreateAsync(article);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"expected 201, got {(int)response.StatusCode}: {text}");
        return response.Headers.ETag!.ToString();
    }

    public Task<HttpResponseMessage> ReplaceAsync(string slug, JsonNode article, string? ifMatch) =>
        SendAsync(HttpMethod.Put, $"/v1/articles/{slug}", article, ifMatch);

    public Task<HttpResponseMessage> PatchAsync(string slug, JsonNode patch, string? ifMatch) =>
        SendAsync(HttpMethod.Patch, $"/v1/articles/{slug}", patch, ifMatch, "application/merge-patch+json");

    /// <summary>The stored version of an article, as an editor reads it.</summary>
    public async Task<string> ETagAsync(string path)
    {
        var response = await Http.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!.ToString();
    }

    public static async Task<ArticleDetail> DetailAsync(HttpResponseMessage response) => await response.ReadContractAsync<ArticleDetail>();

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;
}
