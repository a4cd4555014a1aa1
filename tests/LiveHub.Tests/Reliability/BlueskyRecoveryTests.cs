using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.CrossPosting;
using LiveHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using static LiveHub.Tests.CrossPosting.CrossPostTestSupport;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// After a Bluesky outage the first successful write wakes every stream that waits on its backoff (up to
/// RetryMaxDelay, 5 minutes by default), and the outage is logged as one warning with its cause and one line when it
/// ends, not per failed call. The app's default retry policy on a clock running 10 times faster.
/// </summary>
public abstract class BlueskyRecoveryTests(DatabaseProvider provider, ITestOutputHelper output)
{
    // Slow enough that a few seconds of scheduling delay on a loaded machine stay well inside the bound below.
    private const double Speed = 10;
    private const string PutRecord = "com.atproto.repo.putRecord";
    private static readonly TimeSpan LongWait = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_first_write_after_an_outage_wakes_the_waiting_streams_and_the_outage_is_logged_once()
    {
        var clock = new AcceleratedTimeProvider(Speed);
        var logs = new RecordingLoggerProvider(LogLevel.Debug);
        await using var pds = await FakeBlueskyServer.StartAsync(o => o.TimeProvider = clock);
        await using var database = await CrossPostingDatabase.CreateAsync(provider);
        var defaults = new CrossPostingOptions();
        await using var host = database.Host(pds, new Dictionary<string, string?>
        {
            ["CrossPosting:RetryBaseDelay"] = defaults.RetryBaseDelay.ToString("c"),
            ["CrossPosting:RetryMaxDelay"] = defaults.RetryMaxDelay.ToString("c"),
            ["CrossPosting:MaxAttempts"] = defaults.MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CrossPosting:SweepInterval"] = defaults.SweepInterval.ToString("c"),
            ["CrossPosting:ClusterCheckinInterval"] = "00:01:00",
        }, clock, logs);

        var first = await ScenarioAsync(host, pds);
        var second = await first.AddCoveredSessionAsync("Workshop on failure");
        await pds.WaitForPostsAsync(2);

        // Bluesky's writes fail (502) while both streams get an update: each stream's head row backs off.
        var logsBefore = logs.Count;
        pds.Faults.StartOutage(new Outage([FaultKind.BadGateway]) { Methods = [PutRecord, "com.atproto.repo.createRecord"] });
        await first.PostAsync("Stream A after the outage");
        await PostAsync(first.Editor, second, "Stream B after the outage");

        // Until both heads wait at least two minutes (Bluesky time) for their next attempt.
        var waitingStreams = new[] { first.StreamId, second };
        await WaitUntilAsync(() => host.WithDbAsync(async db =>
        {
            var later = clock.GetUtcNow().UtcDateTime + LongWait;
            return await db.Set<CrossPostItem>().Where(i => waitingStreams.Contains(i.StreamId) && i.State == CrossPostState.Queued)
                .Select(i => i.StreamId).Distinct().CountAsync() == 2
                && await db.Set<CrossPostItem>().Where(i => waitingStreams.Contains(i.StreamId) && i.State == CrossPostState.Queued)
                    .AllAsync(i => i.NextAttemptAtUtc >= later);
        }).GetAwaiter().GetResult(), "both streams back off for two minutes", TimeSpan.FromSeconds(120));
        var failedCalls = pds.RequestsFor(PutRecord).Count(r => r.StatusCode == 502);

        // Bluesky is back; a third stream (the event's own) posts at once and its write is the first to succeed.
        pds.Faults.StopOutages();
        (await first.Editor.PostAsync($"/api/events/{first.Slug}/coverage/start", null)).EnsureSuccessStatusCode();
        await pds.WaitForPostsAsync(5, TimeSpan.FromSeconds(60));

        var posts = pds.Posts();
        var firstSuccess = posts.Skip(2).Min(p => p.CommittedAt);
        var resumed = posts.Where(p => p.Text!.Contains("after the outage", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, resumed.Count);
        var records = logs.Records.Skip(logsBefore).ToList();
        foreach (var post in resumed)
        {
            // Without the wake-up each would wait for its backoff: at least two minutes after the observation above.
            Assert.True(post.CommittedAt - firstSuccess < TimeSpan.FromSeconds(60),
                $"\"{post.Text}\" went out {(post.CommittedAt - firstSuccess).TotalSeconds:0} s (Bluesky time) after Bluesky came back; its backoff was not woken. " +
                string.Join("\n", records.Where(r => r.Level >= LogLevel.Information && r.Category.StartsWith("LiveHub.CrossPosting", StringComparison.Ordinal)
                    && !r.Category.EndsWith("BlueskyHttpLogger", StringComparison.Ordinal) || r.Level >= LogLevel.Warning)));
        }

        // One warning for the outage, with its cause; one line for the recovery; no error, no stack trace per failed call.
        var warnings = records.Where(r => r.Level >= LogLevel.Warning).ToList();
        var outageWarning = Assert.Single(warnings);
        Assert.Equal(typeof(CrossPostOutageLog).FullName, outageWarning.Category);
        Assert.Contains("502", outageWarning.Message, StringComparison.Ordinal);
        Assert.Null(outageWarning.Exception);
        Assert.Single(records, r => r.Category == typeof(CrossPostOutageLog).FullName && r.Level == LogLevel.Information
            && r.Message.Contains("works again", StringComparison.Ordinal));
        Assert.True(failedCalls >= 10, $"only {failedCalls} failed calls: the outage was too short to show anything");
        output.WriteLine($"{provider}: {failedCalls} failed putRecord calls logged as {warnings.Count} warning; the waiting streams resumed " +
            string.Join(", ", resumed.Select(p => $"{(p.CommittedAt - firstSuccess).TotalSeconds:0.0} s")) + " (Bluesky time) after the first success");
    }

    private static async Task PostAsync(HttpClient editor, Guid streamId, string body)
    {
        var response = await editor.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { kind = "update", body });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}

public sealed class BlueskyRecoveryTestsOnSqlite(ITestOutputHelper output) : BlueskyRecoveryTests(DatabaseProvider.Sqlite, output);

public sealed class BlueskyRecoveryTestsOnPostgres(ITestOutputHelper output) : BlueskyRecoveryTests(DatabaseProvider.Postgres, output);
