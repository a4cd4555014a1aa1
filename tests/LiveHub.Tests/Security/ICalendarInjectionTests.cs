using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using ICal = LiveHub.ICalendar;

namespace LiveHub.Tests.Security;

/// <summary>
/// Line breaks and iCalendar syntax in every field that reaches a feed. The served feeds must never contain a line
/// that staff text started: checked on the raw bytes (<see cref="IcsStructure"/>) and through the strict reader,
/// which must give back exactly the text that was entered.
/// </summary>
public abstract class ICalendarInjectionTests(LiveHubApp app)
{
    private const string Tag = "ics-injection";

    /// <summary>Each is put into every field; a feed built by string concatenation would start new lines with them.</summary>
    public static readonly IReadOnlyList<string> Breakers =
    [
        "a\r\nBEGIN:VEVENT\r\nUID:injected@evil.example\r\nSUMMARY:Injected\r\nEND:VEVENT\r\nb",
        "a\nATTENDEE;CN=Evil;RSVP=TRUE:mailto:evil@example.org\nb",
        "a\rX-INJECTED:lone carriage return\rb",
        "a\r\n continuation-looking text\r\n\tand a tab-folded one b",
        "a\r\nEND:VEVENT\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nb",
        "DESCRIPTION;LANGUAGE=en:property-looking; text, with: separators \\ \\n \\, \\; \"quotes\" ^ carets",
        string.Concat(Enumerable.Repeat("é€😀x", 20)) + "\r\n" + string.Concat(Enumerable.Repeat("日本語", 10)),
    ];

    private static string Long(string seed, int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            text.Append(seed).Append("\r\n").Append(string.Concat(Enumerable.Repeat("é€😀x", 30)));
        }

