using System.Diagnostics;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// A clock that runs <see cref="Factor"/> times faster than real time, so minutes of backoff, rate-limit windows and
/// lease renewals pass in seconds. Time never jumps: <c>now = start + real elapsed × factor</c>, timers fire after
/// their due time divided by the factor, and timestamps advance at the same rate, so every consumer (the app,
/// the Bluesky client, the fake PDS) sees one consistent, monotonic, merely faster clock. Give the same instance to all.
/// </summary>
public sealed class AcceleratedTimeProvider : TimeProvider
{
    private readonly DateTimeOffset _start;
    private readonly long _startTimestamp;

    public AcceleratedTimeProvider(double factor, DateTimeOffset? start = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        Factor = factor;
        _start = start ?? System.GetUtcNow();
        _startTimestamp = Stopwatch.GetTimestamp();
    }

    public double Factor { get; }

    public override DateTimeOffset GetUtcNow() => _start + Scale(Stopwatch.GetElapsedTime(_startTimestamp));

    public override long GetTimestamp() => _startTimestamp + (long)((Stopwatch.GetTimestamp() - _startTimestamp) * Factor);

    public override long TimestampFrequency => Stopwatch.Frequency;

    /// <summary>How long <paramref name="scaled"/> of this clock's time takes in real time.</summary>
    public TimeSpan RealDuration(TimeSpan scaled) => Unscale(scaled);

    /// <summary>Waits until this clock reads at least <paramref name="instant"/>.</summary>
    public Task WaitUntilAsync(DateTimeOffset instant, CancellationToken cancellationToken = default)
    {
        var remaining = instant - GetUtcNow();
        return remaining > TimeSpan.Zero ? Task.Delay(remaining, this, cancellationToken) : Task.CompletedTask;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Unscale(dueTime), Unscale(period)), this);

    private TimeSpan Scale(TimeSpan real) => TimeSpan.FromTicks((long)(real.Ticks * Factor));

    private TimeSpan Unscale(TimeSpan scaled) =>
        scaled == Timeout.InfiniteTimeSpan || scaled <= TimeSpan.Zero ? scaled : TimeSpan.FromTicks(Math.Max(1, (long)(scaled.Ticks / Factor)));

    private sealed class ScaledTimer(ITimer inner, AcceleratedTimeProvider clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.Unscale(dueTime), clock.Unscale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
