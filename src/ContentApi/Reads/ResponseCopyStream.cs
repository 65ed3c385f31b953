using System.Buffers;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Reads;

/// <summary>A response copied for the cache: the headers it started with, when it started, and its body.</summary>
internal readonly record struct CopiedResponse(KeyValuePair<string, StringValues>[] Headers, DateTimeOffset Created, ReadOnlyMemory<byte> Body);

/// <summary>
/// A response's body on its way to the client (<see cref="HotReadMiddleware"/>), copied as it goes
/// when the response, once it starts, may be kept (<see cref="PublicResponses.MayBeKept"/>): then
/// its headers are taken as they are at that moment, with the <c>Date</c> the copy is made at. The
/// copy is in an array of the shared pool, given back when the stream is disposed; a body larger
/// than <paramref name="largest"/> is not copied.
/// </summary>
internal sealed class ResponseCopyStream(HttpResponse response, Stream client, int largest) : Stream
{
    // Not kept with a response from memory: a hit computes its own length, and asks no server.
    private static readonly HashSet<string> NotKept = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.ContentLength, HeaderNames.Age, ReadRouting.ServedByHeader,
    };

    private bool started;
    private byte[]? copy;
    private int length;
    private KeyValuePair<string, StringValues>[] headers = [];
    private DateTimeOffset created;

    /// <summary>The copy of a whole response that may be kept: null when it was not copied, or not whole (its Content-Length said more).</summary>
    public CopiedResponse? Kept(long? contentLength)
    {
        Start();
        return copy is not null && (contentLength is null || contentLength == length)
            ? new CopiedResponse(headers, created, copy.AsMemory(0, length))
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
        var kept = new List<KeyValuePair<string, StringValues>>(response.Headers.Count);
        foreach (var header in response.Headers)
        {
            if (!NotKept.Contains(header.Key))
            {
                kept.Add(header);
            }
        }

        headers = kept.ToArray();
        copy = ArrayPool<byte>.Shared.Rent(response.ContentLength is { } expected and > 0 and <= int.MaxValue ? (int)Math.Min(expected, largest) : 16 * 1024);
    }

    private void Copy(ReadOnlySpan<byte> bytes)
    {
        Start();
        if (copy is null)
        {
            return;
        }

        if (length + bytes.Length > largest)
        {
            GiveBack();
            return;
        }

        if (length + bytes.Length > copy.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(largest, Math.Max(copy.Length * 2, length + bytes.Length)));
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
