using System.Runtime.InteropServices;

namespace ContentApi.Reads;

/// <summary>
/// The memory of the cached bodies (<see cref="NativeBody"/>): one region outside the GC's heap,
/// the cache's size, handed out in chained blocks of <see cref="BlockSize"/> bytes. An allocation
/// of the C library's for each body left its arenas at about twice what they held (120 MB for 64
/// MB of bodies, README "Peak RSS"); here the pages touched are at most the region, and a block
/// let go is the next handed out, so they stay those the fullest cache needed. The region is
/// freed once the pool is disposed and the last body taken from it is let go (the handle's
/// reference count).
/// </summary>
internal sealed unsafe class NativeBodyPool : SafeHandle
{
    public const int BlockSize = 1024;

    // The block that follows each in its body's chain.
    private readonly int[] nextBlock;

    // The blocks free, as a stack: the last let go is the first handed out.
    private readonly int[] free;
    private int freeCount;
    private readonly Lock gate = new();

    public NativeBodyPool(long bytes)
        : base(0, ownsHandle: true)
    {
        var blocks = checked((int)Math.Max(1, (bytes + BlockSize - 1) / BlockSize));
        nextBlock = new int[blocks];
        free = new int[blocks];
        for (var i = 0; i < blocks; i++)
        {
            free[i] = blocks - 1 - i; // the lowest block first: the region fills from its start
        }

        freeCount = blocks;
        SetHandle((nint)NativeMemory.Alloc((nuint)blocks * BlockSize));
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The blocks a body of <paramref name="length"/> bytes takes (an empty one takes one).</summary>
    public static int BlocksFor(long length) => (int)Math.Max(1, (length + BlockSize - 1) / BlockSize);

    /// <summary>Blocks not held by any body.</summary>
    public int FreeBlocks
    {
        get
        {
            lock (gate)
            {
                return freeCount;
            }
        }
    }

    /// <summary>Takes a chain of <paramref name="count"/> blocks; false when fewer are free.</summary>
    public bool TryRent(int count, out int firstBlock)
    {
        firstBlock = -1;
        lock (gate)
        {
            if (count > freeCount)
            {
                return false;
            }

            for (var i = 0; i < count; i++)
            {
                var block = free[--freeCount];
                nextBlock[block] = firstBlock;
                firstBlock = block;
            }

            return true;
        }
    }

    /// <summary>Gives back the chain that starts at <paramref name="firstBlock"/>.</summary>
    public void Return(int firstBlock)
    {
        lock (gate)
        {
            for (var block = firstBlock; block >= 0; block = nextBlock[block])
            {
                free[freeCount++] = block;
            }
        }
    }

    /// <summary>The spans of a chain's first <paramref name="length"/> bytes, in order. The chain must be held.</summary>
    public Blocks Spans(int firstBlock, int length) => new(this, firstBlock, length);

    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }

    private Span<byte> Block(int block, int length) => new((byte*)handle + ((long)block * BlockSize), length);

    /// <summary>Enumerates a chain's blocks as spans (<c>foreach</c>), without allocating.</summary>
    public ref struct Blocks(NativeBodyPool pool, int firstBlock, int length)
    {
        private int next = firstBlock;
        private int remaining = length;

        public Span<byte> Current { get; private set; }

        public readonly Blocks GetEnumerator() => this;

        public bool MoveNext()
        {
            if (remaining == 0 || next < 0)
            {
                return false;
            }

            var length = Math.Min(BlockSize, remaining);
            Current = pool.Block(next, length);
            remaining -= length;
            next = pool.nextBlock[next];
            return true;
        }
    }
}
