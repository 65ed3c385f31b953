using ContentApi.Reads;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace ContentApi.Tests.Reads;

/// <summary>
/// A page's links keep the request's other parameters as they came (repeated ones, any case,
/// characters that need encoding) and replace only its paging parameters.
/// </summary>
public sealed class PageUrlsTests
{
    private static HttpRequest Request(string path, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        return context.Request;
    }

    [Fact]
    public void Links_keep_the_other_parameters_and_replace_the_paging_ones()
    {
        var urls = new PageUrls(Request("/v1/articles", "?tag=a%20b&PAGE=3&person=x%26y&tag=c&Cursor=old&pageSize=5&q=%C3%A9t%C3%A9"));

        Assert.Equal("/v1/articles?tag=a%20b&tag=c&person=x%26y&q=%C3%A9t%C3%A9&page=2&pageSize=5", urls.With(5, page: 2));
        Assert.Equal("/v1/articles?tag=a%20b&tag=c&person=x%26y&q=%C3%A9t%C3%A9&cursor=AQ_-x&pageSize=10", urls.With(10, cursor: "AQ_-x"));
        Assert.Equal("/v1/articles?tag=a%20b&tag=c&person=x%26y&q=%C3%A9t%C3%A9&page=1&cursor=a%2Bb&pageSize=5", urls.With(5, page: 1, cursor: "a+b"));
    }

    [Fact]
    public void Links_of_a_list_without_other_parameters_start_with_the_paging_ones()
    {
        var urls = new PageUrls(Request("/v1/people/someone/articles", "?cursor=old"));

        Assert.Equal("/v1/people/someone/articles?page=1&pageSize=20", urls.With(20, page: 1));
        Assert.Equal("/v1/people/someone/articles?pageSize=20", urls.With(20));
    }

    [Theory]
    [InlineData("?tag=x&pageSize=3&language=en&language=de")]
    [InlineData("?q=%22war%20and%20peace%22%20-tolstoy&page=2&sort=relevance")]
    [InlineData("?publishedFrom=2024-01-01T00%3A00%3A00Z&Cursor=abc&PageSize=9")]
    [InlineData("")]
    public void Links_are_what_the_framework_writes_for_the_same_parameters(string query)
    {
        // QueryHelpers.AddQueryString over the parsed parameters, as the links were first made.
        var others = QueryHelpers.ParseQuery(query)
            .Where(p => !new[] { "page", "pageSize", "cursor" }.Contains(p.Key, StringComparer.OrdinalIgnoreCase))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .Append(new("page", "4"))
            .Append(new("cursor", "c/d"))
            .Append(new("pageSize", "7"));

        Assert.Equal(QueryHelpers.AddQueryString("/v1/articles", others), new PageUrls(Request("/v1/articles", query)).With(7, page: 4, cursor: "c/d"));
    }
}
