using System.Diagnostics;
using System.Text;

namespace ContentApi.Tests.Reader;

/// <summary>
/// The Node tools of reader/ (installed by ./build.sh test with npm ci from the committed lock
/// file): the OpenAPI linters, the typed-client generator, TypeScript and the browser driver.
/// </summary>
public static class NodeTools
{
    public static string ReaderFolder { get; } = Path.Combine(RepositoryRoot.Path, "reader");

    /// <summary>The reader site built once per test run (types generated from the committed document, then tsc).</summary>
    public static Task<ToolResult> SiteBuild => LazySiteBuild.Value;

    private static readonly Lazy<Task<ToolResult>> LazySiteBuild = new(async () =>
    {
        var generate = await RunAsync("npm", ["run", "--silent", "generate"]);
        return generate.ExitCode != 0 ? generate : await RunAsync("npm", ["run", "--silent", "build"]);
    });

    public static async Task<ToolResult> RunAsync(string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        if (!Directory.Exists(Path.Combine(ReaderFolder, "node_modules")))
        {
            return new ToolResult(-1, "reader/node_modules is missing: run ./build.sh test (it runs npm ci in reader/).");
        }

        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = ReaderFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return new ToolResult(-1, $"{program} {string.Join(' ', start.ArgumentList)} did not finish in time.\n{output}");
        }

        process.WaitForExit(); // flushes the redirected output
        lock (output)
        {
            return new ToolResult(process.ExitCode, output.ToString());
        }
    }
}

public sealed record ToolResult(int ExitCode, string Output);
