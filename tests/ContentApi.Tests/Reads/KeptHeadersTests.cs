using ContentApi.Reads;
using Microsoft.AspNetCore.Http;

namespace ContentApi.Tests.Reads;

/// <summary>A kept response's headers as bytes: read back as they were sent, less what a hit sets itself.</summary>
public sealed class KeptHeadersTests
{
    [Fact]
    public void Headers_read_back_as_they_were_sent_without_length_age_or_server()
    {
        var sent = new HeaderDictionary
        {
            ["Content-Type"] = "application/json; charset=utf-8",
            ["ETag"] = "W/\"article-12\"",
            ["Surrogate-Key"] = "article:12 articles",
            ["Vary"] = new(["Accept-Encoding", "Accept"]),
            ["Link"] = "</v1/articles?tag=caf%C3%A9&page=2&pageSize=20>; rel=\"next\"",
            ["X-Robots-Tag"] = "noindex, café",
            ["Content-Length"] = "512",
            ["Age"] = "3",
            ["Served-By"] = "primary",
        };
        var bytes = new byte[KeptHeaders.SizeOf(sent)];

        var written = KeptHeaders.Write(sent, bytes);
        var read = new HeaderDictionary();
        KeptHeaders.Apply(bytes, read);

        Assert.Equal(bytes.Length, written);
        Assert.Equal(
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["Content-Type"] = "application/json; charset=utf-8",
                ["ETag"] = "W/\"article-12\"",
                ["Surrogate-Key"] = "article:12 articles",
                ["Vary"] = "Accept-Encoding,Accept",
                ["Link"] = "</v1/articles?tag=caf%C3%A9&page=2&pageSize=20>; rel=\"next\"",
                ["X-Robots-Tag"] = "noindex, café",
            },
            read.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
    }
}
