using System.Buffers.Binary;
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

    /// <summary>The network of a connection with no address (<see cref="ClientNetworkKey"/>): no IPv4 or IPv6 network has these bits.</summary>
    public static readonly UInt128 UnknownNetwork = UInt128.MaxValue;

    /// <summary>
    /// The network limits and scopes apply to: a client's IPv4 address (/32), or the /64 of its
    /// IPv6 address, since one subscriber is given a whole /64 and can use any address in it.
    /// Null when the connection has no address.
    /// </summary>
    public static string? ClientNetwork(HttpContext httpContext) =>
        ClientNetworkKey(httpContext) is var network && network != UnknownNetwork ? DescribeNetwork(network) : null;

    /// <summary>
    /// The client's network (<see cref="ClientNetwork"/>) as 128 bits, for counting by network
    /// without a string for each: an IPv4 address as its IPv4-mapped IPv6 address, an IPv6
    /// address with its interface half cleared; <see cref="UnknownNetwork"/> without an address.
    /// </summary>
    public static UInt128 ClientNetworkKey(HttpContext httpContext)
    {
        if (httpContext.Connection.RemoteIpAddress is not { } address)
        {
            return UnknownNetwork;
        }

        Span<byte> bytes = stackalloc byte[16];
        var ipv6 = address.AddressFamily == AddressFamily.InterNetworkV6 ? address : address.MapToIPv6();
        ipv6.TryWriteBytes(bytes, out _);
        if (!ipv6.IsIPv4MappedToIPv6)
        {
            bytes[8..].Clear();
        }

        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>A network of <see cref="ClientNetworkKey"/> as text: <c>198.51.100.7/32</c>, <c>2001:db8:1:2::/64</c> or <c>unknown</c>.</summary>
    public static string DescribeNetwork(UInt128 network)
    {
        if (network == UnknownNetwork)
        {
            return "unknown";
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, network);
        var address = new IPAddress(bytes);
        return address.IsIPv4MappedToIPv6 ? $"{address.MapToIPv4()}/32" : $"{address}/64";
    }

    private static string[] TrustedProxies(IConfiguration configuration) =>
        configuration.GetSection("Http:TrustedProxies").Get<string[]>() ?? [];
}
