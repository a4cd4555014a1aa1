using System.Diagnostics;
using System.Net.Http.Json;
using LiveHub.Live;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// A reconnect storm on one live stream, over real sockets: a thousand clients are joined while an editor
/// posts, edits and deletes; all of them lose their connection at the same moment (the venue's Wi-Fi
/// restarts) and all come back at the same moment, each re-joining with the last change it applied,
/// while the editor carries on. Once the editor stops and the pushes settle, every client must hold
/// exactly what the database holds (same posts, order, latest versions, tombstones) and none may have
/// applied a change twice or out of order.
/// </summary>
public abstract class ReconnectStormTests(ITestOutputHelper output)
{
    private const int ClientCount = 1_000;
    private const int ConnectConcurrency = 100;
    private static readonly TimeSpan EditorPace = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    /// <summary>The instances clients connect to (round robin); the editor uses the first.</summary>
    protected abstract Task<Instances> StartInstancesAsync();

    /// <param name="Started">Instances started for this test alone, stopped after it.</param>
    protected sealed record Instances(IReadOnlyList<IKestrelLiveApp> All, IReadOnlyList<IAsyncDisposable> Started) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var started in Started)
            {
                await started.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_thousand_clients_drop_and_reconnect_at_once_while_posting_goes_on_and_each_ends_with_the_exact_stream()
    {
        await using var started = await StartInstancesAsync();
        var instances = started.All;
        var app = instances[0].App;
        var hubs = instances.Select(i => new Uri(i.BaseAddress, "/hubs/live")).ToArray();
        var live = await LiveTestSupport.LiveSessionAsync(app);
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        var clients = Enumerable.Range(0, ClientCount).Select(i => new StormClient(hubs[i % hubs.Length], live.StreamId, invoker)).ToArray();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var cpu = new CpuMeter();
        var report = new List<string>();

        // 1. Everyone joins (a hundred at a time, as an audience arrives).
        var connectWall = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(ConnectConcurrency);
        var connectTimes = await Task.WhenAll(clients.Select(async c =>
        {
            await gate.WaitAsync(timeout.Token);
            try
            {
                return await c.ConnectAsync(timeout.Token);
            }
            finally
            {
                gate.Release();
            }
        }));
        report.Add($"connect: {ClientCount} clients in {connectWall.Elapsed.TotalSeconds:0.0} s, join {Percentiles(connectTimes)}, CPU {cpu.Lap()}");

        // 2. The editor posts, edits and deletes from now until the end.
        var editor = new Editor(live);
        using var stopEditing = new CancellationTokenSource();
        var editing = Task.Run(() => editor.RunAsync(EditorPace, stopEditing.Token), CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1.5), timeout.Token);
        var changesBeforeDrop = editor.Changes;

        // 3. All connections drop at once; the editor carries on while everyone is away.
        await Task.WhenAll(clients.Select(c => c.DropAsync()));
        var away = Stopwatch.StartNew();
        while (editor.Changes < changesBeforeDrop + 3 && away.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50, timeout.Token);
        }

        // 4. All reconnect at once, each joining with the last change it applied.
        var changesAtReconnect = editor.Changes;
        var reconnectWall = Stopwatch.StartNew();
        var reconnectTimes = await Task.WhenAll(clients.Select(c => c.ConnectAsync(timeout.Token)));
        var reconnectElapsed = reconnectWall.Elapsed;
        var changesDuringReconnect = editor.Changes - changesAtReconnect;
        report.Add($"reconnect: {ClientCount} at once in {reconnectElapsed.TotalSeconds:0.0} s, each {Percentiles(reconnectTimes)}, CPU {cpu.Lap()}");

        await Task.Delay(TimeSpan.FromSeconds(1.5), timeout.Token);
        await stopEditing.CancelAsync();
        await editing;
        var lastChange = await LastChangeAsync(app, live.StreamId);

        // 5. Settle: every client reaches the stream's last change through pushes and catch-ups.
        var settle = Stopwatch.StartNew();
        while (clients.Any(c => c.LastApplied < lastChange) && settle.Elapsed < Settle && clients.All(c => c.Connected))
        {
            await Task.Delay(100, timeout.Token);
        }

        report.Add($"settled in {settle.Elapsed.TotalSeconds:0.0} s after the last change, CPU {cpu.Lap()}");
        report.Add($"editor: {editor.Posts} posts, {editor.Edits} edits, {editor.Deletes} deletes ({editor.Changes} changes); " +
            $"{changesAtReconnect - changesBeforeDrop} changes while everyone was away, {changesDuringReconnect} during the reconnect");
        report.Add($"clients: {clients.Sum(c => c.Gaps)} gaps seen, {clients.Sum(c => c.CatchUps)} catch-up joins, " +
            $"{clients.Sum(c => c.AlreadyApplied)} posts received again and ignored by number");
        var listeners = instances.Sum(i => i.App.Services.GetRequiredService<LiveSubscriptions>().ListenerCount(live.StreamId));
        report.Add($"server listeners after the storm: {listeners}; CPU in total {cpu.Total}");
        foreach (var line in report)
        {
            output.WriteLine(line);
        }

        Assert.Equal(0, clients.Sum(c => c.UnexpectedDrops));
        var behind = clients.Where(c => c.LastApplied < lastChange).ToList();
        Assert.True(behind.Count == 0, $"{behind.Count} clients still behind change {lastChange} after {Settle.TotalSeconds} s (e.g. at {behind.FirstOrDefault()?.LastApplied}).");
        Assert.Equal(ClientCount, listeners);

        // 6. Freeze every client, then compare each one with the database.
        await Task.WhenAll(clients.Select(c => c.DropAsync()));
        var server = await ServerPostsAsync(app, live.StreamId);
        var check = Check(clients, server);
        output.WriteLine($"final check over {ClientCount} clients and {server.Count} posts ({server.Count(p => p.Deleted)} deleted): {check}");
        Assert.Empty(clients.SelectMany(c => c.Violations).Take(10));
        Assert.Equal(new StormCheck(0, 0, 0, 0, 0, 0), check);
        Assert.True(editor.Deletes > 0 && editor.Edits > 0 && changesDuringReconnect + changesAtReconnect - changesBeforeDrop > 0,
            "The storm must include edits, deletes and changes made while the clients were away.");
    }

    private static StormCheck Check(IEnumerable<StormClient> clients, IReadOnlyList<MirroredPost> server)
    {
        var serverById = server.ToDictionary(p => p.Id);
        int missing = 0, stale = 0, undeleted = 0, extra = 0, duplicates = 0, outOfOrder = 0;
        foreach (var client in clients)
        {
            var held = client.Posts.ToDictionary(p => p.Id);
            foreach (var post in server)
            {
                if (!held.TryGetValue(post.Id, out var mine))
                {
                    missing++;
                }
                else if (post.Deleted && !mine.Deleted)
                {
                    undeleted++;
                }
                else if (mine != post)
                {
                    stale++;
                }
            }

            extra += held.Keys.Count(id => !serverById.ContainsKey(id));
            duplicates += client.Duplicates;
            outOfOrder += client.OutOfOrder;
        }

        return new StormCheck(missing, stale, undeleted, extra, duplicates, outOfOrder);
    }

    private static async Task<long> LastChangeAsync(LiveHubApp app, Guid streamId)
    {
        long last = 0;
        await app.WithDbAsync(async db => last = await db.LiveStreams.Where(s => s.Id == streamId).Select(s => s.LastChange).SingleAsync());
        return last;
    }

    private static async Task<IReadOnlyList<MirroredPost>> ServerPostsAsync(LiveHubApp app, Guid streamId)
    {
        List<MirroredPost> posts = [];
        await app.WithDbAsync(async db => posts = await db.LivePosts.AsNoTracking().Where(p => p.StreamId == streamId).OrderBy(p => p.Sequence)
            .Select(p => new MirroredPost(p.Id, p.Sequence, p.ChangeSequence, p.Version, p.DeletedAtUtc != null, p.DeletedAtUtc == null ? p.Body : null))
            .ToListAsync());
        return posts;
    }

    private static string Percentiles(TimeSpan[] times)
    {
        var sorted = times.Select(t => t.TotalMilliseconds).Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return $"p50 {At(0.50):0} ms, p99 {At(0.99):0} ms, max {sorted[^1]:0} ms";
    }

    /// <summary>Per client, summed: posts missing, stale (older version), shown though deleted, extra; changes applied twice or out of order.</summary>
    private sealed record StormCheck(int Missing, int Stale, int ShownThoughDeleted, int Extra, int Duplicates, int OutOfOrder);

    /// <summary>One editor, one change at a time: mostly new posts, some edits of earlier posts, some deletes.</summary>
    private sealed class Editor(LiveScenario live)
    {
        private readonly List<Guid> _visible = [];
        private readonly Random _random = new(6);
        private int _posts;
        private int _edits;
        private int _deletes;

        public int Posts => Volatile.Read(ref _posts);

        public int Edits => Volatile.Read(ref _edits);

        public int Deletes => Volatile.Read(ref _deletes);

        public int Changes => Posts + Edits + Deletes;

        public async Task RunAsync(TimeSpan pace, CancellationToken stop)
        {
            for (var n = 1; !stop.IsCancellationRequested; n++)
            {
                if (n % 5 == 0 && _visible.Count > 2)
                {
                    var id = _visible[_random.Next(_visible.Count)];
                    (await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{id}", new { body = $"Edited at step {n}" }, CancellationToken.None)).EnsureSuccessStatusCode();
                    Interlocked.Increment(ref _edits);
                }
                else if (n % 7 == 0 && _visible.Count > 2)
                {
                    var index = _random.Next(_visible.Count);
                    (await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{_visible[index]}", CancellationToken.None)).EnsureSuccessStatusCode();
                    _visible.RemoveAt(index);
                    Interlocked.Increment(ref _deletes);
                }
                else
                {
                    _visible.Add((await live.PostAsync($"Storm post {n}")).GetProperty("id").GetGuid());
                    Interlocked.Increment(ref _posts);
                }

                await Task.Delay(pace, CancellationToken.None);
            }
        }
    }

    /// <summary>CPU time of this process (server and clients together) per phase.</summary>
    private sealed class CpuMeter
    {
        private readonly TimeSpan _start = Process.GetCurrentProcess().TotalProcessorTime;
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private TimeSpan _lastCpu = Process.GetCurrentProcess().TotalProcessorTime;
        private TimeSpan _lastWall;

        public string Lap()
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = _wall.Elapsed;
            var text = $"{(cpu - _lastCpu).TotalSeconds:0.0} s over {(wall - _lastWall).TotalSeconds:0.0} s";
            (_lastCpu, _lastWall) = (cpu, wall);
            return text;
        }

        public string Total => $"{(Process.GetCurrentProcess().TotalProcessorTime - _start).TotalSeconds:0.0} s over {_wall.Elapsed.TotalSeconds:0.0} s";
    }
}

