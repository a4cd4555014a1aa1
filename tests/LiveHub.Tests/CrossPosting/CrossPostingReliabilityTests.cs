using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Staff;
using LiveHub.Testing.FakeBluesky;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static LiveHub.Tests.CrossPosting.CrossPostTestSupport;

namespace LiveHub.Tests.CrossPosting;

/// <summary>Exactly once and in order, under injected faults, across a restart.</summary>
public abstract class CrossPostingReliabilityTests(DatabaseProvider provider)
{
    private const int Updates = 50;

    [Fact]
    public async Task Fifty_posts_under_random_faults_and_a_restart_arrive_once_each_in_order_as_one_thread()
    {
        await using var pds = await FakeBlueskyServer.StartAsync();
        await using var database = await CrossPostingDatabase.CreateAsync(provider);
        var host = database.Host(pds);
        CrossPostScenario live;
        try
        {
            live = await ScenarioAsync(host, pds);
            pds.Faults.EnableRandom(seed: 20261121, probability: 0.3);
            for (var i = 1; i <= Updates / 2; i++)
            {
                await live.PostAsync($"Update {i}");
            }

            // Stop in the middle: some rows are still queued, some may be half-sent.
            await WaitUntilAsync(() => pds.Posts().Count >= 5, "some posts went out before the restart");
        }
        finally
        {
            await host.DisposeAsync();
        }

        var sentBeforeRestart = pds.Posts().Count;
        host = database.Host(pds);
        try
        {
            var editor = await host.BearerClientAsync(StaffRoles.Editor);
            for (var i = Updates / 2 + 1; i <= Updates; i++)
            {
                var response = await editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { kind = "update", body = $"Update {i}" });
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            }

            await pds.WaitForPostsAsync(Updates + 1, TimeSpan.FromSeconds(90));
            pds.Faults.DisableRandom();
            await WaitUntilAsync(() => host.WithDbAsync(db => db.Set<CrossPostItem>().AllAsync(i => i.State == CrossPostState.Posted)).GetAwaiter().GetResult(),
                "every outbox row is marked posted");

            var posts = pds.Posts();
            Assert.True(sentBeforeRestart < Updates + 1, "the restart happened with work still pending");
            Assert.Contains(pds.Faults.Applied, f => f.Kind is FaultKind.InternalErrorAfterCommit or FaultKind.DropAfterCommit);
            Assert.Equal(["Live coverage of Panel on live posting has started.", .. Enumerable.Range(1, Updates).Select(i => $"Update {i}")], posts.Select(p => p.Text));
            AssertOneThread(posts);
            Assert.Equal(posts.Count, pds.CommitCount);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_lease_left_by_a_dead_worker_runs_out_and_the_stream_is_taken_over()
    {
        await using var pds = await FakeBlueskyServer.StartAsync();
        await using var database = await CrossPostingDatabase.CreateAsync(provider);
        var lease = TimeSpan.FromSeconds(2);
        await using var host = database.Host(pds, new Dictionary<string, string?> { ["CrossPosting:LeaseDuration"] = "00:00:02" });
        var live = await ScenarioAsync(host, pds);
        await live.PostAsync("Before the crash");
        await pds.WaitForPostsAsync(2);

        // What a SIGKILLed worker leaves behind: its lease, which nobody will release.
        var deadUntil = DateTime.UtcNow + lease;
        await host.WithDbAsync(db => db.Set<CrossPostThread>().Where(t => t.StreamId == live.StreamId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, "dead-host:1:0").SetProperty(t => t.LeaseUntilUtc, deadUntil)));
        await live.PostAsync("After the crash");
        await pds.WaitForPostsAsync(3);
        var writes = pds.RequestsFor("com.atproto.repo.putRecord");
        var takenOver = writes[^1];
        Assert.True(takenOver.Timestamp.UtcDateTime >= deadUntil - TimeSpan.FromMilliseconds(50), $"written at {takenOver.Timestamp:O}, before the dead lease ran out at {deadUntil:O}");

        Assert.Equal(["Live coverage of Panel on live posting has started.", "Before the crash", "After the crash"], pds.Posts().Select(p => p.Text));
        Assert.Equal(3, pds.CommitCount);
    }

    [Fact]
    public async Task A_sweep_that_finds_due_rows_behind_a_lease_wakes_the_stream_when_the_lease_ends()
    {
        await using var pds = await FakeBlueskyServer.StartAsync();
        await using var database = await CrossPostingDatabase.CreateAsync(provider);
        await using var host = database.Host(pds, new Dictionary<string, string?> { ["CrossPosting:SweepInterval"] = "00:10:00" });
        var live = await ScenarioAsync(host, pds);
        await live.PostAsync("Before the crash");
        await pds.WaitForPostsAsync(2);

        // Another instance holds the stream (perhaps killed just before this one started) while a row is due.
        var heldUntil = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        await host.WithDbAsync(db => db.Set<CrossPostThread>().Where(t => t.StreamId == live.StreamId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, "other-instance/boot/drain").SetProperty(t => t.LeaseUntilUtc, heldUntil)));
        await live.PostAsync("After the crash");
        Assert.True(await host.WithDbAsync(db => db.Set<CrossPostItem>().AnyAsync(i => i.StreamId == live.StreamId && i.State == CrossPostState.Queued)));