        return text.ToString(0, length - (char.IsHighSurrogate(text[length - 1]) ? 1 : 0));
    }

    private static string? WithoutControls(string value) =>
        new string([.. value.Where(c => !char.IsControl(c))]).Trim() is { Length: > 0 } cleaned ? cleaned : null;

    private static string Newlines(string value) => value.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    /// <summary>A single-line field: refused with a problem naming it, or stored without any control character.</summary>
    private static async Task<JsonElement?> SendSingleLineAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            await response.AssertProblemAsync(HttpStatusCode.BadRequest, field);
            return null;
        }

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task Line_breaks_and_ical_syntax_in_any_field_never_start_a_line_of_their_own()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var anonymous = app.AnonymousClient();
        var checkedEvents = 0;
        for (var i = 0; i < Breakers.Count; i++)
        {
            var breaker = Breakers[i];
            var speaker = await SendSingleLineAsync(await editor.PostAsJsonAsync("/api/speakers", new { name = "S " + breaker[..Math.Min(breaker.Length, 190)] }), "name");
            var chair = await SendSingleLineAsync(await editor.PostAsJsonAsync("/api/speakers", new { name = "C " + breaker[..Math.Min(breaker.Length, 190)] }), "name");
            Assert.NotNull(speaker);
            Assert.NotNull(chair);
            Assert.Equal(WithoutControls("S " + breaker[..Math.Min(breaker.Length, 190)]), speaker.Value.GetProperty("name").GetString());

            var slug = $"inject-{i}-{Guid.NewGuid().ToString("N")[..8]}";
            var title = "T " + breaker[..Math.Min(breaker.Length, 190)];
            var description = "D " + breaker + (i == Breakers.Count - 1 ? Long(breaker, 19_000) : "") + " end";
            var created = await SendSingleLineAsync(await editor.PostAsJsonAsync("/api/events", new
            {
                slug,
                title,
                summary = "Σ " + breaker,
                description,
                startsAt = "2030-06-01T09:00",
                endsAt = "2030-06-01T17:00",
                timeZone = "Europe/London",
                venue = new { name = "V " + breaker[..Math.Min(breaker.Length, 190)], address = "A " + breaker },
                onlineUrl = "https://meet.example.org/j/1?x=a\r\nATTENDEE:mailto:evil@example.org;b=c,d",
                tags = new[] { Tag },
                isPublished = true,
            }), "title");
            Assert.NotNull(created);
            var e = created.Value;
            Assert.Equal(WithoutControls(title), e.GetProperty("title").GetString());
            Assert.Equal(Newlines(description), e.GetProperty("description").GetString());

            // A tag is refused outright: it is a CATEGORIES value and part of a feed URL.
            await (await editor.PutAsJsonAsync($"/api/events/{slug}", new
            {
                title, startsAt = "2030-06-01T09:00", endsAt = "2030-06-01T17:00", timeZone = "Europe/London", venue = new { name = "V" },
                tags = new[] { "ok\r\nBEGIN:VEVENT" }, isPublished = true,
            })).AssertProblemAsync(HttpStatusCode.BadRequest, "tags[0]");

            var sessionDescription = "SD " + breaker + " end";
            var session = await SendSingleLineAsync(await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new
            {
                title = "ST " + breaker[..Math.Min(breaker.Length, 190)],
                description = sessionDescription,
                startsAt = "2030-06-01T10:00",
                endsAt = "2030-06-01T11:00",
                room = "R " + breaker[..Math.Min(breaker.Length, 90)],
                track = "K " + breaker[..Math.Min(breaker.Length, 90)],
                chairId = chair.Value.GetProperty("id").GetGuid(),
                speakerIds = new[] { speaker.Value.GetProperty("id").GetGuid() },
            }), "title");
            Assert.NotNull(session);
            var s = session.Value;
            Assert.Equal(Newlines(sessionDescription), s.GetProperty("description").GetString());
            foreach (var field in new[] { "title", "room", "track" })
            {
                Assert.DoesNotContain(s.GetProperty(field).GetString()!, char.IsControl);
            }

            var eventTitle = e.GetProperty("title").GetString()!;
            var sessionTitle = s.GetProperty("title").GetString()!;
            var eventFeed = await FeedAsync(anonymous, $"/events/{slug}.ics", 2);
            Assert.Equal(eventTitle, eventFeed.Name);
            var vevent = eventFeed.Events.Single(x => x.Uid == e.GetProperty("id").GetString());
            Assert.Equal(eventTitle, vevent.Summary);
            Assert.Contains(Newlines(description), vevent.Description, StringComparison.Ordinal);
            Assert.Contains(e.GetProperty("summary").GetString()!, vevent.Description, StringComparison.Ordinal);
            Assert.Equal($"{e.GetProperty("venue").GetProperty("name").GetString()}, {e.GetProperty("venue").GetProperty("address").GetString()}", vevent.Location);
            Assert.Equal(e.GetProperty("onlineUrl").GetString(), Assert.Single(vevent.Conferences).Uri);
            Assert.Equal([Tag], vevent.Categories);

            var sessionEvent = eventFeed.Events.Single(x => x.Uid == s.GetProperty("id").GetString());
            Assert.Equal($"{sessionTitle} — {eventTitle}", sessionEvent.Summary);
            Assert.Contains(Newlines(sessionDescription), sessionEvent.Description, StringComparison.Ordinal);
            Assert.Contains($"Room: {s.GetProperty("room").GetString()}", sessionEvent.Description, StringComparison.Ordinal);
            Assert.Contains($"Track: {s.GetProperty("track").GetString()}", sessionEvent.Description, StringComparison.Ordinal);
            Assert.Contains($"Chair: {chair.Value.GetProperty("name").GetString()}", sessionEvent.Description, StringComparison.Ordinal);
            Assert.Contains($"With {speaker.Value.GetProperty("name").GetString()}", sessionEvent.Description, StringComparison.Ordinal);
            Assert.StartsWith($"{s.GetProperty("room").GetString()}, ", sessionEvent.Location, StringComparison.Ordinal);
            Assert.Equal(2, sessionEvent.Categories.Count);

            var sessionFeed = await FeedAsync(anonymous, $"/events/{slug}/sessions/{s.GetProperty("id").GetString()}.ics", 1);
            Assert.Equal($"{sessionTitle} — {eventTitle}", sessionFeed.Name);
            Assert.Equal(sessionEvent.Description, sessionFeed.Events.Single().Description);
            checkedEvents++;
        }

        var importedSlug = await ImportAsync(editor);
        var imported = (await FeedAsync(anonymous, $"/events/{importedSlug}.ics", 1)).Events.Single();
        // Single-line fields lose the decoded line breaks; the description keeps them, escaped again on the way out.
        Assert.Equal("ImportedBEGIN:VEVENTSUMMARY:Injected", imported.Summary);
        Assert.StartsWith("First\nBEGIN:VEVENT\nUID:evil@example.org\nEND:VEVENT\nlast; a, b\\ c\n", imported.Description, StringComparison.Ordinal);
        Assert.Equal("HallATTENDEE:mailto:evil@example.org, Street 1", imported.Location);

        // Every published event and session, once each, in the whole-site and tag feeds.
        var expected = 0;
        foreach (var item in (await anonymous.GetFromJsonAsync<JsonElement>("/api/events?pageSize=100")).GetProperty("items").EnumerateArray())
        {
            var detail = await anonymous.GetFromJsonAsync<JsonElement>($"/api/events/{item.GetProperty("slug").GetString()}");
            expected += 1 + detail.GetProperty("sessions").GetArrayLength();
        }

        Assert.Equal(checkedEvents * 2 + 1, expected);
        await FeedAsync(anonymous, "/calendar.ics", expected);
        await FeedAsync(anonymous, $"/calendar/tags/{Tag}.ics", checkedEvents * 2);
    }

    /// <summary>An imported calendar whose escaped text decodes to line breaks and property-looking lines.</summary>
    private static async Task<string> ImportAsync(HttpClient editor)
    {
        var ics = string.Join("\r\n",
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Hostile//Injection//EN",
            "BEGIN:VEVENT",
            $"UID:inject-{Guid.NewGuid():N}@example.org",
            "DTSTAMP:20300101T000000Z",
            "DTSTART:20300701T090000Z",
            "DTEND:20300701T170000Z",
            "SUMMARY:Imported\\nBEGIN:VEVENT\\nSUMMARY:Injected",
            "DESCRIPTION:First\\nBEGIN:VEVENT\\nUID:evil@example.org\\N",
            " END:VEVENT\\nlast\\; a\\, b\\\\ c",
            "LOCATION:Hall\\nATTENDEE:mailto:evil@example.org\\, Street 1",
            "END:VEVENT",
            "END:VCALENDAR",
            "");
        var content = Convert.ToBase64String(Encoding.UTF8.GetBytes(ics));
        var preview = await editor.PostAsJsonAsync("/api/import/preview", new { fileName = "inject.ics", content, publish = true });
        var previewBody = await preview.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(preview.IsSuccessStatusCode, previewBody.ToString());
        var confirm = await editor.PostAsJsonAsync("/api/import/confirm", new { fileName = "inject.ics", content, publish = true, expectedSha256 = previewBody.GetProperty("sha256").GetString() });
        var confirmed = await confirm.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(confirm.IsSuccessStatusCode, confirmed.ToString());
        Assert.Equal(1, confirmed.GetProperty("created").GetInt32());
        return confirmed.GetProperty("items")[0].GetProperty("slug").GetString()!;
    }

    private static async Task<ICal.Calendar> FeedAsync(HttpClient client, string url, int expectedEvents)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return IcsStructure.AssertWellFormed(await response.Content.ReadAsByteArrayAsync(), url, expectedEvents);
    }
}

public sealed class ICalendarInjectionOnSqlite(SqliteApp app) : ICalendarInjectionTests(app), IClassFixture<SqliteApp>;

public sealed class ICalendarInjectionOnPostgres(PostgresApp app) : ICalendarInjectionTests(app), IClassFixture<PostgresApp>;
