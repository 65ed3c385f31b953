using System.Buffers;
using ContentApi.Reads;

namespace ContentApi.Tests.Reads;

/// <summary>A cached body outside the GC's heap: its bytes exactly, and nothing once let go.</summary>
public sealed class NativeBodyTests
{
    [Fact]
    public void A_body_holds_the_bytes_of_every_segment_and_reads_none_after_it_is_let_go()
    {
        var first = new Segment("{\"a\":"u8.ToArray());
        var last = first.Append("[1,2,3]}"u8.ToArray());
        var body = new NativeBody(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));
        var written = new ArrayBufferWriter<byte>();

        var copy = body.ToArray();
        var copied = body.TryCopyTo(written);
        body.Dispose();

        Assert.Equal("{\"a\":[1,2,3]}"u8.ToArray(), copy);
        Assert.True(copied);
        Assert.Equal(copy, written.WrittenSpan.ToArray());
        Assert.Null(body.ToArray());
        Assert.False(body.TryCopyTo(new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void An_empty_body_is_kept_as_no_bytes()
    {
        using var body = new NativeBody(ReadOnlySequence<byte>.Empty);

        Assert.Empty(body.ToArray()!);
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
