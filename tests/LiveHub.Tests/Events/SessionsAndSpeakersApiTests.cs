using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Events;

public abstract class SessionsAndSpeakersApiTests(LiveHubApp app)
{
    private static string NewSlug() => "s-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<(HttpClient Editor, string Slug, Guid ChairId, Guid SpeakerId)> EventWithSpeakersAsync()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = NewSlug();
        (await editor.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        var chair = await (await editor.PostAsJsonAsync("/api/speakers", new { name = "Rebecca Riley", role = "Professor", affiliation = "City-REDI", blueskyHandle = "@Rebecca.example.org" })).Content.ReadFromJsonAsync<JsonElement>();
        var speaker = await (await editor.PostAsJsonAsync("/api/speakers", new { name = "Abigail Taylor" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rebecca.example.org", chair.GetProperty("blueskyHandle").GetString());
        return (editor, slug, chair.GetProperty("id").GetGuid(), speaker.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Sessions_appear_in_the_event_with_chair_and_speakers_in_order()
    {
        var (editor, slug, chairId, speakerId) = await EventWithSpeakersAsync();
        var created = await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new
        {
            title = "Panel: lessons learned",
            startsAt = "2030-06-01T14:00",
            endsAt = "2030-06-01T15:00",
            room = "Main hall",
            chairId,
            speakerIds = new[] { speakerId, chairId },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var detail = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/events/{slug}");
        var session = detail.GetProperty("sessions")[0];
        Assert.Equal("Panel: lessons learned", session.GetProperty("title").GetString());
        Assert.Equal("Rebecca Riley", session.GetProperty("chair").GetProperty("name").GetString());
        Assert.Equal(["Abigail Taylor", "Rebecca Riley"], session.GetProperty("speakers").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal("2030-06-01T14:00:00+01:00", session.GetProperty("when").GetProperty("startsAtLocal").GetString());
        Assert.Equal("upcoming", session.GetProperty("coverage").GetString());
        Assert.Equal(2, detail.GetProperty("speakers").GetArrayLength());
    }

    [Fact]
    public async Task Session_edits_bump_its_revision_and_deletes_hide_it()
    {
        var (editor, slug, _, _) = await EventWithSpeakersAsync();
        var created = await (await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title = "Talk", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00" })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetGuid();
        var moved = await (await editor.PutAsJsonAsync($"/api/events/{slug}/sessions/{id}", new { title = "Talk", startsAt = "2030-06-01T11:00", endsAt = "2030-06-01T12:00", status = "cancelled" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, moved.GetProperty("revision").GetInt32());
        Assert.Equal("cancelled", moved.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"/api/events/{slug}/sessions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.AnonymousClient().GetAsync($"/api/events/{slug}/sessions/{id}")).StatusCode);
    }

    [Fact]
    public async Task Invalid_sessions_are_refused_with_the_field()
    {
        var (editor, slug, chairId, _) = await EventWithSpeakersAsync();
        var url = $"/api/events/{slug}/sessions";
        await (await editor.PostAsJsonAsync(url, new { title = "Early", startsAt = "2030-06-01T07:00", endsAt = "2030-06-01T08:00" })).AssertProblemAsync(HttpStatusCode.BadRequest, "startsAt");
        await (await editor.PostAsJsonAsync(url, new { title = "Backwards", startsAt = "2030-06-01T11:00", endsAt = "2030-06-01T10:00" })).AssertProblemAsync(HttpStatusCode.BadRequest, "endsAt");
        await (await editor.PostAsJsonAsync(url, new { title = "Ghost", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00", speakerIds = new[] { Guid.NewGuid() } })).AssertProblemAsync(HttpStatusCode.BadRequest, "speakerIds[0]");
        await (await editor.PostAsJsonAsync(url, new { title = "Twice", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00", speakerIds = new[] { chairId, chairId } })).AssertProblemAsync(HttpStatusCode.BadRequest, "speakerIds");
        await (await editor.PostAsJsonAsync(url, new { title = "No chair", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00", chairId = Guid.NewGuid() })).AssertProblemAsync(HttpStatusCode.BadRequest, "chairId");
        await (await editor.PostAsJsonAsync(url, new { title = "Bad coverage", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00", coverage = "paused" })).AssertProblemAsync(HttpStatusCode.BadRequest, "$.coverage");
        await (await editor.PostAsJsonAsync("/api/events/no-such-event/sessions", new { title = "x" })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await editor.PutAsJsonAsync($"/api/events/{slug}/sessions/not-a-guid", new { title = "x" })).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Moving_an_event_away_from_its_sessions_is_refused_unless_postponed()
    {
        var (editor, slug, _, _) = await EventWithSpeakersAsync();
        (await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title = "Talk", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00" })).EnsureSuccessStatusCode();
        var moved = await editor.PutAsJsonAsync($"/api/events/{slug}", EventsTestData.Event(slug, "2030-07-01T09:00", "2030-07-01T17:00"));
        await moved.AssertProblemAsync(HttpStatusCode.BadRequest, "startsAt");
    }

    [Fact]
    public async Task The_public_sees_a_speaker_only_once_a_published_event_shows_them()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var anonymous = app.AnonymousClient();
        async Task<Guid> SpeakerAsync(string name) =>
            (await (await editor.PostAsJsonAsync("/api/speakers", new { name })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        async Task<HashSet<Guid>> ListedAsync(HttpClient client) =>
            [.. (await client.GetFromJsonAsync<JsonElement>("/api/speakers")).EnumerateArray().Select(s => s.GetProperty("id").GetGuid())];

        var draftOnly = await SpeakerAsync("Announced with the draft");
        var chair = await SpeakerAsync("Chairs a published panel");
        var unused = await SpeakerAsync("Not on any programme");
        var draft = NewSlug();
        (await editor.PostAsJsonAsync("/api/events", EventsTestData.Event(draft, published: false))).EnsureSuccessStatusCode();
        (await editor.PostAsJsonAsync($"/api/events/{draft}/sessions", new { title = "Draft panel", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00", speakerIds = new[] { draftOnly } })).EnsureSuccessStatusCode();
        var published = NewSlug();
        (await editor.PostAsJsonAsync("/api/events", EventsTestData.Event(published))).EnsureSuccessStatusCode();
        (await editor.PostAsJsonAsync($"/api/events/{published}/sessions", new { title = "Public panel", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00", chairId = chair })).EnsureSuccessStatusCode();

        var listed = await ListedAsync(anonymous);
        Assert.Contains(chair, listed);
        Assert.DoesNotContain(draftOnly, listed);
        Assert.DoesNotContain(unused, listed);
        await (await anonymous.GetAsync($"/api/speakers/{draftOnly}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await anonymous.GetAsync($"/api/speakers/{unused}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/api/speakers/{chair}")).StatusCode);

        // Editors see everyone, to build programmes.
        Assert.Superset(new HashSet<Guid> { draftOnly, chair, unused }, await ListedAsync(editor));
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync($"/api/speakers/{draftOnly}")).StatusCode);

        // Publishing the draft shows its speaker; deleting the published event hides its chair again.
        (await editor.PutAsJsonAsync($"/api/events/{draft}", EventsTestData.Event(draft))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/api/speakers/{draftOnly}")).StatusCode);
        (await editor.DeleteAsync($"/api/events/{published}")).EnsureSuccessStatusCode();
        Assert.DoesNotContain(chair, await ListedAsync(anonymous));
    }

    [Fact]
    public async Task Speakers_validate_and_deleting_one_keeps_its_sessions()
    {
        var (editor, slug, chairId, _) = await EventWithSpeakersAsync();
        await (await editor.PostAsJsonAsync("/api/speakers", new { name = "" })).AssertProblemAsync(HttpStatusCode.BadRequest, "name");
        await (await editor.PostAsJsonAsync("/api/speakers", new { name = "X", blueskyHandle = "not a handle" })).AssertProblemAsync(HttpStatusCode.BadRequest, "blueskyHandle");
        await (await editor.PostAsJsonAsync("/api/speakers", new { name = "X", bio = new string('b', 2001) })).AssertProblemAsync(HttpStatusCode.BadRequest, "bio");

        (await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title = "Chaired", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00", chairId })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"/api/speakers/{chairId}")).StatusCode);
        var detail = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/events/{slug}");
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("sessions")[0].GetProperty("chair").ValueKind);
        await (await editor.GetAsync($"/api/speakers/{chairId}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}

public sealed class SessionsAndSpeakersOnSqlite(SqliteApp app) : SessionsAndSpeakersApiTests(app), IClassFixture<SqliteApp>;

public sealed class SessionsAndSpeakersOnPostgres(PostgresApp app) : SessionsAndSpeakersApiTests(app), IClassFixture<PostgresApp>;