        // A freshly started instance: its own scheduler, nothing planned yet. Its start-up sweep must plan the wake-up,
        // since the next sweep may be far off (here ten minutes; after a kill, Hangfire's recurring-job lock may hold it up).
        using var scheduler = ActivatorUtilities.CreateInstance<CrossPostScheduler>(host.Services);
        var started = ActivatorUtilities.CreateInstance<CrossPostWorker>(host.Services, scheduler, new CrossPostInstance("started-instance"));
        await started.SweepAsync(CancellationToken.None);

        Assert.True(scheduler.Wakeups.TryGetValue(live.StreamId, out var wakeAt), "the sweep planned no wake-up for the held stream");
        var expected = new DateTimeOffset(heldUntil, TimeSpan.Zero) + TimeSpan.FromMilliseconds(100);
        Assert.InRange(wakeAt, expected - TimeSpan.FromMilliseconds(1), expected + TimeSpan.FromMilliseconds(1));
    }
}

public sealed class CrossPostingReliabilityTestsOnSqlite() : CrossPostingReliabilityTests(DatabaseProvider.Sqlite);

public sealed class CrossPostingReliabilityTestsOnPostgres() : CrossPostingReliabilityTests(DatabaseProvider.Postgres);

/// <summary>Two instances on one PostgreSQL: one Hangfire cluster, leases in the database.</summary>
public sealed class CrossPostingClusterTests
{
    [Fact]
    public async Task Two_instances_on_one_database_never_post_an_item_twice()
    {
        await using var pds = await FakeBlueskyServer.StartAsync();
        await using var database = await CrossPostingDatabase.CreateAsync(DatabaseProvider.Postgres);
        // Every drain is a Hangfire job here, run by whichever server fetches it: the lease alone keeps one writer per stream.
        var hangfireOnly = new Dictionary<string, string?> { ["CrossPosting:FastPath"] = "Hangfire" };
        await using var first = database.Host(pds, hangfireOnly);
        await using var second = database.Host(pds, hangfireOnly);
        var live = await ScenarioAsync(first, pds);
        var editors = new[] { live.Editor, await second.BearerClientAsync(StaffRoles.Editor) };
        pds.Faults.EnableRandom(seed: 7, probability: 0.2);

        const int updates = 30;
        for (var i = 1; i <= updates; i++)
        {
            var response = await editors[i % 2].PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { kind = "update", body = $"Clustered update {i}" });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        await pds.WaitForPostsAsync(updates + 1, TimeSpan.FromSeconds(90));
        pds.Faults.DisableRandom();
        await WaitUntilAsync(() => first.WithDbAsync(db => db.Set<CrossPostItem>().AllAsync(i => i.State == CrossPostState.Posted)).GetAwaiter().GetResult(),
            "every outbox row is marked posted");
        await Task.Delay(500);

        var posts = pds.Posts();
        Assert.Equal(["Live coverage of Panel on live posting has started.", .. Enumerable.Range(1, updates).Select(i => $"Clustered update {i}")], posts.Select(p => p.Text));
        Assert.Equal(posts.Count, pds.CommitCount);
        AssertOneThread(posts);

        var jobs = await live.Admin.GetFromJsonAsync<JsonElement>("/api/crosspost/jobs");
        Assert.True(jobs.GetProperty("scheduler").GetProperty("clustered").GetBoolean());
        Assert.True(jobs.GetProperty("instances").GetArrayLength() >= 2, jobs.GetProperty("instances").ToString());
    }

    [Fact]
    public async Task A_write_slower_than_the_lease_keeps_it_so_the_other_instance_never_sends_it_again()
    {
        await using var pds = await FakeBlueskyServer.StartAsync();
        await using var database = await CrossPostingDatabase.CreateAsync(DatabaseProvider.Postgres);
        var lease = TimeSpan.FromSeconds(2);
        var shortLease = new Dictionary<string, string?> { ["CrossPosting:LeaseDuration"] = "00:00:02" };
        await using var first = database.Host(pds, shortLease);
        await using var second = database.Host(pds, shortLease);
        _ = second.Services; // started: its sweep looks for streams whose lease has run out
        var live = await ScenarioAsync(first, pds);
        await pds.WaitForPostsAsync(1);

        // Without renewal the lease would run out mid-write, and the other instance's sweep would send the row again.
        pds.Faults.Enqueue(new Fault(FaultKind.SlowResponse, "com.atproto.repo.putRecord") { Delay = lease * 3 });
        await live.PostAsync("Slow write");
        await WaitUntilAsync(() => pds.RequestsFor("com.atproto.repo.putRecord").Any(r => r.Fault == FaultKind.SlowResponse), "the slow write is in flight");
        await live.PostAsync("Queued behind the slow write");
        await pds.WaitForPostsAsync(3);
        await WaitUntilAsync(() => first.WithDbAsync(db => db.Set<CrossPostItem>().AllAsync(i => i.State == CrossPostState.Posted)).GetAwaiter().GetResult(),
            "every outbox row is marked posted");

        var posts = pds.Posts();
        Assert.Equal(["Live coverage of Panel on live posting has started.", "Slow write", "Queued behind the slow write"], posts.Select(p => p.Text));
        Assert.Equal(3, pds.RequestsFor("com.atproto.repo.putRecord").Count);
        Assert.Equal(posts.Count, pds.CommitCount);
        AssertOneThread(posts);
    }
}
