using System.Runtime.InteropServices;
using System.Text.Json;
using ContentApi.Infrastructure;

namespace ContentApi.Tests.Infrastructure;

/// <summary>The runtime settings the API is built with, as <c>dotnet ContentApi.dll</c> reads them at start.</summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void The_api_runs_the_server_gc_in_its_conserve_memory_mode_with_half_the_gen0_budgets_and_no_thread_pool_spin()
    {
        // The API's own runtime configuration, copied beside the tests with its assembly.
        var path = Path.Combine(Path.GetDirectoryName(typeof(Program).Assembly.Location)!, "ContentApi.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.Equal(7, properties.GetProperty("System.GC.ConserveMemory").GetInt32());
        Assert.Equal(50, properties.GetProperty("System.GC.DGen0GrowthPercent").GetInt32());
        // The thread pool's idle workers sleep at once instead of spinning on the cores PostgreSQL needs.
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }

    [Fact]
    public void A_trim_gives_back_the_native_heap_s_free_pages()
    {
        // 32 MB in blocks of 64 kB (below the size glibc maps on its own), written to; every other
        // one freed leaves free pages between blocks in use, which free() alone keeps.
        var ones = Enumerable.Repeat((byte)1, 64 * 1024).ToArray();
        var blocks = new nint[512];
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(ones.Length);
            Marshal.Copy(ones, 0, blocks[i], ones.Length);
        }

        try
        {
            for (var i = 0; i < blocks.Length; i += 2)
            {
                Marshal.FreeHGlobal(blocks[i]);
                blocks[i] = 0;
            }

            Assert.True(NativeHeap.CanTrim);
            Assert.True(NativeHeap.Trim());
        }
        finally
        {
            foreach (var block in blocks.Where(block => block != 0))
            {
                Marshal.FreeHGlobal(block);
            }
        }
    }
}
