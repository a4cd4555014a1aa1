namespace LiveHub.Tests.Infrastructure;

/// <summary>Waits for something that happens asynchronously (a NOTIFY, a background job), failing with what was awaited.</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(started.Elapsed < limit, $"Timed out after {limit.TotalSeconds:0} s waiting until {what}.");
            await Task.Delay(50);
        }
    }
}