[Collection(ReliabilityLoadCollection.Name)]
public sealed class ReconnectStormOnSqlite(ReconnectStormOnSqlite.App app, ITestOutputHelper output) : ReconnectStormTests(output), IClassFixture<ReconnectStormOnSqlite.App>
{
    public sealed class App : KestrelSqliteApp;

    protected override Task<Instances> StartInstancesAsync() => Task.FromResult(new Instances([app], []));
}

/// <summary>Two instances on one database, half the clients on each: every change crosses instances through NOTIFY.</summary>
[Collection(ReliabilityLoadCollection.Name)]
public sealed class ReconnectStormOnPostgres(ReconnectStormOnPostgres.App app, ITestOutputHelper output) : ReconnectStormTests(output), IClassFixture<ReconnectStormOnPostgres.App>
{
    public sealed class App : KestrelPostgresApp;

    protected override async Task<Instances> StartInstancesAsync()
    {
        var second = new SecondInstance(app.ConnectionString);
        await second.InitializeAsync();
        return new Instances([app, second], [second]);
    }

    /// <summary>Another app on the fixture's database (it neither creates nor drops it).</summary>
    private sealed class SecondInstance(string connectionString) : KestrelPostgresApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Database:ConnectionString"] = connectionString };

        protected override bool OwnsDatabase => false;
    }
}
