using Microsoft.Extensions.Options;

namespace LiveHub.CrossPosting;

public enum CrossPostFastPath
{
    /// <summary>Drain the stream in this process at once (still under the stream's database lease).</summary>
    InProcess,

    /// <summary>Fire the stream's Quartz job (one trigger row per kick).</summary>
    Quartz,
}

/// <summary>
/// The fast path after a commit. In-process by default: a Quartz ADO trigger costs several transactions under the
/// store's cluster-wide TRIGGER_ACCESS lock per post, which measured p95 over 2 s with 20 live streams
/// (docs/benchmarks.md), while starting the drain here costs nothing. Either way the drain takes the stream's
/// database lease, so it never overlaps a Quartz-run drain of the same stream on any instance; kicks that arrive
/// while this process is draining the stream are folded into that drain.
/// </summary>
public sealed class CrossPostKicker(CrossPostWorker worker, CrossPostScheduler scheduler, IOptions<CrossPostingOptions> options,
    IHostApplicationLifetime lifetime, ILogger<CrossPostKicker> logger)
{
    private readonly Lock _gate = new();
    // Streams being drained here; true = kicked again meanwhile, drain once more.
    private readonly Dictionary<Guid, bool> _running = [];

    public Task KickAsync(Guid streamId, CancellationToken cancellationToken)
    {
        if (options.Value.FastPath == CrossPostFastPath.Quartz)
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
        }

        _ = Task.Run(() => RunAsync(streamId), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task RunAsync(Guid streamId)
    {
        while (true)
        {
            try
            {
                await worker.DrainAsync(streamId, lifetime.ApplicationStopping);
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // Shutting down; the rows wait for the next start (or another instance's sweep).
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
                    return;
                }

                _running[streamId] = false;
            }
        }
    }
}
