namespace ContentApi.Tests;

internal static class PublicationTime
{
    /// <summary>
    /// Waits until <paramref name="margin"/> after <paramref name="instant"/> (UTC), at once when
    /// that has passed: on a busy machine the steps before may take longer than the test meant,
    /// and its own assertion says so, where a negative delay would throw.
    /// </summary>
    public static Task PastAsync(DateTime instant, TimeSpan margin, CancellationToken cancellationToken)
    {
        var wait = instant + margin - DateTime.UtcNow;
        return Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken);
    }
}
