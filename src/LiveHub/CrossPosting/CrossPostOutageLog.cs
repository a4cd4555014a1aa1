using LiveHub.Operations;

namespace LiveHub.CrossPosting;

/// <summary>
/// Logs a Bluesky outage (or rate limit) once: a warning with the cause when the first call fails, one line when a
/// write succeeds again. The failed calls in between are retried by the backoff and logged at debug level only.
/// </summary>
public sealed class CrossPostOutageLog(TimeProvider clock, LiveHubMetrics metrics, ILogger<CrossPostOutageLog> logger)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _since;
    private DateTimeOffset? _recoveredAt;
    private int _failures;

    /// <summary>
    /// Whether an outage ended (a write succeeded) at or after <paramref name="attemptStartedAt"/>: an attempt that was
    /// already in flight then missed the wake-up of the waiting streams, and must not wait out its whole backoff.
    /// </summary>
    public bool RecoveredSince(DateTimeOffset attemptStartedAt)
    {
        lock (_gate)
        {
            return _recoveredAt is { } recovered && recovered >= attemptStartedAt;
        }
    }

    public bool InOutage
    {
        get
        {
            lock (_gate)
            {
                return _since is not null;
            }
        }
    }

    /// <param name="attemptStartedAt">When the failed attempt began: one that began before the last recovery is evidence of
    /// the outage that already ended, not of a new one (an attempt in flight when Bluesky came back).</param>
    public void Failed(string cause, bool rateLimited = false, DateTimeOffset? attemptStartedAt = null)
    {
        if (rateLimited)
        {
            metrics.RateLimited();
        }
        else
        {
            metrics.CrossPostFailed();
        }

        lock (_gate)
        {
            if (_since is null && attemptStartedAt is { } started && _recoveredAt is { } recovered && recovered >= started)
            {
                return;
            }

            _failures++;
            if (_since is not null)
            {
                return;
            }

            _since = clock.GetUtcNow();
        }

        logger.LogWarning("Bluesky cross-posting is failing ({Cause}); posts wait in the outbox and are retried with backoff.", cause);
    }

    /// <summary>Records a successful write; true when it ends an outage.</summary>
    public bool Succeeded()
    {
        DateTimeOffset since;
        int failures;
        lock (_gate)
        {
            if (_since is not { } start)
            {
                return false;
            }

            (since, failures, _since, _failures) = (start, _failures, null, 0);
            _recoveredAt = clock.GetUtcNow();
        }

        logger.LogInformation("Bluesky cross-posting works again after {Duration} ({Failures} failed attempts); waiting streams resume now.",
            clock.GetUtcNow() - since, failures);
        return true;
    }
}
