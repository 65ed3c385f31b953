using System.Net;
using System.Net.Sockets;
using ContentApi.Infrastructure.Http;

namespace ContentApi.Webhooks;

/// <summary>
/// Where webhooks may go (SSRF guard): http(s) URLs whose addresses are public. Checked when a
/// subscription is written (a literal address or localhost) and again at every connection,
/// after DNS resolution, so that a name that resolves (or is re-pointed) to a private address
/// is refused too. <c>Webhooks:AllowPrivateTargets</c> lifts the address rule (tests, a
/// receiver on the same network).
/// </summary>
internal static class WebhookTargets
{
    public static string? UrlProblem(string? url, bool allowPrivate)
    {
        if (url is null || url.Length > WebhookLimits.Url || !WebUrls.TryParse(url, out var uri))
        {
            return $"'url' must be an absolute http or https URL of at most {WebhookLimits.Url} characters.";
        }

        if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            return "'url' must be without user info or fragment.";
        }

        if (!allowPrivate && (uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && !IsPublic(address))))
        {
            return "'url' points to a loopback, private or link-local address, which webhooks may not reach.";
        }

        return null;
    }

    /// <summary>Whether an address is on the public internet (not loopback, private, link-local, shared, multicast or reserved).</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224
                     || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)   // shared address space (CGNAT)
                     || (b[0] == 169 && b[1] == 254)                 // link-local (cloud metadata)
                     || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                     || (b[0] == 192 && b[1] == 168)
                     || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                     || (b[0] == 198 && b[1] is 18 or 19));
        }

        var bytes = address.GetAddressBytes();
        return !(IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
                 || address.IsIPv6Multicast || (bytes[0] & 0xFE) == 0xFC);    // unique local fc00::/7
    }

    /// <summary>
    /// Connects to the first reachable allowed address of the request's host, so that the
    /// address checked is the address used (no second resolution to rebind).
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(a => allowPrivate || IsPublic(a)).ToList();
        if (allowed.Count == 0)
        {
            throw new WebhookTargetRefusedException($"{host} resolves to no public address");
        }

        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                last = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}

internal sealed class WebhookTargetRefusedException(string message) : Exception(message);
