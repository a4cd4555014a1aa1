using LiveHub.Testing.FakeBluesky;

namespace LiveHub.Bluesky.Tests;

/// <summary>A clock the test moves by hand; timers still run on real time.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private DateTimeOffset now = start;

    public ManualTimeProvider() : this(new DateTimeOffset(2026, 11, 21, 13, 40, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (gate)
        {
            now += by;
        }
    }

    public void Set(DateTimeOffset value)
    {
        lock (gate)
        {
            now = value;
        }
    }
}

internal static class TestClients
{
    public static BlueskyClient Create(FakeBlueskyServer server, ISessionStore? store = null, TimeProvider? time = null,
        Action<BlueskyClientOptions>? configure = null)
    {
        var options = new BlueskyClientOptions
        {
            ServiceUrl = server.BaseUrl,
            PlcDirectoryUrl = server.BaseUrl,
            Identifier = server.DefaultAccount.Handle,
            AppPassword = server.DefaultAccount.AppPassword,
            JsonTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return new BlueskyClient(options, httpClient: null, store, time);
    }

    public static PostRecord Post(string text, ReplyRef? reply = null) => new()
    {
        Text = text,
        CreatedAt = new DateTimeOffset(2026, 11, 21, 13, 40, 0, TimeSpan.Zero),
        Langs = ["en"],
        Reply = reply,
    };
}

/// <summary>
/// A clock whose timers (and so <c>CancellationTokenSource</c> timeouts created with it) fire only when the test moves
/// it with <see cref="Advance"/>: a timeout happens because the test says so, never because a loaded machine was slow.
/// </summary>
internal sealed class SteppedTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<SteppedTimer> timers = [];
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    private readonly List<(TimeSpan DueTime, TaskCompletionSource Set)> waiters = [];

    /// <summary>Completes once a timer is waiting to fire <paramref name="dueTime"/> after it was set.</summary>
    public Task TimerSetAsync(TimeSpan dueTime)
    {
        lock (gate)
        {
            if (timers.Any(t => t.DueTime == dueTime))
            {
                return Task.CompletedTask;
            }

            var set = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((dueTime, set));
            return set.Task;
        }
    }

    public void Advance(TimeSpan by)
    {
        List<SteppedTimer> due;
        lock (gate)
        {
            now += by;
            due = [.. timers.Where(t => t.Due <= now)];
            foreach (var timer in due)
            {
                timer.Due = null; // one-shot: the timeouts this is for never repeat
            }
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SteppedTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class SteppedTimer(SteppedTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due;
        public TimeSpan DueTime;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock.gate)
            {
                clock.timers.Remove(this);
                DueTime = dueTime;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock.now + dueTime;
                if (Due is not null)
                {
                    clock.timers.Add(this);
                    foreach (var waiter in clock.waiters.Where(w => w.DueTime == dueTime).ToList())
                    {
                        clock.waiters.Remove(waiter);
                        waiter.Set.SetResult();
                    }
                }
            }

            return true;
        }

        public void Dispose()
        {
            lock (clock.gate)
            {
                clock.timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
