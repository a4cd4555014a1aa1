using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Staff;
using LiveHub.Testing.FakeBluesky;
using Microsoft.EntityFrameworkCore;
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
}

public sealed class CrossPostingReliabilityTestsOnSqlite() : CrossPostingReliabilityTests(DatabaseProvider.Sqlite);

public sealed class CrossPostingReliabilityTestsOnPostgres() : CrossPostingReliabilityTests(DatabaseProvider.Postgres);

/// <summary>Two instances on one PostgreSQL: Quartz clustered, leases in the database.</summary>
public sealed class CrossPostingClusterTests
{
    [Fact]
    public async Task Two_instances_on_one_database_never_post_an_item_twice()
    {
        await using var pds = await FakeBlueskyServer.StartAsync();
        await using var database = await CrossPostingDatabase.CreateAsync(DatabaseProvider.Postgres);
        // Quartz fires every drain here, so its cluster-wide non-concurrent execution is exercised along with the lease.
        var quartzOnly = new Dictionary<string, string?> { ["CrossPosting:FastPath"] = "Quartz" };
        await using var first = database.Host(pds, quartzOnly);
        await using var second = database.Host(pds, quartzOnly);
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
}
