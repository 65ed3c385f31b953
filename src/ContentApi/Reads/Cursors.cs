using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Reads;

/// <summary>
/// A keyset position: the sort, the direction, and the sort key of the item the page starts
/// after (forward) or ends before (backward).
/// </summary>
internal sealed record Cursor(string Sort, bool Backward, object Key0, long Key1);

/// <summary>
/// Encodes cursors as opaque, tamper-evident tokens: a compact binary payload and a truncated
/// HMAC-SHA256 over it and the query it belongs to (filters and sort), base64url. A forged,
/// truncated or foreign cursor fails to decode; it never reaches SQL.
/// </summary>
internal sealed class CursorCodec(CursorSigningKey signingKey)
{
    private const byte FormatVersion = 1;
    private const int MacLength = 16;
    private const int MaxTokenLength = 1024;

    private enum KeyType : byte { Timestamp = 1, Text = 2, Real = 3, Date = 4, Integer = 5 }

    public async Task<string> EncodeAsync(Cursor cursor, string scope, CancellationToken cancellationToken)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatVersion);
            writer.Write(cursor.Sort);
            writer.Write(cursor.Backward);
            switch (cursor.Key0)
            {
                case DateTime timestamp:
                    writer.Write((byte)KeyType.Timestamp);
                    writer.Write(timestamp.ToUniversalTime().Ticks);
                    break;
                case string text:
                    writer.Write((byte)KeyType.Text);
                    writer.Write(text);
                    break;
                case float real:
                    writer.Write((byte)KeyType.Real);
                    writer.Write(real);
                    break;
                case DateOnly date:
                    writer.Write((byte)KeyType.Date);
                    writer.Write(date.DayNumber);
                    break;
                case long integer:
                    writer.Write((byte)KeyType.Integer);
                    writer.Write(integer);
                    break;
                default:
                    throw new ArgumentException($"Unsupported cursor key type {cursor.Key0.GetType()}", nameof(cursor));
            }

            writer.Write(cursor.Key1);
        }

        var key = await signingKey.GetAsync(cancellationToken);
        var body = payload.ToArray();
        return Base64Url.EncodeToString([.. body, .. Mac(key, body, scope)]);
    }

    public async Task<Cursor?> DecodeAsync(string token, string scope, CancellationToken cancellationToken)
    {
        if (token.Length is 0 or > MaxTokenLength)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return null;
        }

        if (bytes.Length <= MacLength)
        {
            return null;
        }

        var body = bytes[..^MacLength];
        var key = await signingKey.GetAsync(cancellationToken);
        if (!CryptographicOperations.FixedTimeEquals(bytes.AsSpan(^MacLength), Mac(key, body, scope)))
        {
            return null;
        }

        // Signed by us for this very query: the payload is well-formed.
        using var reader = new BinaryReader(new MemoryStream(body), Encoding.UTF8);
        if (reader.ReadByte() != FormatVersion)
        {
            return null;
        }

        var sort = reader.ReadString();
        var backward = reader.ReadBoolean();
        object key0 = (KeyType)reader.ReadByte() switch
        {
            KeyType.Timestamp => new DateTime(reader.ReadInt64(), DateTimeKind.Utc),
            KeyType.Text => reader.ReadString(),
            KeyType.Real => reader.ReadSingle(),
            KeyType.Date => DateOnly.FromDayNumber(reader.ReadInt32()),
            KeyType.Integer => reader.ReadInt64(),
            _ => throw new InvalidDataException("unknown cursor key type"),
        };
        return new Cursor(sort, backward, key0, reader.ReadInt64());
    }

    private static byte[] Mac(byte[] key, byte[] body, string scope)
    {
        var scopeBytes = Encoding.UTF8.GetBytes(scope);
        byte[] message = [.. body, 0, .. scopeBytes];
        return HMACSHA256.HashData(key, message)[..MacLength];
    }
}

/// <summary>
/// The cursor signing key: <c>Paging:CursorSecret</c> (base64, ≥ 32 bytes) when configured,
/// else the one the migrations stored in PostgreSQL, so that every instance shares it.
/// </summary>
internal sealed class CursorSigningKey(NpgsqlDataSource db, IOptions<PagingOptions> options)
{
    private byte[]? key = options.Value.CursorSecret is { Length: > 0 } configured ? FromConfiguration(configured) : null;

    public async ValueTask<byte[]> GetAsync(CancellationToken cancellationToken)
    {
        if (key is { } known)
        {
            return known;
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        key = await connection.QuerySingleAsync<byte[]>(new CommandDefinition(
            "select value from app_secrets where name = 'cursor-signing-key'", cancellationToken: cancellationToken));
        return key;
    }

    private static byte[] FromConfiguration(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        return bytes.Length >= 32 ? bytes : throw new InvalidOperationException("Paging:CursorSecret must be at least 32 bytes (base64).");
    }
}
