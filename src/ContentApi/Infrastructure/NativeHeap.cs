using System.Runtime.InteropServices;

namespace ContentApi.Infrastructure;

/// <summary>
/// glibc's malloc, which the native code in the process allocates from (the Brotli and gzip
/// encoders of compressed responses, OpenSSL): it keeps what was freed in each of its arenas (up
/// to 8 a core, made as threads meet in it) for later allocations rather than giving it back, so
/// the process holds each arena's busiest moment long after. Asked to trim (<c>malloc_trim</c>),
/// it gives the free pages back. Serving, the API trims every <see cref="Period"/>. By hand (cache
/// on, the bench's reads in its order, 40 s each, the build before and this one side by side):
/// peak RSS 280 → 264 MB, and 270 → 242 MB after the last read; a trim of the build before after
/// those reads gave back 18–22 MB. Limiting the arenas instead (<c>mallopt</c>) came too late at
/// start: the runtime's threads had made all 16 of them.
/// </summary>
internal static partial class NativeHeap
{
    /// <summary>Often enough to drop what a past load left; rarely enough that the pages a steady load reuses are not faulted in again and again.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    /// <summary>Whether the process's malloc is glibc's, which can be trimmed.</summary>
    public static bool CanTrim { get; } = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out var libc)
        && NativeLibrary.TryGetExport(libc, "malloc_trim", out _);

    /// <summary>Gives glibc's free pages back to the system; whether any were.</summary>
    public static bool Trim() => CanTrim && TrimMalloc(0) == 1;

    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int TrimMalloc(nuint pad);
}

/// <summary>Trims the native heap every <see cref="NativeHeap.Period"/> while the API serves (<see cref="NativeHeap"/>).</summary>
internal sealed class NativeHeapTrimming(ILogger<NativeHeapTrimming> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!NativeHeap.CanTrim)
        {
            logger.LogInformation("Native heap: not glibc's malloc, not trimmed");
            return;
        }

        logger.LogInformation("Native heap: glibc's free pages given back every {Seconds} s", NativeHeap.Period.TotalSeconds);
        using var timer = new PeriodicTimer(NativeHeap.Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            NativeHeap.Trim();
        }
    }
}
