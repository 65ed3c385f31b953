using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.HttpOverrides;

namespace ContentApi.Infrastructure.Http;

/// <summary>
/// The client address is the connection's, unless the connection comes from a proxy listed in
/// <c>Http:TrustedProxies</c>: then its X-Forwarded-For is believed. From anyone else the
/// header is ignored. With no trusted proxy the forwarded-headers middleware is not used at all:
/// given empty proxy lists it would trust every sender.
/// </summary>
internal static class ClientAddresses
{
    public static IServiceCollection AddClientAddresses(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = TrustedProxies(configuration);
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
        return services;
    }

    public static WebApplication UseClientAddresses(this WebApplication app)
    {
        if (TrustedProxies(app.Configuration).Length > 0)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    /// <summary>
    /// The network limits and scopes apply to: a client's IPv4 address (/32), or the /64 of its
    /// IPv6 address, since one subscriber is given a whole /64 and can use any address in it.
    /// Null when the connection has no address.
    /// </summary>
    public static string? ClientNetwork(HttpContext httpContext)
    {
        var address = httpContext.Connection.RemoteIpAddress;
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return $"{address}/32";
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    private static string[] TrustedProxies(IConfiguration configuration) =>
        configuration.GetSection("Http:TrustedProxies").Get<string[]>() ?? [];
}
