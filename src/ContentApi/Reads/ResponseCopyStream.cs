using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Reads;

/// <summary>
/// A response copied for the cache: when it started, and its bytes: the headers it started with
/// (<see cref="KeptHeaders"/>, the first <paramref name="HeaderLength"/> bytes), then its body.
/// </summary>
internal readonly record struct CopiedResponse(DateTimeOffset Created, ReadOnlyMemory<byte> Bytes, int HeaderLength);

/// <summary>
/// A response's body on its way to the client (<see cref="HotReadMiddleware"/>), copied as it goes
/// when the response, once it starts, may be kept (<see cref="PublicResponses.MayBeKept"/>): then
/// its headers are taken as they are at that moment, with the <c>Date</c> the copy is made at. The
/// copy is in an array of the shared pool, given back when the stream is disposed; a body larger
/// than <paramref name="largest"/> is not copied.
/// </summary>
internal sealed class ResponseCopyStream(HttpResponse response, Stream client, int largest) : Stream
{
    private bool started;
    private byte[]? copy;
    private int length;
    private int headerLength;
    private DateTimeOffset created;

    /// <summary>The copy of a whole response that may be kept: null when it was not copied, or not whole (its Content-Length said more).</summary>
    public CopiedResponse? Kept(long? contentLength)
    {
        Start();
        return copy is not null && (contentLength is null || contentLength == length - headerLength)
            ? new CopiedResponse(created, copy.AsMemory(0, length), headerLength)
            : null;
    }

    private void Start()
    {
        if (started)
        {
            return;
        }

        started = true;
        // Started already (flushed before any byte): its Date can no longer be set.
        if (response.HasStarted || !PublicResponses.MayBeKept(response))
        {
            return;
        }

        created = DateTimeOffset.UtcNow;
        response.Headers.Date = HeaderUtilities.FormatDate(created);
        headerLength = KeptHeaders.SizeOf(response.Headers);
        var expected = response.ContentLength is { } contentLength and > 0 and <= int.MaxValue ? (int)Math.Min(contentLength, largest) : 16 * 1024;
        copy = ArrayPool<byte>.Shared.Rent(headerLength + expected);
        length = KeptHeaders.Write(response.Headers, copy);
    }

    private void Copy(ReadOnlySpan<byte> bytes)
    {
        Start();
        if (copy is null)
        {
            return;
        }

        if (length - headerLength + bytes.Length > largest)
        {
            GiveBack();
            return;
        }

        if (length + bytes.Length > copy.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(headerLength + largest, Math.Max(copy.Length * 2, length + bytes.Length)));
            copy.AsSpan(0, length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(copy);
            copy = larger;
        }

        bytes.CopyTo(copy.AsSpan(length));
        length += bytes.Length;
    }

    private void GiveBack()
    {
        if (copy is not null)
        {
            ArrayPool<byte>.Shared.Return(copy);
            copy = null;
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Copy(buffer);
        client.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Copy(buffer.Span);
        return client.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => client.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => client.FlushAsync(cancellationToken);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        GiveBack();
        base.Dispose(disposing);
    }
}

/// <summary>
/// A kept response's headers as bytes, stored before its body outside the GC's heap (as objects,
/// an entry's headers lived for minutes in the oldest generation): for each header, the index
/// of its name among the usual ones (or 255 and the name), then its values, comma-joined, as
/// UTF-8 with their length.
/// </summary>
internal static class KeptHeaders
{
    private const byte OtherName = 255;

    private static readonly string[] UsualNames =
    [
        HeaderNames.ContentType, HeaderNames.ContentEncoding, HeaderNames.ContentLanguage, HeaderNames.ETag, HeaderNames.LastModified,
        HeaderNames.CacheControl, HeaderNames.Vary, HeaderNames.Date, HeaderNames.Link, "Surrogate-Key", "Cache-Tag",
        HeaderNames.AccessControlAllowOrigin, HeaderNames.AccessControlExposeHeaders, HeaderNames.AccessControlAllowCredentials,
    ];

    // Not kept with a response from memory: a hit computes its own length and age, and asks no server.
    private static readonly HashSet<string> NotKept = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.ContentLength, HeaderNames.Age, ReadRouting.ServedByHeader,
    };

    public static int SizeOf(IHeaderDictionary headers)
    {
        var size = 0;
        foreach (var (name, values) in headers)
        {
            if (!NotKept.Contains(name))
            {
                size += 1 + (IndexOf(name) == OtherName ? 2 + Encoding.UTF8.GetByteCount(name) : 0) + 4 + Encoding.UTF8.GetByteCount(values.ToString());
            }
        }

        return size;
    }

    /// <summary>Writes <paramref name="headers"/> at the start of <paramref name="destination"/> (<see cref="SizeOf"/> bytes); answers their length.</summary>
    public static int Write(IHeaderDictionary headers, Span<byte> destination)
    {
        var at = 0;
        foreach (var (name, values) in headers)
        {
            if (NotKept.Contains(name))
            {
                continue;
            }

            var index = IndexOf(name);
            destination[at++] = index;
            if (index == OtherName)
            {
                var nameLength = Encoding.UTF8.GetBytes(name, destination[(at + 2)..]);
                BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], (ushort)nameLength);
                at += 2 + nameLength;
            }

            var valueLength = Encoding.UTF8.GetBytes(values.ToString(), destination[(at + 4)..]);
            BinaryPrimitives.WriteInt32LittleEndian(destination[at..], valueLength);
            at += 4 + valueLength;
        }

        return at;
    }

    /// <summary>Sets the headers written in <paramref name="kept"/> on <paramref name="headers"/>.</summary>
    public static void Apply(ReadOnlySpan<byte> kept, IHeaderDictionary headers)
    {
        while (!kept.IsEmpty)
        {
            string name;
            var index = kept[0];
            kept = kept[1..];
            if (index == OtherName)
            {
                var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(kept);
                name = Encoding.UTF8.GetString(kept.Slice(2, nameLength));
                kept = kept[(2 + nameLength)..];
            }
            else
            {
                name = UsualNames[index];
            }

            var valueLength = BinaryPrimitives.ReadInt32LittleEndian(kept);
            headers[name] = Encoding.UTF8.GetString(kept.Slice(4, valueLength));
            kept = kept[(4 + valueLength)..];
        }
    }

    private static byte IndexOf(string name)
    {
        for (var i = 0; i < UsualNames.Length; i++)
        {
            if (string.Equals(UsualNames[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return (byte)i;
            }
        }

        return OtherName;
    }
}
