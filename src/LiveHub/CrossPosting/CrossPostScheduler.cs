using System.Collections.Concurrent;
using Hangfire;

namespace LiveHub.CrossPosting;

/// <summary>
/// Hangfire side of cross-posting: a drain job per stream, enqueued after a commit (or by the sweep), run by any
/// instance of the Hangfire cluster. Retry times are not Hangfire's: they are the outbox row's next attempt time, and
/// this instance wakes the stream then on LiveHub's <see cref="TimeProvider"/>. If the instance dies before that, the
/// recurring sweep (on any instance) finds the due row.
/// </summary>
public sealed class CrossPostScheduler(IBackgroundJobClient jobs, IServiceProvider services, TimeProvider clock, ILogger<CrossPostScheduler> logger) : IDisposable
{
    public const string SweepJobId = "crosspost-sweep";

    private readonly ConcurrentDictionary<Guid, Wakeup> _wakeups = new();
    private readonly Lock _planning = new();

    /// <summary>Enqueues the stream's drain job (a few rows in Hangfire's storage; the job is only an arguments-free nudge).</summary>
    public Task KickAsync(Guid streamId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        jobs.Enqueue<CrossPostStreamJob>(j => j.RunAsync(streamId, CancellationToken.None));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Wakes the stream at <paramref name="at"/>, unless a wake-up at that time or earlier is already planned: the drain
    /// that wakes plans again from what it finds. (Replacing it let a drain that found the lease taken push a stream's
    /// retry, planned 2 s out by the drain that held the lease, to the end of that lease, 30 s later.)
    /// </summary>
    public Task ScheduleAsync(Guid streamId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_planning)
        {
            if (_wakeups.TryGetValue(streamId, out var planned))
            {
                if (planned.At <= at)
                {
                    return Task.CompletedTask;
                }

                planned.Timer?.Dispose();
            }

            var wakeup = new Wakeup(at);
            _wakeups[streamId] = wakeup;
            var delay = at - clock.GetUtcNow();
            wakeup.Timer = clock.CreateTimer(_ => Fire(streamId, wakeup), null, delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }

        return Task.CompletedTask;
    }

    /// <summary>Streams this instance is waiting to wake, and when.</summary>
    public IReadOnlyDictionary<Guid, DateTimeOffset> Wakeups => _wakeups.ToDictionary(w => w.Key, w => w.Value.At);

    private void Fire(Guid streamId, Wakeup wakeup)
    {
        if (!_wakeups.TryRemove(new KeyValuePair<Guid, Wakeup>(streamId, wakeup)))
        {
            return; // replaced meanwhile
        }

        wakeup.Timer?.Dispose();
        _ = WakeAsync(streamId);
    }

    private async Task WakeAsync(Guid streamId)
    {
        try
        {
            await services.GetRequiredService<CrossPostKicker>().KickAsync(streamId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not wake cross-posting stream {StreamId}; the sweep will.", streamId);
        }
    }

    public void Dispose()
    {
        foreach (var wakeup in _wakeups.Values)
        {
            wakeup.Timer?.Dispose();
        }

        _wakeups.Clear();
    }

    private sealed class Wakeup(DateTimeOffset at)
    {
        public DateTimeOffset At { get; } = at;

        public ITimer? Timer { get; set; }
    }
}

/// <summary>
/// Drains one stream's outbox. Hangfire runs a job at least once and may run two for one stream at once (on two
/// instances): the stream's database lease (<see cref="CrossPostWorker"/>) is what serialises it, and a drain that
/// finds the lease taken simply ends. Failures are retried by LiveHub's own backoff (the row's next attempt time),
/// so Hangfire retries nothing.
/// </summary>
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
public sealed class CrossPostStreamJob(CrossPostWorker worker)
{
    [JobDisplayName("Cross-post stream {0}")]
    public Task RunAsync(Guid streamId, CancellationToken cancellationToken) => worker.DrainAsync(streamId, cancellationToken);
}

/// <summary>Recurring safety net: enqueues every stream with due rows and no live worker (after a crash, a lost wake-up, a restart).</summary>
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
public sealed class CrossPostSweepJob(CrossPostWorker worker)
{
    [JobDisplayName("Cross-post sweep")]
    public Task RunAsync(CancellationToken cancellationToken) => worker.SweepAsync(cancellationToken);
}
