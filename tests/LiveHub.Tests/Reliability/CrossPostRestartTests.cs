using System.Net.Http.Json;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.CrossPosting;
using LiveHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// The real process, alone, with the default 30 s lease: SIGKILLed while it writes a stream's update to Bluesky (the
/// write hangs on the fake PDS) with more updates queued behind it. Started again, it knows the lease was its own (its
/// instance id is kept in the data directory; the boot id is new), takes it back at once and sends the queue: within
/// 5 s of being up, where waiting for the lease would take 30 s. The re-sent write is idempotent.
/// </summary>
public sealed class CrossPostRestartTests(ITestOutputHelper output)
{
    private const string PutRecord = "com.atproto.repo.putRecord";
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_killed_and_restarted_process_sends_its_queued_cross_posts_within_5_seconds_not_after_the_lease()
    {
        await using var pds = await FakeBlueskyServer.StartAsync();
        var connectionString = await PostgresServer.CreateDatabaseAsync("livehub_restart");
        var data = Directory.CreateTempSubdirectory("livehub-restart").FullName;
        var settings = LiveHubProcess.PostgresSettings(connectionString, data, pds);
        settings["CrossPosting__LeaseDuration"] = "00:00:30";
        var app = new LiveHubProcess(settings);
        try
        {
            await app.StartAsync();
            using (var admin = await app.AdminClientAsync())
            {
                var streamId = await CrashTests.StartCoverageWithCrossPostingAsync(admin, pds);
                await pds.WaitForPostsAsync(1);

                pds.Faults.Enqueue(new Fault(FaultKind.SlowResponse, PutRecord) { Delay = TimeSpan.FromMinutes(2) });
                foreach (var body in Queued)
                {
                    var response = await admin.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { kind = "update", body });
                    Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                }

                await CrossPostTestSupport.WaitUntilAsync(() => pds.RequestsFor(PutRecord).Any(r => r.Fault == FaultKind.SlowResponse), "the first write hangs on the fake PDS");
                await app.KillAsync();
            }

            var killedAt = DateTimeOffset.UtcNow;
            Assert.Equal(2, pds.Posts().Count); // the marker, and the hanging write (committed, its answer never sent)

            await app.StartAsync();
            var upAt = DateTimeOffset.UtcNow;
            await CrossPostTestSupport.WaitUntilAsync(() => pds.Posts().Count >= 1 + Queued.Length, "the queued updates are on the fake PDS", TimeSpan.FromSeconds(60));
            var sentAt = pds.Posts().Max(p => p.CommittedAt);
            Assert.True(sentAt - upAt <= Ceiling,
                $"the queue went out {(sentAt - upAt).TotalSeconds:0.0} s after the restarted process was up ({(sentAt - killedAt).TotalSeconds:0.0} s after the kill; lease 30 s)");

            var posts = pds.Posts();
            Assert.Equal(["Live coverage of Crash panel has started.", .. Queued], posts.Select(p => p.Text));
            Assert.Equal(posts.Count, pds.CommitCount); // the re-sent write was idempotent
            CrossPostTestSupport.AssertOneThread(posts);
            Assert.True(File.Exists(Path.Combine(data, "crosspost-instance-id")));
            output.WriteLine($"Queued updates sent {(sentAt - upAt).TotalSeconds:0.00} s after the restarted process was up " +
                $"({(sentAt - killedAt).TotalSeconds:0.0} s after the SIGKILL; start took {app.StartTimes[^1].TotalSeconds:0.0} s; lease 30 s).");
        }
        catch (Exception ex)
        {
            Assert.Fail($"{ex}\n--- LiveHub output ---\n{app.Tail(120)}");
        }
        finally
        {
            await app.DisposeAsync();
            await PostgresServer.DropDatabaseAsync(connectionString);
            Directory.Delete(data, recursive: true);
        }
    }

    private static readonly string[] Queued = ["Hanging when the process dies", "Queued behind it 1", "Queued behind it 2", "Queued behind it 3"];
}
