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
