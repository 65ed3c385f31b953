namespace ContentApi.Tests;

/// <summary>Reads of what the app does after a request has been answered (in the background).</summary>
internal static class Eventually
{
    /// <summary>
    /// Reads every 100 ms until <paramref name="done"/> holds or <paramref name="seconds"/> have
    /// passed, and gives the last value read, for the test to assert on.
    /// </summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var value = await read();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            value = await read();
        }

        return value;
    }
}
