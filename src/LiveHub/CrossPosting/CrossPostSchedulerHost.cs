using Microsoft.Extensions.Options;
using Quartz;

namespace LiveHub.CrossPosting;

/// <summary>
/// Quartz's own hosted service with a deadline on its stop. Quartz's <see cref="IScheduler.Shutdown(bool, CancellationToken)"/>
/// always runs to the end whatever its token says, and with the database gone that end never comes: the scheduler
/// thread, whose trigger firing failed, retries releasing the trigger "until it succeeds or the job store shuts down",
/// and the scheduler shuts the job store down only after that thread has finished. So the stop waits at most
/// <see cref="CrossPostingOptions.ShutdownTimeout"/> (or the host's own deadline, if sooner) and then leaves the
/// scheduler behind: its triggers stay in the database, and the next start (or, clustered, another node after the
/// missed check-ins) recovers them. Its threads would keep the process alive, so <see cref="BoundedShutdown"/> then ends it.
/// </summary>
internal sealed class CrossPostSchedulerHost(QuartzHostedService quartz, IOptions<CrossPostingOptions> options, ShutdownLeftovers leftovers,
    ILogger<CrossPostSchedulerHost> logger)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => quartz.StartingAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => quartz.StartAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken) => quartz.StartedAsync(cancellationToken);

    public Task StoppingAsync(CancellationToken cancellationToken) => BoundedAsync(quartz.StoppingAsync, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => BoundedAsync(quartz.StopAsync, cancellationToken);

    public Task StoppedAsync(CancellationToken cancellationToken) => BoundedAsync(quartz.StoppedAsync, cancellationToken);

    private async Task BoundedAsync(Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.ShutdownTimeout);
        try
        {
            await step(deadline.Token).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            logger.LogError("The Quartz scheduler did not shut down within {Timeout} (is the database reachable?); leaving it behind. " +
                "Its triggers stay in the database for the next start or another node.", options.Value.ShutdownTimeout);
            leftovers.Record("the Quartz scheduler");
        }
    }
}
