using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Tests.Events;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LiveHub.Tests.Live;

/// <summary>
/// Two instances on one PostgreSQL with <c>Live:Backplane=Redis</c> and a real Redis: a change is read once, by the
/// instance that committed it, and SignalR's Redis backplane carries the push to the viewers of both. Neither instance
/// listens to PostgreSQL NOTIFY, so what reaches the other instance's viewers came through Redis.
/// </summary>
public sealed class RedisBackplaneTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly string _redis = RedisServer.ConnectionString("livehub-test");
    private RedisInstance _first = null!;
    private RedisInstance _second = null!;
    private bool _disposed;

    public async Task InitializeAsync()
    {
        _first = new RedisInstance(_redis, connectionString: null);
        await _first.InitializeAsync();
        _second = new RedisInstance(_redis, _first.ConnectionString);
        await _second.InitializeAsync();
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await ((IAsyncLifetime)_second).DisposeAsync();
        await ((IAsyncLifetime)_first).DisposeAsync();
    }

    [Fact]
    public async Task Posts_on_one_instance_reach_viewers_of_both_through_redis_once_each_in_order()
    {
        Assert.All(new[] { _first, _second }, app => Assert.IsType<InProcessLiveChangeBus>(app.Services.GetRequiredService<ILiveChangeBus>()));
        var live = await LiveTestSupport.LiveSessionAsync(_first);
        await using var here = await LiveClient.ConnectAsync(_first);
        await using var there = await LiveClient.ConnectAsync(_second);
        var mirrors = new[] { (Client: here, Mirror: new LiveMirror()), (Client: there, Mirror: new LiveMirror()) };
        foreach (var (client, mirror) in mirrors)
        {
            mirror.Apply(await client.JoinAsync(live.StreamId.ToString(), 0));
        }

        for (var i = 1; i <= 10; i++)
        {
            await live.PostAsync($"Through Redis, #{i}");
        }

        foreach (var (client, mirror) in mirrors)
        {
            var pushed = 0;
            var deadline = DateTime.UtcNow + Wait;
            while (mirror.Visible.Count < 11 && DateTime.UtcNow < deadline)
            {
                var changes = await client.NextAsync(LiveCoverageHub.ChangesMethod, Wait);
                pushed += changes.GetProperty("posts").GetArrayLength();
                Assert.True(mirror.Apply(changes), "A push arrived after a gap.");
            }

            Assert.Equal(Enumerable.Range(1, 11), mirror.Visible.Select(p => p.Sequence));
            // Each post pushed once: an instance that also relayed the other's changes (NOTIFY and Redis both) would double them.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            while (client.TryNext(LiveCoverageHub.ChangesMethod, out var late))
            {
                pushed += late.GetProperty("posts").GetArrayLength();
            }

            Assert.Equal(10, pushed);
        }
    }

    [Fact]
    public async Task Unpublishing_on_one_instance_closes_the_stream_for_viewers_of_the_other()
    {
        var live = await LiveTestSupport.LiveSessionAsync(_first);
        await using var there = await LiveClient.ConnectAsync(_second);
        await there.JoinAsync(live.StreamId.ToString(), 0);
        await live.PostAsync("Reaches the other instance");
        await there.NextAsync(LiveCoverageHub.ChangesMethod, Wait);

        (await live.Editor.PutAsJsonAsync($"/api/events/{live.Slug}", EventsTestData.Event(live.Slug, published: false))).EnsureSuccessStatusCode();

        Assert.Equal(live.StreamId, (await there.NextAsync(LiveCoverageHub.ClosedMethod, Wait)).GetProperty("streamId").GetGuid());
        var refused = await Assert.ThrowsAsync<HubException>(() => there.JoinAsync(live.StreamId.ToString(), 0));
        Assert.Contains(LiveCoverageHub.UnavailablePrefix, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_reports_the_backplane()
    {
        using var client = _first.CreateClient();
        var ready = await client.GetFromJsonAsync<JsonElement>("/healthz/ready");
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("live-backplane").GetProperty("status").GetString());
    }

    /// <summary>An instance of the fleet, on the first one's database when given its connection string.</summary>
    private sealed class RedisInstance(string redis, string? connectionString) : PostgresApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Live:Backplane"] = "Redis",
            ["Live:RedisConnectionString"] = redis,
            ["Database:ConnectionString"] = connectionString,
        }.Where(s => s.Value is not null).ToDictionary();

        protected override bool OwnsDatabase => connectionString is null;
    }
}

/// <summary>A backplane that cannot be reached: the instance starts and serves pages, and readiness says why live updates stop.</summary>
public sealed class RedisBackplaneDownTests(RedisBackplaneDownTests.UnreachableRedisApp app) : IClassFixture<RedisBackplaneDownTests.UnreachableRedisApp>
{
    [Fact]
    public async Task Readiness_is_503_naming_the_backplane_while_pages_still_answer()
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var check = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("live-backplane");
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Contains("Redis backplane is unreachable", check.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/events")).StatusCode);
    }

    public sealed class UnreachableRedisApp : PostgresApp
    {
        // A port nothing listens on (bound and closed): connecting fails at once.
        private static readonly int ClosedPort = FreePort();

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Live:Backplane"] = "Redis",
            ["Live:RedisConnectionString"] = $"127.0.0.1:{ClosedPort},connectTimeout=500,connectRetry=0",
        };

        private static int FreePort()
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}

/// <summary>Settings that cannot work are refused at start, naming the setting.</summary>
public sealed class RedisBackplaneSettingsTests
{
    [Theory]
    [InlineData(null, "Live:RedisConnectionString is required with Live:Backplane=Redis")]
    [InlineData("127.0.0.1:6379", "Live:Backplane=Redis needs Database:Provider=Postgres")]
    public async Task Impossible_backplane_settings_fail_the_start_naming_the_setting(string? redis, string expected)
    {
        var app = new SqliteWithRedis(redis);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(app.InitializeAsync);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        await ((IAsyncLifetime)app).DisposeAsync();
    }

    private sealed class SqliteWithRedis(string? redis) : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Live:Backplane"] = "Redis",
            ["Live:RedisConnectionString"] = redis,
        };
    }
}
