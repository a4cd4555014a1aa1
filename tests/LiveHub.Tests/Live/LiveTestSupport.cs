using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Live;

public sealed record LiveScenario(HttpClient Editor, string Slug, Guid SessionId, Guid StreamId);

public static class LiveTestSupport
{
    /// <summary>A published event with one session whose coverage has started.</summary>
    public static async Task<LiveScenario> LiveSessionAsync(LiveHubApp app, bool start = true)
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = "live-" + Guid.NewGuid().ToString("N")[..10];
        (await editor.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        var session = await (await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title = "Panel", startsAt = "2030-06-01T14:00", endsAt = "2030-06-01T15:00" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = session.GetProperty("id").GetGuid();
        var streams = await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams");
        var streamId = streams.EnumerateArray().Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String).GetProperty("id").GetGuid();
        if (start)
        {
            (await editor.PostAsync($"/api/events/{slug}/sessions/{sessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        }

        return new LiveScenario(editor, slug, sessionId, streamId);
    }

    public static async Task<JsonElement> PostAsync(this LiveScenario live, string body, string kind = "update")
    {
        var response = await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { kind, body });
        var content = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, content);
        return JsonDocument.Parse(content).RootElement.Clone();
    }
}
