using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.CrossPosting;
using LiveHub.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// SIGTERM, as systemd, Docker and Kubernetes stop a service, sent to the real process. PostgreSQL only (the
/// production store).
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    private const string PutRecord = "com.atproto.repo.putRecord";
    private const int SlowPosts = 3;
    private static readonly TimeSpan HostShutdownTimeout = TimeSpan.FromSeconds(30); // HostOptions.ShutdownTimeout's default
    private static readonly TimeSpan SlowBluesky = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan SlowTransaction = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData("InProcess")]
    [InlineData("Hangfire")]
    public async Task Sigterm_lets_requests_and_the_cross_post_in_flight_finish_and_exits_0(string fastPath)
    {
        await using var pds = await FakeBlueskyServer.StartAsync();
        var connectionString = await PostgresServer.CreateDatabaseAsync("livehub_sigterm");
        var data = Directory.CreateTempSubdirectory("livehub-sigterm").FullName;
        var settings = LiveHubProcess.PostgresSettings(connectionString, data, pds);
        settings["CrossPosting__FastPath"] = fastPath;
        var app = new LiveHubProcess(settings);
        try
        {
            await app.StartAsync();
            using var admin = await app.AdminClientAsync();
            var streamId = await CrashTests.StartCoverageWithCrossPostingAsync(admin, pds);
            (await admin.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { kind = "update", body = "Before the stop" })).EnsureSuccessStatusCode();
            await pds.WaitForPostsAsync(2);

            // A cross-post in hand: the fake PDS commits it, then takes its time to answer.
            pds.Faults.Enqueue(new Fault(FaultKind.SlowResponse, PutRecord) { Delay = SlowBluesky });
            (await admin.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { kind = "update", body = "In hand at the stop" })).EnsureSuccessStatusCode();
            await CrossPostTestSupport.WaitUntilAsync(() => SlowWrite(pds) is not null, "the slow putRecord is in flight");

            // Requests in flight: posts whose handlers wait on a lock on the stream's row (a slow transaction) when the signal comes.
            await using var locker = new NpgsqlConnection(connectionString);
            await locker.OpenAsync();
            var transaction = await locker.BeginTransactionAsync();
            await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM live_streams WHERE \"Id\" = @id FOR UPDATE", locker, transaction))
            {
                lockRow.Parameters.AddWithValue("id", streamId);
                await lockRow.ExecuteScalarAsync();
            }

            using var editor = await app.AdminClientAsync(TimeSpan.FromSeconds(60));
            var slowPosts = Enumerable.Range(1, SlowPosts)
                .Select(i => editor.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { kind = "update", body = $"Arrived during the stop {i}" })).ToList();
            await CrossPostTestSupport.WaitUntilAsync(() => WaitingOnLocks(connectionString) >= SlowPosts, $"{SlowPosts} posts wait on the stream's row");

            var stopClock = Stopwatch.StartNew();
            app.Terminate();
            await Task.Delay(SlowTransaction);
            await transaction.CommitAsync();
            var responses = await Task.WhenAll(slowPosts);
            var exitCode = await app.WaitForExitAsync(HostShutdownTimeout);
            var stopTime = stopClock.Elapsed;
            Assert.True(exitCode == 0, $"exit code {exitCode?.ToString() ?? "none: still running"} after {stopTime}\n{app.Tail()}");
            foreach (var response in responses)
            {
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            // The write in hand finished: its (slow) answer was awaited, not abandoned.
            Assert.Equal(200, SlowWrite(pds)!.StatusCode);

            await app.StartAsync();
            using var afterRestart = await app.AdminClientAsync();
            var stream = await afterRestart.GetFromJsonAsync<JsonElement>($"/api/streams/{streamId}");
            var expected = 3 + SlowPosts;
            Assert.Equal(expected, stream.GetProperty("lastSequence").GetInt32());
            await pds.WaitForPostsAsync(expected);
            await CrashTests.WaitForOutboxDrainedAsync(afterRestart, expected);
            var records = pds.Posts();
            Assert.Equal(["Live coverage of Crash panel has started.", "Before the stop", "In hand at the stop"], records.Take(3).Select(r => r.Text));
            Assert.Equal(Enumerable.Range(1, SlowPosts).Select(i => $"Arrived during the stop {i}").Order(), records.Skip(3).Select(r => r.Text!).Order());
            Assert.Equal(records.Count, pds.CommitCount);
            CrossPostTestSupport.AssertOneThread(records);
            // Finished before the exit, so the restart had nothing to send again for it.
            Assert.Single(pds.RequestsFor(PutRecord), r => r.BodyText.Contains("In hand at the stop", StringComparison.Ordinal));
            output.WriteLine($"FastPath {fastPath}: SIGTERM with {SlowPosts} posts held {SlowTransaction.TotalSeconds:F0} s by a row lock and one {SlowBluesky.TotalSeconds:F0} s cross-post in flight; " +
                $"exit 0 after {stopTime.TotalSeconds:F1} s; all {SlowPosts} posts answered 201; {records.Count} records, each once.");
        }
        catch (Exception ex)
        {
            Assert.Fail($"{ex}\n--- LiveHub output ---\n{app.Tail(150)}");
        }
        finally
        {
            await app.DisposeAsync();
            await PostgresServer.DropDatabaseAsync(connectionString);
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Sigterm_after_the_database_is_gone_still_exits_promptly()
    {
        await using var pds = await FakeBlueskyServer.StartAsync();
        var connectionString = await PostgresServer.CreateDatabaseAsync("livehub_dbgone");
        var data = Directory.CreateTempSubdirectory("livehub-dbgone").FullName;
        var settings = LiveHubProcess.PostgresSettings(connectionString, data, pds);
        var schedulerDeadline = TimeSpan.FromSeconds(5);
        settings["CrossPosting__ShutdownTimeout"] = "00:00:05";
        var app = new LiveHubProcess(settings);
        try
        {
            await app.StartAsync();
            var before = app.Output.Length;
            await PostgresServer.DropDatabaseAsync(connectionString);
            // Hangfire's server polls its storage every 500 ms (the sweep interval): wait until its processes fail without it.
            await CrossPostTestSupport.WaitUntilAsync(() => app.Output[before..].Contains("Hangfire", StringComparison.Ordinal),
                "Hangfire's server fails without its database", TimeSpan.FromSeconds(30));

            var stopClock = Stopwatch.StartNew();
            app.Terminate();
            var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(30));
            var stopTime = stopClock.Elapsed;
            Assert.True(exitCode == 0, $"exit code {exitCode?.ToString() ?? "none: still running"} after {stopTime}\n{app.Tail()}");
            Assert.True(stopTime < schedulerDeadline + TimeSpan.FromSeconds(10), $"took {stopTime}");
            output.WriteLine($"Database dropped, then SIGTERM: exit 0 after {stopTime.TotalSeconds:F1} s (CrossPosting:ShutdownTimeout {schedulerDeadline.TotalSeconds:F0} s); " +
                $"the Hangfire server {(app.Output.Contains("The Hangfire server did not shut down", StringComparison.Ordinal) ? "was left behind at the deadline" : "shut down by itself")}.");
        }
        catch (Exception ex)
        {
            Assert.Fail($"{ex}\n--- LiveHub output ---\n{app.Tail(150)}");
        }
        finally
        {
            await app.DisposeAsync();
            await PostgresServer.DropDatabaseAsync(connectionString);
            Directory.Delete(data, recursive: true);
        }
    }

    private static ReceivedRequest? SlowWrite(FakeBlueskyServer pds) =>
        pds.RequestsFor(PutRecord).FirstOrDefault(r => r.Fault == FaultKind.SlowResponse);

    private static int WaitingOnLocks(string connectionString)
    {
        using var connection = new NpgsqlConnection(PostgresServer.ServerConnectionString);
        connection.Open();
        using var count = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @db AND wait_event_type = 'Lock'", connection);
        count.Parameters.AddWithValue("db", new NpgsqlConnectionStringBuilder(connectionString).Database!);
        return Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
