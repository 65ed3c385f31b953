using System.Buffers;
using System.Runtime.InteropServices;

namespace ContentApi.Reads;

/// <summary>
/// A cached response's bytes, kept outside the GC's heap in blocks of a <see cref="NativeBodyPool"/>
/// (<see cref="HotReadCache"/>). In the heap, bodies that live for minutes and are replaced all
/// the time outlive the young generations and leave the oldest with garbage only a full
/// collection frees, and the GC commits room for it: with the kept validators made lean too, the
/// process's peak fell from about 520 to about 430 MB (README, "Peak RSS"). The blocks go back
/// when the entry leaves the cache, or once the last hit copying them is done (the handle's
/// reference count, which holds the pool's too).
/// </summary>
internal sealed class NativeBody : SafeHandle
{
    private readonly NativeBodyPool pool;

    private NativeBody(NativeBodyPool pool, int firstBlock, int length)
        : base(0, ownsHandle: true)
    {
        this.pool = pool;
        Length = length;
        SetHandle(firstBlock + 1);
    }

    /// <summary>The bytes of <paramref name="content"/> kept in <paramref name="pool"/>; null when it has too few blocks free.</summary>
    public static NativeBody? TryCreate(NativeBodyPool pool, ReadOnlySequence<byte> content)
    {
        var length = checked((int)content.Length);
        var poolHeld = false;
        pool.DangerousAddRef(ref poolHeld);
        if (!pool.TryRent(NativeBodyPool.BlocksFor(length), out var firstBlock))
        {
            pool.DangerousRelease();
            return null;
        }

        foreach (var block in pool.Spans(firstBlock, length))
        {
            content.Slice(0, block.Length).CopyTo(block);
            content = content.Slice(block.Length);
        }

        return new NativeBody(pool, firstBlock, length);
    }

    public int Length { get; }

    public override bool IsInvalid => handle == 0;

    private int FirstBlock => (int)handle - 1;

    /// <summary>
    /// Keeps the bytes from going while they are written (<see cref="WriteTo"/>, then
    /// <see cref="Release"/>); false when the entry was let go already (evicted since its lookup).
    /// </summary>
    public bool TryHold()
    {
        var added = false;
        try
        {
            DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
        }

        return added;
    }

    /// <summary>Copies the first bytes, held (<see cref="TryHold"/>), to fill <paramref name="destination"/>.</summary>
    public void CopyStartTo(Span<byte> destination)
    {
        var copied = 0;
        foreach (var block in pool.Spans(FirstBlock, destination.Length))
        {
            block.CopyTo(destination[copied..]);
            copied += block.Length;
        }
    }

    /// <summary>Writes the bytes from <paramref name="start"/> on, held (<see cref="TryHold"/>), to <paramref name="destination"/>.</summary>
    public void WriteTo(IBufferWriter<byte> destination, int start = 0)
    {
        foreach (var block in pool.Spans(FirstBlock, Length))
        {
            if (start >= block.Length)
            {
                start -= block.Length;
                continue;
            }

            destination.Write(block[start..]);
            start = 0;
        }
    }

    public void Release() => DangerousRelease();

    protected override bool ReleaseHandle()
    {
        pool.Return(FirstBlock);
        pool.DangerousRelease();
        return true;
    }
}
