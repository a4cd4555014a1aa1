using Hangfire;
using Hangfire.AspNetCore;
using Microsoft.Extensions.Options;

namespace LiveHub.CrossPosting;

/// <summary>
/// This instance's Hangfire server (on PostgreSQL, one server of the cluster), the recurring sweep, and a sweep at
/// start-up. The server's stop is bounded by <see cref="CrossPostingOptions.ShutdownTimeout"/>: running drains get
/// that long to finish the write in hand (they stop between rows once the app is stopping); past it, or with the
/// database gone, the server is left behind (its jobs are idempotent and the outbox keeps the work) and
/// <see cref="BoundedShutdown"/> ends the process.
/// </summary>
internal sealed class CrossPostHangfireServer(
    JobStorage storage,
    IRecurringJobManager recurring,
    IServiceScopeFactory scopes,
    CrossPostWorker worker,
    IOptions<CrossPostingOptions> options,
    ShutdownLeftovers leftovers,
    ILogger<CrossPostHangfireServer> logger) : IHostedService, IDisposable
{
    private BackgroundJobServer? _server;
    private Task _startupSweep = Task.CompletedTask;
    private Task _registration = Task.CompletedTask;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// Registers the recurring sweep. After a crash, the dead process may still hold Hangfire's lock on that job until
    /// the lock times out: registration is then retried in the background instead of failing the start (the start-up
    /// sweep still runs, and the job, once registered, is the same).
    /// </summary>
    private async Task RegisterSweepAsync(TimeSpan interval, CancellationToken stopping)
    {
        for (var attempt = 1; !stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                recurring.AddOrUpdate<CrossPostSweepJob>(CrossPostScheduler.SweepJobId, j => j.RunAsync(CancellationToken.None),
                    CrossPostingFeature.SweepCron(interval));
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt == 1)
                {
                    logger.LogWarning("Could not register the recurring cross-post sweep yet ({Reason}); retrying in the background.", ex.Message);
                }

                await Task.Delay(TimeSpan.FromSeconds(5), stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        _registration = Task.Run(() => RegisterSweepAsync(o.SweepInterval, _stopping.Token), CancellationToken.None);
        _server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            ServerName = $"{Environment.MachineName}:{Environment.ProcessId}",
            WorkerCount = o.MaxConcurrentStreams,
            // Drains get the shutdown timeout to finish the write in hand before their cancellation token fires.
            StopTimeout = o.ShutdownTimeout,
            ShutdownTimeout = o.ShutdownTimeout,
            // Also the recurring scheduler's polling: short enough for the sweep interval.
            SchedulePollingInterval = o.SweepInterval < TimeSpan.FromSeconds(15) ? o.SweepInterval : TimeSpan.FromSeconds(15),
            HeartbeatInterval = o.ClusterCheckinInterval,
            ServerTimeout = o.ClusterCheckinInterval * 4 > TimeSpan.FromMinutes(1) ? o.ClusterCheckinInterval * 4 : TimeSpan.FromMinutes(1),
            Activator = new AspNetCoreJobActivator(scopes),
        }, storage);
        // Whatever was due when this instance stopped (an in-memory store forgets its jobs) goes out now, not at the first
        // sweep, and not after the leases of a killed run of this instance ran out.
        _startupSweep = Task.Run(async () =>
        {
            try
            {
                // Leases this instance held when it was killed would hold its streams back until they ran out.
                await worker.RecoverOwnLeasesAsync(CancellationToken.None);
                await worker.SweepAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The start-up cross-posting sweep failed; the recurring sweep will retry.");
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not { } server)
        {
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.ShutdownTimeout);
        await _stopping.CancelAsync();
        try
        {
            server.SendStop();
            await _startupSweep.WaitAsync(deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await server.WaitForShutdownAsync(deadline.Token);
            server.Dispose();
            _server = null;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            logger.LogError("The Hangfire server did not shut down within {Timeout} (is the database reachable?); leaving it behind. " +
                "The outbox keeps the work for the next start or another instance.", options.Value.ShutdownTimeout);
            leftovers.Record("the Hangfire server");
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        if (_server is { } server && leftovers.What is null)
        {
            server.Dispose();
        }
    }
}
