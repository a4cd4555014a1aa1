using System.Diagnostics;
using System.Net.Http.Json;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.CrossPosting;
using LiveHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// Two real processes of one Hangfire cluster on one PostgreSQL. A process is SIGKILLed while it is writing a stream's
/// post to Bluesky (the write hangs on the fake PDS): the other process takes the stream over once the dead one's lease
/// runs out, and when the killed process is started again (its partner killed the same way meanwhile) it takes the
/// stream over within 5 s of its restart. The re-sent write is idempotent: nothing is posted twice.
/// </summary>
public sealed class WorkerKillTests(ITestOutputHelper output)
{
    private const string PutRecord = "com.atproto.repo.putRecord";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_worker_killed_mid_write_has_its_stream_taken_over_by_the_other_instance_and_by_itself_after_a_restart()
    {
        await using var pds = await FakeBlueskyServer.StartAsync();
        var connectionString = await PostgresServer.CreateDatabaseAsync("livehub_workerkill");
        var data = Directory.CreateTempSubdirectory("livehub-workerkill").FullName;
        var settings = LiveHubProcess.PostgresSettings(connectionString, data, pds);
        settings["CrossPosting__LeaseDuration"] = $"00:00:0{Lease.TotalSeconds:0}";
        var a = new LiveHubProcess(settings);
        var b = new LiveHubProcess(settings);
        try
        {
            await a.StartAsync();
            await b.StartAsync();
            using var adminA = await a.AdminClientAsync();
            using var adminB = await b.AdminClientAsync();
            var streamId = await CrashTests.StartCoverageWithCrossPostingAsync(adminA, pds);
            await pds.WaitForPostsAsync(1);

            // 1. A drains the stream (the in-process fast path of the instance that took the post) and hangs in the write.
            var killedA = await KillMidWriteAsync(pds, a, adminA, streamId, "Written while A dies");
            var byOther = await FirstWriteAfterAsync(pds, killedA, "B to take the stream over");
            Assert.True(byOther - killedA <= Lease + TimeSpan.FromSeconds(3),
                $"B took over {(byOther - killedA).TotalSeconds:0.0} s after the kill (lease {Lease.TotalSeconds:0} s)");
            await pds.WaitForPostsAsync(2, TimeSpan.FromSeconds(30));

            // 2. B, now alone, hangs in a write and is killed; A is started again and must take over within 5 s of its restart.
            var killedB = await KillMidWriteAsync(pds, b, adminB, streamId, "Written while B dies");
            var restart = Stopwatch.StartNew();
            await a.StartAsync();
            var restarted = DateTimeOffset.UtcNow;
            var byRestarted = await FirstWriteAfterAsync(pds, killedB, "the restarted A to take the stream over");
            Assert.True(byRestarted - restarted <= TimeSpan.FromSeconds(5),
                $"the restarted A took over {(byRestarted - restarted).TotalSeconds:0.0} s after it was up ({restart.Elapsed.TotalSeconds:0.0} s after the start began)");
            await pds.WaitForPostsAsync(3, TimeSpan.FromSeconds(30));
            using var admin = await a.AdminClientAsync();
            await CrashTests.WaitForOutboxDrainedAsync(admin, 3);

            var posts = pds.Posts();
            Assert.Equal(["Live coverage of Crash panel has started.", "Written while A dies", "Written while B dies"], posts.Select(p => p.Text));
            Assert.Equal(posts.Count, pds.CommitCount); // the re-sent writes were idempotent
            CrossPostTestSupport.AssertOneThread(posts);
            output.WriteLine($"B took over {(byOther - killedA).TotalSeconds:0.0} s after A's SIGKILL (lease {Lease.TotalSeconds:0} s); " +
                $"the restarted A took over {(byRestarted - restarted).TotalSeconds:0.0} s after it was up ({(byRestarted - killedB).TotalSeconds:0.0} s after B's SIGKILL)");
        }
        catch (Exception ex)
        {
            Assert.Fail($"{ex}\n--- A ---\n{a.Tail(80)}\n--- B ---\n{b.Tail(80)}");
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
            await PostgresServer.DropDatabaseAsync(connectionString);
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Posts through <paramref name="process"/>, waits until its drain hangs in the write, and SIGKILLs it.</summary>
    private static async Task<DateTimeOffset> KillMidWriteAsync(FakeBlueskyServer pds, LiveHubProcess process, HttpClient admin, Guid streamId, string body)
    {
        var hanging = SlowWrites(pds);
        pds.Faults.Enqueue(new Fault(FaultKind.SlowResponse, PutRecord) { Delay = TimeSpan.FromMinutes(2) });
        var response = await admin.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { kind = "update", body });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await CrossPostTestSupport.WaitUntilAsync(() => SlowWrites(pds) > hanging, "the write hangs on the fake PDS");
        await process.KillAsync();
        return DateTimeOffset.UtcNow;
    }

    private static int SlowWrites(FakeBlueskyServer pds) => pds.RequestsFor(PutRecord).Count(r => r.Fault == FaultKind.SlowResponse);

    private static async Task<DateTimeOffset> FirstWriteAfterAsync(FakeBlueskyServer pds, DateTimeOffset killedAt, string what)
    {
        DateTimeOffset? at = null;
        await CrossPostTestSupport.WaitUntilAsync(() => (at = pds.RequestsFor(PutRecord).Where(r => r.Timestamp > killedAt).Select(r => (DateTimeOffset?)r.Timestamp).Min()) is not null,
            what, TimeSpan.FromSeconds(30));
        return at!.Value;
    }
}
