using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Seeding;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Tests.Seeding;

/// <summary>
/// A first run with the demo on (as the embedded default has it): an event dated around now, its panel live, the
/// seeded panel thread replayed into it without doubles across restarts and instances. The pace is 100 ms here.
/// </summary>
public abstract class DemoTests(LiveHubApp app)
{
    public const string Slug = "demo-second-place-partnership-conference";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    internal static Dictionary<string, string?> DemoSettings(string interval = "00:00:00.100") => new()
    {
        ["Seeds:LoadWhenEmpty"] = "true",
        ["Seeds:Demo"] = "true",
        ["Seeds:DemoReplayInterval"] = interval,
        ["Questions:Enabled"] = "true",
    };

    public sealed class DemoSqliteApp : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => DemoSettings();
    }

    public sealed class DemoPostgresApp : PostgresApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => DemoSettings();
    }

    /// <summary>A second instance (or the same one restarted) on the first one's database.</summary>
    private sealed class SecondInstance(DatabaseProvider provider, string connectionString) : LiveHubApp
    {
        public override DatabaseProvider Provider => provider;

        protected override bool OwnsDatabase => false;

        protected override IReadOnlyDictionary<string, string?> Settings =>
            new Dictionary<string, string?>(DemoSettings()) { ["Database:ConnectionString"] = connectionString };
    }

    [Fact]
    public async Task A_first_start_shows_an_upcoming_event_a_live_session_with_updates_arriving_and_a_hub_feed()
    {
        var client = app.AnonymousClient();
        var list = await client.GetStringAsync("/events");
        var upcoming = list[list.IndexOf("id=\"upcoming-heading\"", StringComparison.Ordinal)..];
        upcoming = upcoming[..upcoming.IndexOf("</section>", StringComparison.Ordinal)];
        Assert.Contains($"href=\"/events/{Slug}\"", upcoming, StringComparison.Ordinal);

        var demo = await client.GetFromJsonAsync<JsonElement>($"/api/events/{Slug}");
        var now = DateTimeOffset.UtcNow;
        var live = demo.GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("coverage").GetString() == "live");
        Assert.StartsWith("Panel", live.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(["Jo Allison", "Dr Abigail Taylor", "Des McNulty"], live.GetProperty("speakers").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.InRange(now, live.GetProperty("when").GetProperty("startsAt").GetDateTimeOffset(), live.GetProperty("when").GetProperty("endsAt").GetDateTimeOffset());

        // Updates keep arriving on the panel's stream.
        var streamId = await PanelStreamAsync();
        var first = await WaitForReplayedAsync(streamId, 2);
        var later = await WaitForReplayedAsync(streamId, first.Count + 3);
        Assert.True(later.Count > first.Count);
        var page = await client.GetStringAsync($"/live/{Slug}/sessions/{live.GetProperty("id").GetGuid()}");
        Assert.Contains("Now: a panel on lessons learned", page, StringComparison.Ordinal);

        // The audience is in it too: the seeded approved questions are on the page, the pending one only in the queue.
        Assert.Contains("Could secondments like the Japanese ones", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Will the slides from the report launch", page, StringComparison.Ordinal);
        var queue = await (await app.BearerClientAsync(StaffRoles.Editor)).GetFromJsonAsync<JsonElement>($"/api/questions?status=pending&streamId={streamId}");
        Assert.Contains("Will the slides from the report launch", queue.GetRawText(), StringComparison.Ordinal);

        // The hub feed has the demo and its sessions; the real conference keeps its real date.
        var feed = await client.GetStringAsync("/calendar.ics");
        Assert.Contains("(demo replay)", feed.Replace("\r\n ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(feed.Split("BEGIN:VEVENT").Length - 1 >= 4, feed);
        var conference = await client.GetFromJsonAsync<JsonElement>("/api/events/second-place-partnership-conference");
        Assert.Equal("2024-11-04T10:00:00+00:00", conference.GetProperty("when").GetProperty("startsAtLocal").GetString());
    }

    [Fact]
    public async Task A_second_instance_and_a_restart_carry_on_the_replay_without_doubling_a_post()
    {
        var streamId = await PanelStreamAsync();
        await WaitForReplayedAsync(streamId, 2);
        await using (var second = new SecondInstance(app.Provider, app.ConnectionString))
        {
            await second.InitializeAsync();
            var before = await ReplayedAsync(streamId);
            // Both run side by side for a while; then the second stops (a restart of one of them).
            await WaitForReplayedAsync(streamId, before.Count + 8);
        }

        await using (var restarted = new SecondInstance(app.Provider, app.ConnectionString))
        {
            await restarted.InitializeAsync();
            var before = await ReplayedAsync(streamId);
            await WaitForReplayedAsync(streamId, before.Count + 3);
        }

        var keys = await ReplayedAsync(streamId);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        // One after another: round 0 steps 0, 1, 2…, then round 1 from 0 again once the seeded thread has run out.
        var threadLength = ThreadLength();
        var expected = Enumerable.Range(0, keys.Count).Select(i => $"demo:{i / threadLength}:{i % threadLength}");
        Assert.Equal(expected, keys);
        await app.WithDbAsync(async db =>
        {
            Assert.Equal(1, await db.Events.IgnoreQueryFilters().CountAsync(e => e.Slug == Slug));
            var sequences = await db.LivePosts.Where(p => p.StreamId == streamId).Select(p => p.Sequence).ToListAsync();
            Assert.Equal(sequences.Count, sequences.Distinct().Count());
        });
    }

    [Fact]
    public async Task Staff_ending_the_panel_coverage_stops_the_replay_and_a_deleted_demo_stays_deleted()
    {
        var streamId = await PanelStreamAsync();
        await WaitForReplayedAsync(streamId, 1);
        var editor = await app.BearerClientAsync(LiveHub.Staff.StaffRoles.Editor);
        var panelId = await app.WithDbAsync2(db => db.LiveStreams.Where(s => s.Id == streamId).Select(s => s.SessionId!.Value).SingleAsync());
        (await editor.PostAsync($"/api/events/{Slug}/sessions/{panelId}/coverage/end", null)).EnsureSuccessStatusCode();
        await Task.Delay(300); // a replay step already under way when coverage ended may still land
        var afterEnd = (await ReplayedAsync(streamId)).Count;
        await Task.Delay(1_000); // ten replay intervals: nothing may come
        Assert.Equal(afterEnd, (await ReplayedAsync(streamId)).Count);

        (await editor.PostAsync($"/api/events/{Slug}/sessions/{panelId}/coverage/start", null)).EnsureSuccessStatusCode();
        await WaitForReplayedAsync(streamId, afterEnd + 1);

        var admin = await app.BearerClientAsync(LiveHub.Staff.StaffRoles.Admin);
        (await admin.DeleteAsync($"/api/events/{Slug}")).EnsureSuccessStatusCode();
        await Task.Delay(1_000);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await app.AnonymousClient().GetAsync($"/api/events/{Slug}")).StatusCode);
        await app.WithDbAsync(async db => Assert.Equal(1, await db.Events.IgnoreQueryFilters().CountAsync(e => e.Slug == Slug)));

        // Undeleted by hand (the tests share the app), the replay picks up again.
        var countBefore = (await ReplayedAsync(streamId)).Count;
        await app.WithDbAsync(db => db.Events.IgnoreQueryFilters().Where(e => e.Slug == Slug).ExecuteUpdateAsync(e => e.SetProperty(x => x.DeletedAtUtc, (DateTime?)null)));
        await WaitForReplayedAsync(streamId, countBefore + 1);
    }

    /// <summary>The seeded panel thread without its end marker: what one round of the replay posts.</summary>
    private static int ThreadLength()
    {
        var file = Path.Combine(LiveHub.Tests.Hosting.HostingOnSqlite.RepositoryRoot(), "seeds", "live", "second-place-partnership-conference.json");
        var thread = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
        var defaultSession = thread.GetProperty("session").GetString();
        return thread.GetProperty("posts").EnumerateArray().Count(p =>
            (p.TryGetProperty("session", out var s) ? s.GetString() : defaultSession) == "panel" && p.GetProperty("kind").GetString() != "sessionEnded");
    }

    private async Task<Guid> PanelStreamAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var id = await app.WithDbAsync2(db => db.LiveStreams
                .Where(s => s.Event!.Slug == Slug && s.SessionId != null && s.State == LiveHub.Events.CoverageState.Live)
                .Select(s => (Guid?)s.Id).FirstOrDefaultAsync());
            if (id is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "The demo event's live panel never appeared.");
            await Task.Delay(50);
        }
    }

    private Task<List<string>> ReplayedAsync(Guid streamId) =>
        app.WithDbAsync2(db => db.LivePosts.Where(p => p.StreamId == streamId && p.AuthorId == LiveActor.ReplayId)
            .OrderBy(p => p.Sequence).Select(p => p.IdempotencyKey!).ToListAsync());

    private async Task<List<string>> WaitForReplayedAsync(Guid streamId, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var keys = await ReplayedAsync(streamId);
            if (keys.Count >= count)
            {
                return keys;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Waited for {count} replayed posts, have {keys.Count}.");
            await Task.Delay(50);
        }
    }
}

