namespace ContentApi.Infrastructure.Http;

/// <summary>Kestrel and its socket transport as the API runs them.</summary>
public static class ServerTransport
{
    public static IWebHostBuilder UseServerTransport(this IWebHostBuilder webHost, IConfiguration configuration)
    {
        webHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // Kestrel hands each read to the thread pool before the request's code runs. On these
        // 2-core virtual machines that hop and the wake-ups around it cost more than the request
        // itself (articles ~27% faster without it). The thread that runs the request is still a
        // thread-pool worker: the runtime's own socket events are not inlined (with them, article
        // reads beside costly searches reached a p99 of 1.8 s in one run: a busy event thread).
        webHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = configuration.GetValue("Http:InlineScheduling", true));
        return webHost;
    }
}
