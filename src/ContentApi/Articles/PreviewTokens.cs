using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Articles;

/// <summary>Preview settings (<c>Preview:*</c>).</summary>
internal sealed class PreviewOptions
{
    /// <summary>How long a preview link works.</summary>
    public int LinkLifetimeHours { get; set; } = 24;
}

/// <summary>
/// Preview links: the article's id and the link's expiry, signed (truncated HMAC-SHA256 with a
/// key kept in PostgreSQL, shared by every instance), base64url. A tampered, truncated or
/// expired token is refused; nothing in it reaches SQL unverified.
/// </summary>
internal sealed class PreviewTokens(NpgsqlDataSource db, IOptions<PreviewOptions> options, TimeProvider clock)
{
    private const int PayloadLength = 16;
    private const int MacLength = 16;
    private byte[]? key;

    public TimeSpan Lifetime => TimeSpan.FromHours(options.Value.LinkLifetimeHours);

    public async Task<(string Token, DateTime ExpiresAt)> IssueAsync(long articleId, CancellationToken cancellationToken)
    {
        var expiresAt = clock.GetUtcNow().UtcDateTime.Add(Lifetime);
        expiresAt = expiresAt.AddTicks(-(expiresAt.Ticks % TimeSpan.TicksPerSecond));
        var payload = new byte[PayloadLength];
        BinaryPrimitives.WriteInt64BigEndian(payload, articleId);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(8), new DateTimeOffset(expiresAt).ToUnixTimeSeconds());
        var mac = HMACSHA256.HashData(await KeyAsync(cancellationToken), payload)[..MacLength];
        return (Base64Url.EncodeToString([.. payload, .. mac]), expiresAt);
    }

    /// <summary>The article id of a valid, unexpired token; null otherwise.</summary>
    public async Task<long?> VerifyAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length > 100 || !Base64Url.IsValid(token))
        {
            return null;
        }

        var bytes = Base64Url.DecodeFromChars(token);
        if (bytes.Length != PayloadLength + MacLength)
        {
            return null;
        }

        var expected = HMACSHA256.HashData(await KeyAsync(cancellationToken), bytes.AsSpan(0, PayloadLength))[..MacLength];
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(PayloadLength)))
        {
            return null;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(8)));
        return expiresAt > clock.GetUtcNow() ? BinaryPrimitives.ReadInt64BigEndian(bytes) : null;
    }

    private async ValueTask<byte[]> KeyAsync(CancellationToken cancellationToken) =>
        key ??= await ArticleWriteQueries.PreviewKeyAsync(db, cancellationToken);
}
