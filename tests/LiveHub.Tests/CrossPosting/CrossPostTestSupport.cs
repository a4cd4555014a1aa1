using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Staff;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.CrossPosting;

/// <summary>An event with one session, cross-posting enabled, the fake's account connected, coverage started.</summary>
public sealed record CrossPostScenario(HttpClient Admin, HttpClient Editor, string Slug, Guid SessionId, Guid StreamId)
{
    public async Task<JsonElement> PostAsync(string body, string kind = "update", object? extra = null)
    {
        var response = await Editor.PostAsJsonAsync($"/api/streams/{StreamId}/posts", extra ?? new { kind, body });
        var content = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, content);
        return JsonDocument.Parse(content).RootElement.Clone();
    }
}

public static class CrossPostTestSupport
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<CrossPostScenario> ScenarioAsync(CrossPostingHost host, FakeBlueskyServer pds, bool connect = true,
        CrossPostEditMode editMode = CrossPostEditMode.CorrectionReply, bool start = true, string? hashtags = null)
    {
        var admin = await host.BearerClientAsync(StaffRoles.Admin);
        var editor = await host.BearerClientAsync(StaffRoles.Editor);
        var slug = "xp-" + Guid.NewGuid().ToString("N")[..10];
        (await admin.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        var session = await (await admin.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title = "Panel on live posting", startsAt = "2030-06-01T14:00", endsAt = "2030-06-01T15:00", room = "Hall A" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = session.GetProperty("id").GetGuid();
        var streams = await admin.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams");
        var streamId = streams.EnumerateArray().Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String).GetProperty("id").GetGuid();
        if (connect)
        {
            await ConnectAsync(admin, pds);
        }

        var enable = await admin.PutAsJsonAsync($"/api/crosspost/events/{slug}", new { enabled = true, editMode = editMode.ToString(), hashtags });
        Assert.True(enable.IsSuccessStatusCode, await enable.Content.ReadAsStringAsync());
        if (start)
        {
            (await editor.PostAsync($"/api/events/{slug}/sessions/{sessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        }

        return new CrossPostScenario(admin, editor, slug, sessionId, streamId);
    }

    /// <summary>Another session of the scenario's event, with its coverage started; returns its stream.</summary>
    public static async Task<Guid> AddCoveredSessionAsync(this CrossPostScenario scenario, string title)
    {
        var session = await (await scenario.Admin.PostAsJsonAsync($"/api/events/{scenario.Slug}/sessions", new { title, startsAt = "2030-06-01T15:00", endsAt = "2030-06-01T16:00", room = "Room 3" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = session.GetProperty("id").GetGuid();
        var streams = await scenario.Admin.GetFromJsonAsync<JsonElement>($"/api/events/{scenario.Slug}/streams");
        var streamId = streams.EnumerateArray().Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String && s.GetProperty("sessionId").GetGuid() == sessionId).GetProperty("id").GetGuid();
        (await scenario.Editor.PostAsync($"/api/events/{scenario.Slug}/sessions/{sessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        return streamId;
    }

    public static async Task ConnectAsync(HttpClient admin, FakeBlueskyServer pds)
    {
        var account = pds.DefaultAccount;
        var response = await admin.PutAsJsonAsync("/api/crosspost/account", new { handle = account.Handle, appPassword = account.AppPassword });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static IReadOnlyList<StoredRecord> Posts(this FakeBlueskyServer pds) => pds.GetRecords(collection: FakeBlueskyServer.PostCollection);

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }

    public static async Task WaitForPostsAsync(this FakeBlueskyServer pds, int count, TimeSpan? timeout = null) =>
        await WaitUntilAsync(() => pds.Posts().Count >= count, $"{count} posts are on the fake PDS (have {pds.Posts().Count})", timeout);

    /// <summary>Every record replies to the one before it, and all to the first.</summary>
    public static void AssertOneThread(IReadOnlyList<StoredRecord> posts)
    {
        Assert.Null(posts[0].ReplyRootUri);
        for (var i = 1; i < posts.Count; i++)
        {
            Assert.True(posts[0].Uri == posts[i].ReplyRootUri, $"post {i} ({posts[i].Text}) has root {posts[i].ReplyRootUri}");
            Assert.True(posts[i - 1].Uri == posts[i].ReplyParentUri, $"post {i} ({posts[i].Text}) replies to {posts[i].ReplyParentUri}, not to the post before it");
        }
    }
}
