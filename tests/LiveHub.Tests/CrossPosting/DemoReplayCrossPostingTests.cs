using System.Net.Http.Json;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Staff;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.Seeding;
using Microsoft.EntityFrameworkCore;
using static LiveHub.Tests.CrossPosting.CrossPostTestSupport;

namespace LiveHub.Tests.CrossPosting;

/// <summary>
/// The demo replay never reaches Bluesky, even with an account connected and cross-posting turned on for the demo
/// event, while a staff update in the very same stream does go out (so the test can tell the two apart).
/// </summary>
public abstract class DemoReplayCrossPostingTests(DatabaseProvider provider) : IAsyncLifetime
{
    private FakeBlueskyServer _pds = null!;
    private CrossPostingDatabase _database = null!;
    private CrossPostingHost _host = null!;

    public async Task InitializeAsync()
    {
        _pds = await FakeBlueskyServer.StartAsync();
        _database = await CrossPostingDatabase.CreateAsync(provider);
        _host = _database.Host(_pds, DemoTests.DemoSettings("00:00:00.050"));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
        await _pds.DisposeAsync();
    }

    [Fact]
    public async Task Replayed_posts_are_never_cross_posted_but_a_staff_post_in_the_same_stream_is()
    {
        var admin = await _host.BearerClientAsync(StaffRoles.Admin);
        var editor = await _host.BearerClientAsync(StaffRoles.Editor);
        await ConnectAsync(admin, _pds);
        var enable = await admin.PutAsJsonAsync($"/api/crosspost/events/{DemoTests.Slug}", new { enabled = true });
        Assert.True(enable.IsSuccessStatusCode, await enable.Content.ReadAsStringAsync());

        var streamId = await _host.WithDbAsync(db => db.LiveStreams.Where(s => s.Event!.Slug == DemoTests.Slug && s.SessionId != null).Select(s => s.Id).SingleAsync());
        var firstReplayed = await ReplayedCountAsync(streamId);
        await WaitForAsync(async () => await ReplayedCountAsync(streamId) >= firstReplayed + 10, "ten posts replayed after cross-posting was enabled");

        var staffPost = await editor.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { kind = "update", body = "A real update from the comms team." });
        Assert.True(staffPost.IsSuccessStatusCode, await staffPost.Content.ReadAsStringAsync());
        await _pds.WaitForPostsAsync(1);
        await WaitForAsync(async () => await ReplayedCountAsync(streamId) >= firstReplayed + 15, "five more posts replayed after the staff post");
        await Task.Delay(300);

        var sent = _pds.Posts();
        Assert.Equal(["A real update from the comms team."], sent.Select(p => p.Text));
        var rows = await _host.WithDbAsync(db => db.Set<CrossPostItem>().AsNoTracking().Where(i => i.StreamId == streamId).ToListAsync());
        var replayedIds = await _host.WithDbAsync(db => db.LivePosts.Where(p => p.StreamId == streamId && p.AuthorId == LiveActor.ReplayId).Select(p => p.Id).ToListAsync());
        Assert.Single(rows);
        Assert.DoesNotContain(rows, r => replayedIds.Contains(r.PostId));
    }

    private Task<int> ReplayedCountAsync(Guid streamId) =>
        _host.WithDbAsync(db => db.LivePosts.CountAsync(p => p.StreamId == streamId && p.AuthorId == LiveActor.ReplayId));

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }
}

public sealed class DemoReplayCrossPostingOnSqlite() : DemoReplayCrossPostingTests(DatabaseProvider.Sqlite);

public sealed class DemoReplayCrossPostingOnPostgres() : DemoReplayCrossPostingTests(DatabaseProvider.Postgres);
