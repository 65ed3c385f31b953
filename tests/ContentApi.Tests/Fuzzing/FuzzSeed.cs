using System.Globalization;

namespace ContentApi.Tests.Fuzzing;

/// <summary>
/// The seed of a fuzzer run: fixed by default so that CI repeats itself; <c>FUZZ_SEED=n</c>
/// replays a run, <c>FUZZ_SEED=random</c> draws a new one. Printed with the test's diagnostics.
/// </summary>
internal static class FuzzSeed
{
    public static int Choose(int defaultSeed, string fuzzer)
    {
        var seed = Environment.GetEnvironmentVariable("FUZZ_SEED") switch
        {
            null or "" => defaultSeed,
            "random" => Random.Shared.Next(),
            var given => int.Parse(given, CultureInfo.InvariantCulture),
        };
        TestContext.Current.SendDiagnosticMessage($"{fuzzer} seed {seed} (replay: FUZZ_SEED={seed})");
        return seed;
    }
}
