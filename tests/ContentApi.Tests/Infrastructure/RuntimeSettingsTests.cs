using System.Text.Json;

namespace ContentApi.Tests.Infrastructure;

/// <summary>The runtime settings the API is built with, as <c>dotnet ContentApi.dll</c> reads them at start.</summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void The_api_runs_the_server_gc_in_its_conserve_memory_mode_with_half_the_gen0_budgets()
    {
        // The API's own runtime configuration, copied beside the tests with its assembly.
        var path = Path.Combine(Path.GetDirectoryName(typeof(Program).Assembly.Location)!, "ContentApi.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.Equal(7, properties.GetProperty("System.GC.ConserveMemory").GetInt32());
        Assert.Equal(50, properties.GetProperty("System.GC.DGen0GrowthPercent").GetInt32());
    }
}
