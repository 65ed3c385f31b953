using ContentApi.Articles;
using Microsoft.AspNetCore.ResponseCompression;

namespace ContentApi.Infrastructure.Http;

/// <summary>
/// Brotli/gzip for JSON when the client accepts it (<c>Compression:Enabled</c>, on by default;
/// switch it off behind a compressing proxy or CDN). Bodies whose length is known and below
/// <see cref="MinimumBytes"/> go out as they are: compressing them costs more than it saves.
/// It runs behind the in-memory cache of public responses, so that a hit is sent as it was
/// compressed once (<see cref="ContentCodings"/> keeps one entry per coding).
/// </summary>
internal static class Compression
{
    public const int MinimumBytes = 1024;

    public static IServiceCollection AddCompression(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            // Problem documents are always small: not worth compressing.
            options.MimeTypes = ["application/json", ArticleFormats.JsonLd, ArticleFormats.Ninjs, "application/rss+xml", "application/atom+xml", "application/xml"];
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        services.AddSingleton<ResponseCompressionProvider>();
        services.AddSingleton<IResponseCompressionProvider, SizeThresholdCompressionProvider>();
        services.AddSingleton<ContentCodings>();
        return services;
    }

    public static WebApplication UseCompression(this WebApplication app)
    {
        if (app.Configuration.GetValue("Compression:Enabled", true))
        {
            app.UseResponseCompression();
        }

        return app;
    }

    private sealed class SizeThresholdCompressionProvider(ResponseCompressionProvider inner) : IResponseCompressionProvider
    {
        public ICompressionProvider? GetCompressionProvider(HttpContext context) => inner.GetCompressionProvider(context);

        public bool CheckRequestAcceptsCompression(HttpContext context) => inner.CheckRequestAcceptsCompression(context);

        public bool ShouldCompressResponse(HttpContext context) =>
            context.Response.ContentLength is not < MinimumBytes && inner.ShouldCompressResponse(context);
    }
}

/// <summary>
/// The content coding the compression middleware picks for a request: "br", "gzip", or
/// "identity" (none accepted, or compression off). The cache of public responses keeps an entry
/// per coding, not per <c>Accept-Encoding</c> text, which differs from client to client.
/// </summary>
internal sealed class ContentCodings(IResponseCompressionProvider provider, IConfiguration configuration)
{
    public const string Identity = "identity";

    private readonly bool enabled = configuration.GetValue("Compression:Enabled", true);

    public string Negotiate(HttpContext context) =>
        enabled && provider.CheckRequestAcceptsCompression(context) && provider.GetCompressionProvider(context) is { } chosen
            ? chosen.EncodingName
            : Identity;
}
