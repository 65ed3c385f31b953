using System.Buffers;
using System.Runtime.InteropServices;

namespace ContentApi.Reads;

/// <summary>
/// A cached response's bytes, kept outside the GC's heap (<see cref="HotReadCache"/>). In the
/// heap, bodies that live for minutes and are replaced all the time outlive the young
/// generations and leave the oldest with garbage only a full collection frees, and the GC
/// commits room for it: with the kept validators made lean too, the process's peak fell from
/// about 520 to about 430 MB (README, "Peak RSS"). The memory is freed when its entry leaves
/// the cache, or once the last hit copying it is done (the handle's reference count).
/// </summary>
internal sealed unsafe class NativeBody : SafeHandle
{
    public NativeBody(ReadOnlySequence<byte> content)
        : base(0, ownsHandle: true)
    {
        Length = checked((int)content.Length);
        SetHandle((nint)NativeMemory.Alloc((nuint)Math.Max(Length, 1)));
        content.CopyTo(new Span<byte>((void*)handle, Length));
    }

    public int Length { get; }

    public override bool IsInvalid => handle == 0;

    /// <summary>A copy of the bytes; null when the entry was let go meanwhile.</summary>
    public byte[]? ToArray()
    {
        if (!TryAddRef())
        {
            return null;
        }

        try
        {
            return Bytes.ToArray();
        }
        finally
        {
            DangerousRelease();
        }
    }

    /// <summary>Writes the bytes to <paramref name="destination"/>; false when the entry was let go meanwhile.</summary>
    public bool TryCopyTo(IBufferWriter<byte> destination)
    {
        if (!TryAddRef())
        {
            return false;
        }

        try
        {
            destination.Write(Bytes);
            return true;
        }
        finally
        {
            DangerousRelease();
        }
    }

    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }

    private ReadOnlySpan<byte> Bytes => new((void*)handle, Length);

    private bool TryAddRef()
    {
        var added = false;
        try
        {
            DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            // Evicted between the lookup and this read: a miss.
        }

        return added;
    }
}
