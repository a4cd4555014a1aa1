using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// SQLite has no server to stop; its outage is a lock. Another connection holds an exclusive lock for longer than
/// the busy timeout during live posting: posts wait at most the busy timeout and then answer 503 (never a 500 or a
/// longer hang), reads carry on, and everything works again the moment the lock goes, with attendees holding exactly
/// the acknowledged posts.
/// </summary>
public sealed class SqliteLockTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LockHeld = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_write_lock_held_past_the_busy_timeout_turns_posts_into_503s_within_it_while_reads_carry_on_and_all_recovers_when_it_goes()
    {
        await using var app = new BusyTimeoutApp();
        await app.InitializeAsync();
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var attendees = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Attendee.JoinAsync(() => LiveClient.ConnectAsync(app), live.StreamId)));
        var baseline = attendees[0].Mirror.Visible.Select(p => p.Body).ToList();

        var outcomes = new ConcurrentQueue<Outcome>();
        var acknowledged = new ConcurrentQueue<string>();
        using var stopTraffic = new CancellationTokenSource();
        var posting = FaultTraffic.PostContinuouslyAsync(live, TimeSpan.FromMilliseconds(150), outcomes, acknowledged, stopTraffic.Token);
        var reading = FaultTraffic.ReadContinuouslyAsync(app.AnonymousClient(), live, outcomes, stopTraffic.Token);
        var health = app.AnonymousClient();
        var checking = CheckHealthContinuouslyAsync(health, outcomes, stopTraffic.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));

        DateTime locked, released;
        await using (var locker = new SqliteConnection(app.ConnectionString))
        {
            await locker.OpenAsync();
            await using var begin = locker.CreateCommand();
            begin.CommandText = "BEGIN EXCLUSIVE";
            await begin.ExecuteNonQueryAsync();
            locked = DateTime.UtcNow;
            await Task.Delay(LockHeld);
            await using var rollback = locker.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
            released = DateTime.UtcNow;
        }

        var ackedBeforeRelease = acknowledged.Count;
        await FaultTraffic.WaitUntilAsync(() => acknowledged.Count >= ackedBeforeRelease + 5, "five posts are acknowledged after the lock went", TimeSpan.FromSeconds(10));
        await stopTraffic.CancelAsync();
        await Task.WhenAll(posting, reading, checking);

        var acked = acknowledged.ToList();
        var expected = baseline.Concat(acked).ToList();
        foreach (var attendee in attendees)
        {
            await FaultTraffic.WaitUntilAsync(() => attendee.Mirror.LastVisibleBody == acked[^1], "every attendee received the last post by push", TimeSpan.FromSeconds(10));
            Assert.Null(await attendee.TryCatchUpAsync());
        }

        var all = outcomes.ToList();
        // Started while locked, with time left for the whole busy timeout before the lock went: these cannot have succeeded.
        var blocked = all.Where(o => o.StartedAt >= locked && o.StartedAt + BusyTimeout + TimeSpan.FromMilliseconds(500) <= released).ToList();
        var posts = all.Where(o => o.What.StartsWith("POST", StringComparison.Ordinal)).ToList();
        output.WriteLine($"Lock held {(released - locked).TotalSeconds:F1} s with a busy timeout of {BusyTimeout.TotalSeconds:F0} s");
        output.WriteLine($"Posts sent {posts.Count}, acknowledged {acked.Count}, 503 {posts.Count(p => p.Status == 503)}; max answer {all.Max(o => o.Took).TotalMilliseconds:F0} ms");
        output.WriteLine($"Blocked requests: {string.Join(", ", blocked.GroupBy(o => (o.Kind, o.Status)).Select(g => $"{g.Key.Kind} {g.Key.Status} x{g.Count()}"))}");

        Assert.All(all, o =>
        {
            Assert.True(o.Status is 200 or 201 or 503, $"{o.What} answered {o.Status} after {o.Took.TotalMilliseconds:F0} ms: {o.Excerpt}");
            Assert.True(o.Took < BusyTimeout + TimeSpan.FromSeconds(2), $"{o.What} took {o.Took.TotalMilliseconds:F0} ms, past the busy timeout");
            Assert.DoesNotContain("   at ", o.Body, StringComparison.Ordinal);
        });
        Assert.All(all.Where(o => o.Status == 503 && o.What.Contains("/api/", StringComparison.Ordinal)), o =>
        {
            Assert.Equal("application/problem+json", o.ContentType);
            Assert.True(o.RetryAfter, $"{o.What}: 503 without Retry-After");
            Assert.Contains("The database is unavailable", o.Body, StringComparison.Ordinal);
        });
        // Writes wait out the busy timeout and give up with a 503; reads never wait (EF creates the database in WAL mode,
        // where readers see the last committed state while another connection writes), and health stays green.
        Assert.Contains(blocked, o => o.Kind == "post");
        Assert.All(blocked, o => Assert.True(o.Status == (o.Kind == "post" ? 503 : 200), $"{o.What} while locked: {o.Status} {o.Excerpt}"));
        Assert.Contains(blocked, o => o.Kind == "API read");
        Assert.Contains(blocked, o => o.Kind == "page");
        Assert.Contains(blocked, o => o.Kind == "GET /healthz");

        Assert.Equal(acked.Count, acked.Distinct().Count());
        Assert.Equal(acked, acked.OrderBy(FaultTraffic.PostNumber));
        foreach (var attendee in attendees)
        {
            Assert.Equal(expected, attendee.Mirror.Visible.Select(p => p.Body));
            await attendee.DisposeAsync();
        }

        var server = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/posts?after=0");
        Assert.Equal(expected, server.GetProperty("posts").EnumerateArray().OrderBy(p => p.GetProperty("sequence").GetInt32()).Select(p => p.GetProperty("body").GetString()));
    }

    private static async Task CheckHealthContinuouslyAsync(HttpClient health, ConcurrentQueue<Outcome> outcomes, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            outcomes.Enqueue(await FaultTraffic.TimedAsync("GET /healthz", timeout => health.GetAsync("/healthz", timeout)));
            await Task.Delay(500, CancellationToken.None);
        }
    }

    /// <summary>A SQLite app whose busy timeout (Microsoft.Data.Sqlite's Default Timeout) is short enough to run out in a test.</summary>
    private sealed class BusyTimeoutApp : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = $"{ConnectionString};Default Timeout={BusyTimeout.TotalSeconds:F0}",
        };
    }
}
