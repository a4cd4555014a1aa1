namespace LiveHub;

/// <summary>Work a stopping host had to leave running because it did not stop within its deadline.</summary>
public sealed class ShutdownLeftovers
{
    private volatile string? _what;

    public string? What => _what;

    public void Record(string what) => _what = what;
}

/// <summary>Runs the web app until it is stopped, and then makes sure the process really ends.</summary>
public static class BoundedShutdown
{
    /// <summary>How long disposing the services may take once the host has stopped.</summary>
    public static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Like <c>app.RunAsync()</c>, except that the process ends even when something could not be stopped. A Hangfire
    /// server left behind after <see cref="CrossPosting.CrossPostingOptions.ShutdownTimeout"/> (the database gone)
    /// keeps its own foreground threads alive, and the runtime waits for those before the process exits: returning from
    /// Main is not enough, so the process exits explicitly. The work is safe in the outbox.
    /// </summary>
    public static async Task RunUntilStoppedAsync(this WebApplication app)
    {
        var leftovers = app.Services.GetRequiredService<ShutdownLeftovers>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BoundedShutdown).FullName!);
        try
        {
            await app.StartAsync();
            await app.WaitForShutdownAsync();
        }
        finally
        {
            var disposal = Task.Run(async () => await app.DisposeAsync());
            if (await Task.WhenAny(disposal, Task.Delay(DisposeTimeout)) != disposal)
            {
                leftovers.Record("the disposal of the services");
            }
        }

        if (leftovers.What is { } what)
        {
            logger.LogError("Stopped, leaving {What} behind; exiting the process.", what);
            Environment.Exit(0);
        }
    }
}