public sealed class DemoOnSqlite(DemoTests.DemoSqliteApp app) : DemoTests(app), IClassFixture<DemoTests.DemoSqliteApp>;

public sealed class DemoOnPostgres(DemoTests.DemoPostgresApp app) : DemoTests(app), IClassFixture<DemoTests.DemoPostgresApp>;

public sealed class DemoDefaultsTests
{
    [Theory]
    [InlineData(null, DatabaseProvider.Sqlite, true)]
    [InlineData(null, DatabaseProvider.Postgres, false)]
    [InlineData(true, DatabaseProvider.Postgres, true)]
    [InlineData(false, DatabaseProvider.Sqlite, false)]
    public void The_demo_is_on_for_the_embedded_default_only_unless_set(bool? setting, DatabaseProvider provider, bool on) =>
        Assert.Equal(on, new SeedOptions { Demo = setting }.DemoIsOn(provider));

    [Fact]
    public void Docker_compose_turns_the_demo_off()
    {
        var compose = File.ReadAllText(Path.Combine(LiveHub.Tests.Hosting.HostingOnSqlite.RepositoryRoot(), "docker-compose.yml"));
        Assert.Contains("Seeds__Demo: ${LIVEHUB_DEMO:-false}", compose, StringComparison.Ordinal);
    }
}

internal static class LiveHubAppExtensions
{
    public static async Task<T> WithDbAsync2<T>(this LiveHubApp app, Func<LiveHubDbContext, Task<T>> action)
    {
        var result = default(T)!;
        await app.WithDbAsync(async db => result = await action(db));
        return result;
    }
}
