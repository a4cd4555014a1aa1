using Microsoft.Extensions.Options;

namespace LiveHub.CrossPosting;

public enum CrossPostFastPath
{
    /// <summary>Drain the stream in this process at once (still under the stream's database lease).</summary>
    InProcess,

    /// <summary>Enqueue the stream's Hangfire drain job (any instance of the cluster may run it).</summary>
    Hangfire,
}

/// <summary>
/// The fast path after a commit. In-process by default: starting the drain here costs nothing, while a Hangfire job
/// costs its storage round trips and a worker's fetch (docs/benchmarks.md compares the two). Either way the drain
/// takes the stream's database lease, so it never overlaps a Hangfire-run drain of the same stream on any instance;
/// kicks that arrive while this process is draining the stream are folded into that drain.
/// </summary>
/// <remarks>
/// On shutdown a drain stops after the write in hand (it checks ApplicationStopping between rows), and the host waits
/// for it, up to <see cref="CrossPostingOptions.ShutdownTimeout"/>, so that it records the result and releases the
/// stream's lease: a lease left behind would hold the stream up for <see cref="CrossPostingOptions.LeaseDuration"/>
/// after the restart. Only when that wait runs out is the write in hand cancelled.
/// </remarks>
public sealed class CrossPostKicker(CrossPostWorker worker, CrossPostScheduler scheduler, IOptions<CrossPostingOptions> options,
    IHostApplicationLifetime lifetime, ILogger<CrossPostKicker> logger) : IHostedService, IDisposable
{
    private readonly Lock _gate = new();
    // Streams being drained here; true = kicked again meanwhile, drain once more.
    private readonly Dictionary<Guid, bool> _running = [];
    private readonly Dictionary<Guid, Task> _drains = [];
    private readonly CancellationTokenSource _abandon = new();

    public Task KickAsync(Guid streamId, CancellationToken cancellationToken)
    {
        if (options.Value.FastPath == CrossPostFastPath.Hangfire)
        {
            return scheduler.KickAsync(streamId, cancellationToken);
        }

        lock (_gate)
        {
            if (_running.ContainsKey(streamId))
            {
                _running[streamId] = true;
                return Task.CompletedTask;
            }

            _running[streamId] = false;
            _drains[streamId] = Task.Run(() => RunAsync(streamId), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>Completes when this process is not (or no longer) draining the stream on the fast path.</summary>
    public async Task WhenIdleAsync(Guid streamId)
    {
        while (true)
        {
            Task? drain;
            lock (_gate)
            {
                drain = _drains.GetValueOrDefault(streamId);
            }

            if (drain is null)
            {
                return;
            }

            await drain.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits for the drains in hand to finish their current write and let go of their leases.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task[] drains;
        lock (_gate)
        {
            drains = [.. _drains.Values];
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ShutdownTimeout);
        try
        {
            await Task.WhenAll(drains).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Cross-posting drains did not finish within {Timeout}; cancelling the writes in hand (the next start re-sends them).",
                options.Value.ShutdownTimeout);
            await _abandon.CancelAsync();
            // A moment for the cancelled drains to release their leases.
            await Task.WhenAll(drains).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose() => _abandon.Dispose();

    private async Task RunAsync(Guid streamId)
    {
        while (true)
        {
            try
            {
                await worker.DrainAsync(streamId, _abandon.Token);
            }
            catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
            {
                // Shutting down past the deadline; the rows wait for the next start (or another instance's sweep).
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Cross-posting stream {StreamId} failed in the fast path; the sweep will retry it.", streamId);
            }

            lock (_gate)
            {
                if (!_running[streamId] || lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    _running.Remove(streamId);
                    _drains.Remove(streamId);
                    return;
                }

                _running[streamId] = false;
            }
        }
    }
}
