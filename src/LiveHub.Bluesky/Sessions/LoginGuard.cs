namespace LiveHub.Bluesky;

/// <summary>
/// Counts createSession attempts in sliding windows and refuses once a limit is reached, so that no retry loop
/// anywhere can burn through the server's login allowance.
/// </summary>
internal sealed class LoginGuard(TimeProvider time, int maxPerFiveMinutes, int maxPerDay)
{
    private static readonly TimeSpan ShortWindow = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan LongWindow = TimeSpan.FromDays(1);

    private readonly Queue<DateTimeOffset> attempts = new();
    private readonly Lock gate = new();
    private DateTimeOffset blockedUntil = DateTimeOffset.MinValue;

    /// <summary>Records an attempt or throws <see cref="XrpcErrors.LoginThrottled"/> if it would exceed a limit.</summary>
    public void Acquire()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            while (attempts.Count > 0 && now - attempts.Peek() >= LongWindow)
            {
                attempts.Dequeue();
            }
            TimeSpan? wait = null;
            if (now < blockedUntil)
            {
                wait = blockedUntil - now;
            }
            else if (attempts.Count >= maxPerDay)
            {
                wait = attempts.Peek() + LongWindow - now;
            }
            else
            {
                var recent = attempts.Where(a => now - a < ShortWindow).ToList();
                if (recent.Count >= maxPerFiveMinutes)
                {
                    wait = recent[0] + ShortWindow - now;
                }
            }
            if (wait is { } delay)
            {
                throw new XrpcException("com.atproto.server.createSession", 0, XrpcErrors.LoginThrottled,
                    $"Login refused by the client-side guard; next attempt allowed in {delay.TotalSeconds:0} s.",
                    isRetryable: true, isAmbiguous: false, retryAfter: delay);
            }
            attempts.Enqueue(now);
        }
    }

    public void BlockFor(TimeSpan delay)
    {
        lock (gate)
        {
            var until = time.GetUtcNow() + delay;
            if (until > blockedUntil)
            {
                blockedUntil = until;
            }
        }
    }
}
