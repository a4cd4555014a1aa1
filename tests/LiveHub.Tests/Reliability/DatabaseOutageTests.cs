using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.CrossPosting;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;
using Microsoft.AspNetCore.Hosting;
using Xunit.Abstractions;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// PostgreSQL really stops for 20 s in the middle of live posting, then starts again, and LiveHub is never restarted.
/// Meanwhile every request answers at once with a 503 (never a 500, a stack trace or a hang), health says so, and
/// attendees stay connected; afterwards health, posting, the LISTEN/NOTIFY pushes, the cross-post outbox and the
/// Hangfire server all come back by themselves, and every attendee holds exactly the acknowledged posts.
/// </summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PostInterval = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan MaxAnswerTime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxTimeToHealthy = TimeSpan.FromSeconds(15);
    private const int SteadyAttendees = 16;
    private const int ReconnectingAttendees = 4;

    [Fact]
    public async Task Postgres_stopped_for_20_seconds_during_live_posting_gives_503s_then_recovers_without_a_restart_and_loses_nothing()
    {
        var total = Stopwatch.StartNew();
        await using var postgres = await DedicatedPostgres.StartNewAsync();
        await using var pds = await FakeBlueskyServer.StartAsync();
        await using var app = new OutageApp(postgres.ConnectionString, pds);
        await app.InitializeAsync();
        var baseAddress = app.BaseAddress;

        // An event with cross-posting on, one session under coverage, attendees joined to its stream.
        var live = await LiveTestSupport.LiveSessionAsync(app, start: false);
        var admin = await app.BearerClientAsync(StaffRoles.Admin);
        await CrossPostTestSupport.ConnectAsync(admin, pds);
        (await admin.PutAsJsonAsync($"/api/crosspost/events/{live.Slug}", new { enabled = true })).EnsureSuccessStatusCode();
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/start", null)).EnsureSuccessStatusCode();

        var attendees = (await Task.WhenAll(Enumerable.Range(0, SteadyAttendees + ReconnectingAttendees)
            .Select(_ => Attendee.JoinAsync(() => LiveClient.ConnectAsync(baseAddress), live.StreamId)))).ToList();

        var baseline = attendees[0].Mirror.Visible.Select(p => p.Body).ToList();
        output.WriteLine($"Set up (cluster, app, scenario, {attendees.Count} attendees) in {total.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(["Live coverage of Panel has started."], baseline);

        var outcomes = new ConcurrentQueue<Outcome>();
        var acknowledged = new ConcurrentQueue<string>();
        using var stopTraffic = new CancellationTokenSource();
        var posting = FaultTraffic.PostContinuouslyAsync(live, PostInterval, outcomes, acknowledged, stopTraffic.Token);
        var reading = Enumerable.Range(0, 2).Select(_ => FaultTraffic.ReadContinuouslyAsync(app.AnonymousClient(), live, outcomes, stopTraffic.Token)).ToList();

        await FaultTraffic.WaitUntilAsync(() => acknowledged.Count >= 10, "ten posts are acknowledged before the outage", TimeSpan.FromSeconds(30));
        var ackedBeforeOutage = acknowledged.Count;

        // Catch a cross-post drain in the middle of a write: the PDS takes the write but answers late, so the database
        // is gone by the time the drain records it and gives its stream's lease back.
        pds.Faults.Enqueue(new Fault(FaultKind.SlowResponse, "com.atproto.repo.putRecord") { Delay = TimeSpan.FromSeconds(2) });
        await FaultTraffic.WaitUntilAsync(() => pds.Faults.Applied.Any(f => f.Kind == FaultKind.SlowResponse), "a cross-post write is under way", TimeSpan.FromSeconds(20));

        // The outage: the postmaster is gone and connections are refused.
        var stopping = DateTime.UtcNow;
        await postgres.StopAsync();
        var down = DateTime.UtcNow;
        output.WriteLine($"PostgreSQL stopped in {(down - stopping).TotalMilliseconds:F0} ms");

        var health = app.AnonymousClient();
        var healthDuringOutage = new List<Outcome>();
        var readyDuringOutage = new List<Outcome>();
        var liveDuringOutage = new List<Outcome>();
        var joinErrors = new List<string>();
        var reconnecting = attendees.Skip(SteadyAttendees).ToList();
        foreach (var attendee in reconnecting)
        {
            // Like a phone losing signal mid-outage: the new connection is accepted, but its join cannot read anything yet.
            await attendee.ReconnectAsync();
            joinErrors.Add(await attendee.TryCatchUpAsync() ?? "(join succeeded)");
        }

        while (DateTime.UtcNow - down < Outage)
        {
            healthDuringOutage.Add(await FaultTraffic.TimedAsync("GET /healthz", timeout => health.GetAsync("/healthz", timeout)));
            readyDuringOutage.Add(await FaultTraffic.TimedAsync("GET /healthz/ready", timeout => health.GetAsync("/healthz/ready", timeout)));
            liveDuringOutage.Add(await FaultTraffic.TimedAsync("GET /healthz/live", timeout => health.GetAsync("/healthz/live", timeout)));
            await Task.Delay(500);
        }

        var restarting = DateTime.UtcNow;
        await postgres.StartAsync();
        var up = DateTime.UtcNow;
        var healthy = await WaitForHealthyAsync(health);
        var timeToHealthy = healthy - up;
        output.WriteLine($"PostgreSQL back after {(restarting - down).TotalSeconds:F1} s down; /healthz 200 {timeToHealthy.TotalMilliseconds:F0} ms after it accepted connections");

        // Reconnected attendees retry their join until it works, as the browser client does.
        foreach (var attendee in reconnecting)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (await attendee.TryCatchUpAsync() is { } error)
            {
                Assert.True(DateTime.UtcNow < deadline, $"A reconnected attendee still cannot join after the database is back: {error}");
                await Task.Delay(250);
            }
        }

        // Stop at the first post acknowledged after recovery: with no later post to reveal a gap, it must reach
        // connected attendees by itself, even if it committed before LiveHub's LISTEN connection was back.
        var ackedBeforeRecovery = acknowledged.Count;
        await FaultTraffic.WaitUntilAsync(() => acknowledged.Count > ackedBeforeRecovery, "a post is acknowledged after recovery", TimeSpan.FromSeconds(20));
        await stopTraffic.CancelAsync();
        await posting;
        await Task.WhenAll(reading);
        var firstAfterRecovery = acknowledged.Last();
        foreach (var attendee in attendees)
        {
            await FaultTraffic.WaitUntilAsync(() => attendee.Mirror.LastVisibleBody == firstAfterRecovery, "every attendee received the first post after recovery by push", TimeSpan.FromSeconds(10));
        }

        // And posting carries on as before.
        var number = outcomes.Count(o => o.What.StartsWith("POST", StringComparison.Ordinal));
        for (var i = 0; i < 10; i++)
        {
            var body = FaultTraffic.PostBody(++number);
            var outcome = await FaultTraffic.PostAsync(live, body);
            outcomes.Enqueue(outcome);
            Assert.True(outcome.Status == 201, $"{outcome.What} after recovery: {outcome.Status} {outcome.Body}");
            acknowledged.Enqueue(body);
        }

        var acked = acknowledged.ToList();
        var expected = baseline.Concat(acked).ToList();
        foreach (var attendee in attendees)
        {
            await FaultTraffic.WaitUntilAsync(() => attendee.Mirror.LastVisibleBody == acked[^1], "every attendee received the last post by push", TimeSpan.FromSeconds(10));
        }

        output.WriteLine($"Pushes complete {(DateTime.UtcNow - up).TotalSeconds:F1} s after PostgreSQL accepted connections again");
        var steadyFromPushesAlone = attendees.Take(SteadyAttendees).Count(a => a.Mirror.Visible.Select(p => p.Body).SequenceEqual(expected));
        foreach (var attendee in attendees)
        {
            Assert.Null(await attendee.TryCatchUpAsync());
        }

        // The figures.
        var all = outcomes.ToList();
        var posts = all.Where(o => o.What.StartsWith("POST", StringComparison.Ordinal)).ToList();
        var duringOutage = all.Where(o => o.StartedAt >= down && o.StartedAt + o.Took <= restarting).ToList();
        var postsDuringOutage = duringOutage.Where(o => o.What.StartsWith("POST", StringComparison.Ordinal)).ToList();
        output.WriteLine($"Posts sent {posts.Count}, acknowledged {acked.Count} ({ackedBeforeOutage} before the outage), 503 {posts.Count(p => p.Status == 503)}, other {posts.Count(p => p.Status is not (201 or 503))}");
        output.WriteLine($"Requests during the outage: {duringOutage.Count} ({postsDuringOutage.Count} posts), {string.Join(", ", duringOutage.GroupBy(o => (o.Kind, o.Status)).Select(g => $"{g.Key.Kind} {g.Key.Status} x{g.Count()}"))}, " +
            $"max answer {duringOutage.Concat(healthDuringOutage).Max(o => o.Took).TotalMilliseconds:F0} ms");
        output.WriteLine($"Attendees: {attendees.Count}, steady ones complete from pushes alone {steadyFromPushesAlone}/{SteadyAttendees}, joins refused during the outage {joinErrors.Count(e => e != "(join succeeded)")}");
        output.WriteLine($"Join error during the outage: {joinErrors.FirstOrDefault()}");

        // Never a 500, a hang or a stack trace, before, during or after.
        Assert.All(all.Concat(healthDuringOutage), o =>
        {
            Assert.True(o.Status is 200 or 201 or 503, $"{o.What} answered {o.Status} after {o.Took.TotalMilliseconds:F0} ms: {o.Excerpt}");
            Assert.True(o.Took < MaxAnswerTime, $"{o.What} took {o.Took.TotalMilliseconds:F0} ms");
            Assert.DoesNotContain("   at ", o.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("Npgsql", o.Body, StringComparison.Ordinal);
        });
        Assert.All(all.Where(o => o.Status == 503 && o.What.Contains("/api/", StringComparison.Ordinal)), o =>
        {
            Assert.Equal("application/problem+json", o.ContentType);
            Assert.True(o.RetryAfter, $"{o.What}: 503 without Retry-After");
            Assert.Contains("The database is unavailable", o.Body, StringComparison.Ordinal);
        });

        // During the outage: posts, reads, pages and health all say 503.
        Assert.True(postsDuringOutage.Count >= 50, $"only {postsDuringOutage.Count} posts were tried during the outage");
        Assert.All(duringOutage, o => Assert.True(o.Status == 503, $"{o.What} during the outage: {o.Status} {o.Excerpt}"));
        Assert.Contains(duringOutage, o => o.What.StartsWith("GET /api/", StringComparison.Ordinal));
        Assert.Contains(duringOutage, o => o.What.StartsWith("GET /live/", StringComparison.Ordinal));
        Assert.All(healthDuringOutage.Concat(readyDuringOutage), o =>
        {
            Assert.Equal(503, o.Status);
            Assert.Contains("Unhealthy", o.Body, StringComparison.Ordinal);
        });
        // The process itself is fine: a liveness probe must not get it restarted for the database's outage.
        Assert.All(liveDuringOutage, o => Assert.True(o.Status == 200 && o.Took < MaxAnswerTime, $"{o.What} during the outage: {o.Status} after {o.Took.TotalMilliseconds:F0} ms"));
        Assert.All(joinErrors, e => Assert.Contains("database is unavailable", e, StringComparison.Ordinal));

        // Recovery without a restart: health within bounds, posting again, and nothing lost or doubled anywhere.
        Assert.True(timeToHealthy < MaxTimeToHealthy, $"/healthz took {timeToHealthy.TotalSeconds:F1} s to turn healthy");
        Assert.Equal(acked.Count, acked.Distinct().Count());
        Assert.Equal(acked, acked.OrderBy(FaultTraffic.PostNumber));
        Assert.Equal(SteadyAttendees, steadyFromPushesAlone);
        Assert.All(attendees.Take(SteadyAttendees), a => Assert.Equal(0, a.Reconnects));
        Assert.All(attendees, a => Assert.True(a.Connected, "An attendee's connection ended."));
        foreach (var attendee in attendees)
        {
            var visible = attendee.Mirror.Visible.Select(p => p.Body).ToList();
            Assert.Equal(expected, visible);
        }

        var server = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/posts?after=0");
        Assert.Equal(expected, server.GetProperty("posts").EnumerateArray().Where(p => !p.GetProperty("deleted").GetBoolean()).OrderBy(p => p.GetProperty("sequence").GetInt32()).Select(p => p.GetProperty("body").GetString()));

        // The outbox drained every acknowledged post to Bluesky once, in order, and Hangfire kept running.
        await pds.WaitForPostsAsync(expected.Count, TimeSpan.FromSeconds(30));
        output.WriteLine($"Cross-posts complete {(DateTime.UtcNow - up).TotalSeconds:F1} s after PostgreSQL accepted connections again");
        await Task.Delay(500);
        Assert.Equal(["Live coverage of Panel has started.", .. acked], pds.Posts().Select(p => p.Text));
        CrossPostTestSupport.AssertOneThread(pds.Posts());
        // The sweep is a Hangfire recurring job in PostgreSQL: it running again means Hangfire's server came back too.
        var sweepPreviousFire = DateTimeOffset.MinValue;
        var sweepDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (sweepPreviousFire <= new DateTimeOffset(up))
        {
            Assert.True(DateTime.UtcNow < sweepDeadline, $"Hangfire did not run the sweep after the outage (last fired {sweepPreviousFire:O}).");
            await Task.Delay(250);
            var jobs = await admin.GetFromJsonAsync<JsonElement>("/api/crosspost/jobs");
            var sweep = jobs.GetProperty("recurring").EnumerateArray().Single(r => r.GetProperty("key").GetString() == "crosspost-sweep");
            sweepPreviousFire = sweep.GetProperty("previousFireAt").GetDateTimeOffset();
        }

        output.WriteLine($"Hangfire ran the sweep {(sweepPreviousFire - new DateTimeOffset(up)).TotalSeconds:F1} s after PostgreSQL accepted connections again");

        foreach (var attendee in attendees)
        {
            await attendee.DisposeAsync();
        }

        output.WriteLine($"Total {total.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task<DateTime> WaitForHealthyAsync(HttpClient health)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await health.GetAsync("/healthz");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return DateTime.UtcNow;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("/healthz did not turn healthy within 60 s of PostgreSQL starting again.");
    }

    /// <summary>The app on the dedicated cluster, served by Kestrel so the attendees use real WebSockets, cross-posting to a fake PDS.</summary>
    private sealed class OutageApp : PostgresApp
    {
        private readonly string _connectionString;
        private readonly FakeBlueskyServer _pds;

        public OutageApp(string connectionString, FakeBlueskyServer pds)
        {
            _connectionString = connectionString;
            _pds = pds;
            UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        }

        protected override bool OwnsDatabase => false;

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = _connectionString,
            ["CrossPosting:ServiceUrl"] = _pds.BaseUrl.ToString(),
            ["CrossPosting:PlcDirectoryUrl"] = _pds.BaseUrl.ToString(),
            ["CrossPosting:PublicBaseUrl"] = CrossPostingHost.PublicBaseUrl,
            ["CrossPosting:RetryBaseDelay"] = "00:00:00.050",
            ["CrossPosting:RetryMaxDelay"] = "00:00:01",
            ["CrossPosting:SweepInterval"] = "00:00:01",
            ["CrossPosting:ClusterCheckinInterval"] = "00:00:02",
            ["CrossPosting:MaxAttempts"] = "1000",
        };

        public Uri BaseAddress => KestrelAddress.Of(this, StartServer);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // Hundreds of expected connection failures would flood the test log; the test reports what matters.
            builder.UseSetting("Logging:LogLevel:Default", "Critical");
        }
    }
}
