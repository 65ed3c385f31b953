using System.Net;
using ContentApi.Infrastructure.Http;
using Microsoft.AspNetCore.Http;

namespace ContentApi.Tests.Infrastructure;

/// <summary>The network limits and scopes apply to: an IPv4 address alone, an IPv6 address's /64.</summary>
public sealed class ClientAddressesTests
{
    [Theory]
    [InlineData("198.51.100.7", "198.51.100.7/32")]
    [InlineData("::ffff:198.51.100.7", "198.51.100.7/32")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8::1", "2001:db8::/64")]
    public void A_client_network_is_its_address_or_its_slash_64(string address, string network)
    {
        var context = Connection(address);

        Assert.Equal(network, ClientAddresses.ClientNetwork(context));
        Assert.Equal(network, ClientAddresses.DescribeNetwork(ClientAddresses.ClientNetworkKey(context)));
    }

    [Fact]
    public void Addresses_of_one_slash_64_share_a_key_and_neighbouring_ipv4_addresses_do_not()
    {
        Assert.Equal(Key("2001:db8:1:2::1"), Key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        Assert.NotEqual(Key("2001:db8:1:2::1"), Key("2001:db8:1:3::1"));
        Assert.NotEqual(Key("198.51.100.7"), Key("198.51.100.8"));
        Assert.Equal(Key("198.51.100.7"), Key("::ffff:198.51.100.7"));
    }

    [Fact]
    public void A_connection_without_an_address_is_the_unknown_network()
    {
        var context = new DefaultHttpContext();

        Assert.Null(ClientAddresses.ClientNetwork(context));
        Assert.Equal(ClientAddresses.UnknownNetwork, ClientAddresses.ClientNetworkKey(context));
        Assert.Equal("unknown", ClientAddresses.DescribeNetwork(ClientAddresses.UnknownNetwork));
    }

    private static UInt128 Key(string address) => ClientAddresses.ClientNetworkKey(Connection(address));

    private static DefaultHttpContext Connection(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        return context;
    }
}
