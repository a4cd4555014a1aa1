using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Staff;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.CrossPosting;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static LiveHub.Tests.CrossPosting.CrossPostTestSupport;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// Ten minutes of Bluesky trouble, on a clock running 60 times faster: five minutes of rate limiting (429 with
/// Retry-After/RateLimit-Reset on writes and logins, all sessions revoked so only a new login would help), then five
/// minutes of outage (every call 502 or a dropped connection). Editors keep posting to two streams throughout. The app
/// runs with its default retry policy (only the clock is fast); the fake PDS keeps time by the same clock, so its login
/// limit and the request log's timestamps are in "Bluesky time".
/// </summary>
public abstract class BlueskyOutageTests(DatabaseProvider provider, ITestOutputHelper output)
{
    private const double Speed = 60;
    private const int PostsBefore = 3;
    private const int PostsDuring = 40;
    private const string CreateSession = "com.atproto.server.createSession";
    private const string RefreshSession = "com.atproto.server.refreshSession";
    private static readonly TimeSpan Phase = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan LoginWindow = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_ten_minute_outage_and_rate_limit_queue_the_posts_then_all_go_out_once_in_order_with_few_logins()
    {
        var runtime = Stopwatch.StartNew();
        var clock = new AcceleratedTimeProvider(Speed);
        await using var pds = await FakeBlueskyServer.StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.EnforceLoginRateLimit = true; // Bluesky's 30 logins per 5 minutes, by the shared clock
        });
        await using var database = await CrossPostingDatabase.CreateAsync(provider);
        await using var host = database.Host(pds, DefaultRetryPolicy(), clock);

        var first = await ScenarioAsync(host, pds);
        var second = await first.AddCoveredSessionAsync("Workshop on failure");
        var streams = new[] { (first.StreamId, Title: "Panel on live posting", first.Editor), (second, Title: "Workshop on failure", Editor: await host.BearerClientAsync(StaffRoles.Editor)) };
        for (var i = 1; i <= PostsBefore; i++)
        {
            foreach (var (streamId, _, editor) in streams)
            {
                await PostAsync(editor, streamId, Text(streamId == first.StreamId ? 1 : 2, i));
            }
        }

        await pds.WaitForPostsAsync(2 + 2 * PostsBefore);
        var loginsBefore = pds.CountRequests(CreateSession);

        var outageStart = clock.GetUtcNow();
        var downStart = outageStart + Phase;
        var outageEnd = downStart + Phase;

        // Phase 1: Bluesky is rate limiting. Writes get 429 (reset in a minute) or ExpiredToken; every session has been
        // revoked, so a refresh fails too and only a new login would help; logins get 429 or 502.
        pds.RevokeSessions();
        pds.Faults.StartOutage(new Outage([FaultKind.RateLimited, FaultKind.ExpiredToken])
        {
            Until = downStart,
            RetryAfter = TimeSpan.FromMinutes(1),
            Methods = ["com.atproto.repo.putRecord", "com.atproto.repo.createRecord", "com.atproto.repo.getRecord", "com.atproto.repo.uploadBlob", "com.atproto.repo.deleteRecord"],
        });
        pds.Faults.StartOutage(new Outage([FaultKind.RateLimited, FaultKind.BadGateway]) { Until = downStart, RetryAfter = TimeSpan.FromMinutes(1), Methods = [CreateSession] });

        // Editors keep posting, alternating streams, one post every 15 s (Bluesky time) through the ten minutes.
        var postLatencies = new List<TimeSpan>();
        var posting = Task.Run(async () =>
        {
            for (var i = 0; i < PostsDuring; i++)
            {
                await clock.WaitUntilAsync(outageStart + TimeSpan.FromSeconds(15 * i + 5));
                var (streamId, _, editor) = streams[i % 2];
                var started = Stopwatch.GetTimestamp();
                await PostAsync(editor, streamId, Text(i % 2 + 1, PostsBefore + i / 2 + 1));
                postLatencies.Add(Stopwatch.GetElapsedTime(started));
            }
        });

        // The console shows the queue, the rate limit and why the posts wait.
        var limited = await ObserveAsync(clock, downStart, async () =>
        {
            var consoles = new List<JsonElement>();
            foreach (var (streamId, _, editor) in streams)
            {
                consoles.Add(await editor.GetFromJsonAsync<JsonElement>($"/api/streams/{streamId}/crosspost"));
            }

            var jobs = await first.Admin.GetFromJsonAsync<JsonElement>("/api/crosspost/jobs");
            return (consoles, jobs, Shown: jobs.GetProperty("pausedUntil").ValueKind == JsonValueKind.String
                && consoles.All(c => c.GetProperty("pending").GetInt32() >= 1)
                && consoles.Any(c => c.GetProperty("rateLimitedUntil").ValueKind == JsonValueKind.String
                    && (c.GetProperty("retryReason").GetString() ?? "").Contains("Rate limited", StringComparison.Ordinal)));
        }, r => r.Shown);
        Assert.True(limited.Shown, $"the console never showed the rate limit with posts waiting on both streams: {limited.consoles[0]} {limited.consoles[1]} {limited.jobs}");
        Assert.Equal(0, limited.jobs.GetProperty("counts").GetProperty("failed").GetInt32());

        // Phase 2: the PDS (and entryway) is down: every XRPC call answers 502 or drops the connection.
        await clock.WaitUntilAsync(downStart);
        pds.Faults.StartOutage(new Outage([FaultKind.BadGateway, FaultKind.DropBeforeCommit]) { Until = outageEnd });
        await clock.WaitUntilAsync(downStart + TimeSpan.FromMinutes(3));
        var downConsole = await first.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{first.StreamId}/crosspost");
        var downJobs = await first.Admin.GetFromJsonAsync<JsonElement>("/api/crosspost/jobs");
        Assert.True(downConsole.GetProperty("pending").GetInt32() >= 10, downConsole.ToString());
        Assert.Matches("502|no response|NetworkError", downConsole.GetProperty("retryReason").GetString() ?? "");
        Assert.Equal(JsonValueKind.String, downConsole.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, downConsole.GetProperty("rateLimitedUntil").ValueKind);
        // The stream's head: the first post not yet on Bluesky (it may be "sending" right now), which the rest wait behind.
        var waitingPost = downConsole.GetProperty("posts").EnumerateArray().First(p => p.GetProperty("state").GetString() is "queued" or "sending");
        Assert.True(waitingPost.GetProperty("items")[0].GetProperty("attempts").GetInt32() >= 3, waitingPost.ToString());
        Assert.True(downJobs.GetProperty("counts").GetProperty("queued").GetInt32() >= 20, downJobs.GetProperty("counts").ToString());
        Assert.Equal(0, downJobs.GetProperty("counts").GetProperty("failed").GetInt32());
        var downQueues = downJobs.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(2, downQueues.Count);
        Assert.All(downQueues, q => Assert.False(string.IsNullOrEmpty(q.GetProperty("headLastError").GetString()), q.ToString()));
        Assert.Contains(downQueues, q => q.GetProperty("headAttempts").GetInt32() >= 3);

        await posting;
        var realOutage = runtime.Elapsed;

        // After the outage: everything goes out, once, in order, one thread per stream.
        var expectedPosts = 2 + 2 * (PostsBefore + PostsDuring / 2);
        await pds.WaitForPostsAsync(expectedPosts, TimeSpan.FromSeconds(90));
        await WaitUntilAsync(() => host.WithDbAsync(db => db.Set<CrossPostItem>().AllAsync(i => i.State == CrossPostState.Posted)).GetAwaiter().GetResult(),
            "every outbox row is marked posted", TimeSpan.FromSeconds(30));
        var allPostedAt = pds.Posts().Max(p => p.CommittedAt);

        var posts = pds.Posts();
        Assert.Equal(expectedPosts, posts.Count);
        Assert.Equal(posts.Count, pds.CommitCount);
        foreach (var (streamId, title, _) in streams)
        {
            var number = streamId == first.StreamId ? 1 : 2;
            var thread = posts.Where(p => p.Text == Started(title) || p.Text!.StartsWith($"Stream {number} ", StringComparison.Ordinal)).ToList();
            Assert.Equal([Started(title), .. Enumerable.Range(1, PostsBefore + PostsDuring / 2).Select(i => Text(number, i))], thread.Select(p => p.Text));
            AssertOneThread(thread);
        }

        var items = await host.WithDbAsync(db => db.Set<CrossPostItem>().AsNoTracking().ToListAsync());
        Assert.DoesNotContain(items, i => i.State == CrossPostState.Failed);
        var maxAttempts = items.Max(i => i.Attempts);
        Assert.True(maxAttempts < new CrossPostingOptions().MaxAttempts, $"an item used {maxAttempts} attempts");

        // The outage really happened as described.
        var applied = pds.Faults.Applied.Select(f => f.Kind).ToHashSet();
        Assert.Superset(new HashSet<FaultKind> { FaultKind.BadGateway, FaultKind.DropBeforeCommit, FaultKind.RateLimited, FaultKind.ExpiredToken }, applied);
        Assert.Contains(pds.RequestsFor(RefreshSession), r => r.Timestamp >= outageStart && r.StatusCode == 400); // revoked: only a login helps

        // Logins: never beyond Bluesky's limits, and in fact only a handful; refreshes not hammered either.
        var logins = pds.RequestsFor(CreateSession);
        var refreshes = pds.RequestsFor(RefreshSession);
        var loginsDuring = logins.Count(r => r.Timestamp >= outageStart && r.Timestamp < outageEnd);
        var refreshesDuring = refreshes.Count(r => r.Timestamp >= outageStart && r.Timestamp < outageEnd);
        var maxLoginsPerWindow = MaxInWindow(logins, LoginWindow);
        var maxRefreshesPerWindow = MaxInWindow(refreshes, LoginWindow);
        Assert.True(maxLoginsPerWindow <= 30, $"{maxLoginsPerWindow} createSession calls in 5 minutes (Bluesky allows 30)");
        Assert.True(logins.Count <= 300, $"{logins.Count} createSession calls in a day (Bluesky allows 300)");
        // Logins are only tried when a write meets the revoked session, at most once per Retry-After and never more
        // than the client's own cap (10 per 5 minutes): a handful in ten minutes.
        Assert.True(loginsDuring <= 10, $"{loginsDuring} createSession calls during the 10-minute outage");
        // One refresh finds the refresh token revoked; the client never sends that token again.
        Assert.True(refreshesDuring is >= 1 and <= 2, $"{refreshesDuring} refreshSession calls during the outage");
        // The sessions were revoked at the outage's start, so a successful login after that is what replaced them. (Not
        // "after the outage's end": at x{Speed} a request stamped just before the end can be judged just after it, and so
        // succeed; a clean-clone run on a loaded machine did exactly that.)
        Assert.Contains(logins, r => r.Timestamp >= outageStart && r.StatusCode == 200);

        var recovery = allPostedAt - outageEnd;
        var firstAfter = posts.Where(p => p.CommittedAt >= outageEnd).Min(p => p.CommittedAt) - outageEnd;
        output.WriteLine($"{provider}: {expectedPosts} posts ({2 * PostsBefore} before, {PostsDuring} during the outage, 2 coverage starts); " +
            $"outage {Phase.TotalMinutes:0}+{Phase.TotalMinutes:0} min Bluesky time = {clock.RealDuration(Phase * 2).TotalSeconds:0.0} s real at x{Speed}");
        output.WriteLine($"createSession: {logins.Count} total, {loginsBefore} before, {loginsDuring} during, max {maxLoginsPerWindow} per 5 min; " +
            $"refreshSession: {refreshes.Count} total, {refreshesDuring} during, max {maxRefreshesPerWindow} per 5 min");
        output.WriteLine($"max attempts per item {maxAttempts} (budget {new CrossPostingOptions().MaxAttempts}); first post {firstAfter.TotalSeconds:0} s and all posted {recovery.TotalSeconds:0} s (Bluesky time) after the outage ended, " +
            $"{clock.RealDuration(recovery - firstAfter).TotalSeconds:0.0} s real from the first to the last; " +
            $"post latency max {postLatencies.Max().TotalMilliseconds:0} ms; requests {pds.Requests.Count}; faults {pds.Faults.Applied.Count}; " +
            $"runtime {runtime.Elapsed.TotalSeconds:0.0} s (until outage end {realOutage.TotalSeconds:0.0} s)");
        string Timeline(IEnumerable<ReceivedRequest> requests) =>
            string.Join(", ", requests.Select(r => $"{(r.Timestamp - outageStart).TotalMinutes:0.0}m:{r.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "dropped"}"));
        output.WriteLine($"createSession at {Timeline(logins)}");
        output.WriteLine($"refreshSession at {Timeline(refreshes)}");
        output.WriteLine($"putRecord at {Timeline(pds.RequestsFor("com.atproto.repo.putRecord").Where(r => r.Timestamp < outageEnd + TimeSpan.FromMinutes(5)))}");
    }

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> or the clock reaches <paramref name="deadline"/>; returns the last result.</summary>
    private static async Task<T> ObserveAsync<T>(AcceleratedTimeProvider clock, DateTimeOffset deadline, Func<Task<T>> probe, Func<T, bool> done)
    {
        while (true)
        {
            var result = await probe();
            if (done(result) || clock.GetUtcNow() >= deadline)
            {
                return result;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The app's default retry settings (CrossPostingHost shortens them to milliseconds); only the clock is fast.</summary>
    private static Dictionary<string, string?> DefaultRetryPolicy()
    {
        var defaults = new CrossPostingOptions();
        return new Dictionary<string, string?>
        {
            ["CrossPosting:RetryBaseDelay"] = defaults.RetryBaseDelay.ToString("c"),
            ["CrossPosting:RetryMaxDelay"] = defaults.RetryMaxDelay.ToString("c"),
            ["CrossPosting:MaxAttempts"] = defaults.MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CrossPosting:SweepInterval"] = defaults.SweepInterval.ToString("c"),
            // Cluster check-ins every 7.5 s of Bluesky time would be 8 a second here; once a minute is plenty.
            ["CrossPosting:ClusterCheckinInterval"] = "00:01:00",
        };
    }

    private static async Task PostAsync(HttpClient editor, Guid streamId, string body)
    {
        var response = await editor.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { kind = "update", body });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static string Text(int stream, int number) => $"Stream {stream} update {number}";

    private static string Started(string title) => $"Live coverage of {title} has started.";

    /// <summary>The most requests in any sliding window of <paramref name="window"/> (by the fake's clock).</summary>
    private static int MaxInWindow(IReadOnlyList<ReceivedRequest> requests, TimeSpan window)
    {
        var times = requests.Select(r => r.Timestamp).Order().ToList();
        var most = 0;
        for (int start = 0, end = 0; end < times.Count; end++)
        {
            while (times[end] - times[start] >= window)
            {
                start++;
            }

            most = Math.Max(most, end - start + 1);
        }

        return most;
    }
}

public sealed class BlueskyOutageTestsOnSqlite(ITestOutputHelper output) : BlueskyOutageTests(DatabaseProvider.Sqlite, output);

public sealed class BlueskyOutageTestsOnPostgres(ITestOutputHelper output) : BlueskyOutageTests(DatabaseProvider.Postgres, output);
