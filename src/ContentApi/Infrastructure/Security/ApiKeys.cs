using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ContentApi.Infrastructure.Security;

/// <summary>The scopes an API key can carry; each is an authorisation policy of the same name.</summary>
internal static class Scopes
{
    public const string ContentWrite = "content:write";
    public const string CommentsModerate = "comments:moderate";
    public const string WebhooksManage = "webhooks:manage";

    public static readonly string[] All = [ContentWrite, CommentsModerate, WebhooksManage];
}

/// <summary>
/// API keys: 256 random bits, shown once as <c>cak_</c> + base64url, stored only as their
/// SHA-256 hash (a fast hash is right here: the key itself has full entropy).
/// </summary>
internal static class ApiKeys
{
    public const string Prefix = "cak_";

    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>What a listing shows of a key: enough to recognise it, never enough to use it.</summary>
    public static string DisplayPrefix(string key) => key[..Math.Min(key.Length, Prefix.Length + 6)];
}
