using System.Buffers;
using ContentApi.Reads;

namespace ContentApi.Tests.Reads;

/// <summary>A cached body outside the GC's heap: its bytes exactly, and nothing once let go; its pool's blocks come back.</summary>
public sealed class NativeBodyTests
{
    [Fact]
    public void A_body_holds_the_bytes_of_every_segment_and_reads_none_after_it_is_let_go()
    {
        using var pool = new NativeBodyPool(4 * NativeBodyPool.BlockSize);
        var first = new Segment("{\"a\":"u8.ToArray());
        var last = first.Append("[1,2,3]}"u8.ToArray());
        var body = NativeBody.TryCreate(pool, new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length))!;

        var copy = Written(body);
        body.Dispose();

        Assert.Equal("{\"a\":[1,2,3]}"u8.ToArray(), copy);
        Assert.Null(Written(body));
        Assert.False(body.TryHold());
    }

    [Fact]
    public void A_body_across_several_blocks_reads_back_whole_and_gives_them_back()
    {
        using var pool = new NativeBodyPool(8 * NativeBodyPool.BlockSize);
        var bytes = Enumerable.Range(0, (3 * NativeBodyPool.BlockSize) + 17).Select(i => (byte)(i * 7)).ToArray();
        var segments = new Segment(bytes[..1000]);
        segments.Append(bytes[1000..]);

        var body = NativeBody.TryCreate(pool, new ReadOnlySequence<byte>(segments, 0, (Segment)segments.Next!, bytes.Length - 1000))!;

        Assert.Equal(bytes, Written(body));
        Assert.Equal(bytes[1500..], Written(body, start: 1500));
        var start = new byte[1500];
        Assert.True(body.TryHold());
        body.CopyStartTo(start);
        body.Release();
        Assert.Equal(bytes[..1500], start);
        Assert.Equal(4, pool.FreeBlocks);
        body.Dispose();
        Assert.Equal(8, pool.FreeBlocks);
    }

    [Fact]
    public void A_full_pool_keeps_nothing_more_until_a_body_is_let_go()
    {
        using var pool = new NativeBodyPool(2 * NativeBodyPool.BlockSize);
        var twoBlocks = new ReadOnlySequence<byte>(new byte[NativeBodyPool.BlockSize + 1]);

        var kept = NativeBody.TryCreate(pool, twoBlocks)!;
        Assert.Null(NativeBody.TryCreate(pool, new ReadOnlySequence<byte>("{}"u8.ToArray())));
        kept.Dispose();
        using var next = NativeBody.TryCreate(pool, twoBlocks);

        Assert.NotNull(next);
        Assert.Equal(0, pool.FreeBlocks);
    }

    [Fact]
    public void An_empty_body_is_kept_as_no_bytes()
    {
        using var pool = new NativeBodyPool(NativeBodyPool.BlockSize);
        using var body = NativeBody.TryCreate(pool, ReadOnlySequence<byte>.Empty)!;

        Assert.Empty(Written(body)!);
    }

    [Fact]
    public void A_body_held_by_a_hit_keeps_its_blocks_until_the_hit_releases_it()
    {
        using var pool = new NativeBodyPool(2 * NativeBodyPool.BlockSize);
        var body = NativeBody.TryCreate(pool, new ReadOnlySequence<byte>("{}"u8.ToArray()))!;

        Assert.True(body.TryHold());
        body.Dispose(); // evicted while the hit writes it
        var written = new ArrayBufferWriter<byte>();
        body.WriteTo(written);
        var freeWhileHeld = pool.FreeBlocks;
        body.Release();

        Assert.Equal("{}"u8.ToArray(), written.WrittenSpan.ToArray());
        Assert.Equal((1, 2), (freeWhileHeld, pool.FreeBlocks));
    }

    // The bytes a hit writes from start on; null when the body was let go.
    private static byte[]? Written(NativeBody body, int start = 0)
    {
        if (!body.TryHold())
        {
            return null;
        }

        try
        {
            var written = new ArrayBufferWriter<byte>();
            body.WriteTo(written, start);
            return written.WrittenSpan.ToArray();
        }
        finally
        {
            body.Release();
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes) => Memory = bytes;

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
