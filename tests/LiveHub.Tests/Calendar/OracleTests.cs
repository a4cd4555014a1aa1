using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using static LiveHub.Tests.Calendar.CalendarTestHelpers;

namespace LiveHub.Tests.Calendar;

/// <summary>
/// Runs generated feeds through ical.js 2.2.1 and node-ical 0.26.1 (tests/oracles) and Ical.Net 5.2.4, and compares
/// UIDs, instants, SUMMARY, STATUS and SEQUENCE with what the API says. Needs `npm ci --prefix tests/oracles` (scripts/test.sh
/// runs it); without it the test fails, it does not skip.
/// </summary>
public abstract class OracleTests(LiveHubApp app)
{
    [Fact]
    public async Task Feeds_parse_in_icaljs_node_ical_and_ical_net_with_the_apis_instants()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var tag = Slug("oracle");
        // Zones on both hemispheres, events across DST changes, a session, a cancelled and a postponed event.
        var events = new[]
        {
            Event(Slug("london"), "2030-03-30T18:00", "2030-03-31T12:00", "Europe/London", [tag], onlineUrl: "https://meet.example.com/j/1?pwd=a;b,c"),
            Event(Slug("newyork"), "2030-11-02T20:00", "2030-11-03T10:00", "America/New_York", [tag]),
            Event(Slug("sydney"), "2030-04-06T09:00", "2030-04-07T17:00", "Australia/Sydney", [tag], status: "postponed"),
            Event(Slug("tokyo"), "2030-07-01T09:00", "2030-07-01T18:00", "Asia/Tokyo", [tag], status: "cancelled"),
            Event(Slug("kolkata"), "2031-01-15T10:00", "2031-01-15T16:30", "Asia/Kolkata", [tag]),
        };
        var created = new List<JsonElement>();
        foreach (var e in events)
        {
            created.Add(await CreateEventAsync(editor, e));
        }

        await CreateSessionAsync(editor, created[0].GetProperty("slug").GetString()!, Session("Late session, with; punctuation \\ and 🦀", "2030-03-31T09:00", "2030-03-31T10:00"));
        // Deleted within the grace period, later: an event (with a session) and a session of a kept event.
        var deletedEvent = await CreateEventAsync(editor, Event(Slug("deleted"), "2030-08-01T09:00", "2030-08-01T17:00", "Europe/Paris", [tag]));
        created.Add(deletedEvent);
        var deletedEventSession = await CreateSessionAsync(editor, deletedEvent.GetProperty("slug").GetString()!, Session("Session of a deleted event", "2030-08-01T10:00", "2030-08-01T11:00"));
        var deletedSession = await CreateSessionAsync(editor, created[1].GetProperty("slug").GetString()!, Session("Dropped session", "2030-11-03T08:00", "2030-11-03T09:00"));

        var expected = new Dictionary<string, (DateTimeOffset Start, DateTimeOffset End, string Status, int Sequence)>();
        foreach (var e in created)
        {
            var detail = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/events/{e.GetProperty("slug").GetString()}");
            var status = detail.GetProperty("status").GetString() switch { "cancelled" => "CANCELLED", "postponed" => "TENTATIVE", _ => "CONFIRMED" };
            expected[detail.GetProperty("id").GetString()!] = (Start(detail), End(detail), status, detail.GetProperty("revision").GetInt32());
            foreach (var s in detail.GetProperty("sessions").EnumerateArray())
            {
                expected[s.GetProperty("id").GetString()!] = (Start(s), End(s), status, s.GetProperty("revision").GetInt32() + detail.GetProperty("revision").GetInt32());
            }
        }

        (await editor.DeleteAsync($"/api/events/{created[1].GetProperty("slug").GetString()}/sessions/{deletedSession.GetProperty("id").GetString()}")).EnsureSuccessStatusCode();
        (await editor.DeleteAsync($"/api/events/{deletedEvent.GetProperty("slug").GetString()}")).EnsureSuccessStatusCode();
        foreach (var uid in new[] { deletedSession, deletedEvent, deletedEventSession }.Select(x => x.GetProperty("id").GetString()!))
        {
            // Same UID, cancelled, and a SEQUENCE one higher than the last the clients saw.
            expected[uid] = expected[uid] with { Status = "CANCELLED", Sequence = expected[uid].Sequence + 1 };
        }

        var feed = await app.AnonymousClient().GetByteArrayAsync($"/calendar/tags/{tag}.ics");
        var result = RunOracle(feed);
        foreach (var parser in new[] { "icaljs", "nodeical" })
        {
            var parsed = result.GetProperty(parser).EnumerateArray().ToDictionary(x => x.GetProperty("uid").GetString()!);
            Assert.True(expected.Keys.Order().SequenceEqual(parsed.Keys.Order()), $"{parser} UIDs: {string.Join(", ", parsed.Keys)}");
            foreach (var (uid, want) in expected)
            {
                var got = parsed[uid];
                Assert.True(want.Start == got.GetProperty("start").GetDateTimeOffset(), $"{parser} {uid} start {got.GetProperty("start")} != {want.Start:O}");
                Assert.True(want.End == got.GetProperty("end").GetDateTimeOffset(), $"{parser} {uid} end {got.GetProperty("end")} != {want.End:O}");
                Assert.Equal(want.Status, got.GetProperty("status").GetString());
                Assert.Equal(want.Sequence, got.GetProperty("sequence").GetInt32());
                Assert.NotNull(got.GetProperty("tzid").GetString());
            }
        }

        var icalNet = IcalNetPeer.Read(feed).ToDictionary(x => x.Uid);
        Assert.True(expected.Keys.Order().SequenceEqual(icalNet.Keys.Order()), $"Ical.Net UIDs: {string.Join(", ", icalNet.Keys)}");
        foreach (var (uid, want) in expected)
        {
            var got = icalNet[uid];
            Assert.True(want.Start == got.Start && want.End == got.End, $"Ical.Net {uid}: {got.Start:O}–{got.End:O} != {want.Start:O}–{want.End:O}");
            Assert.Equal(want.Status, got.Status);
            Assert.Equal(want.Sequence, got.Sequence);
        }

        Assert.Contains(icalNet.Values, x => x.Summary!.StartsWith("Late session, with; punctuation \\ and 🦀 — ", StringComparison.Ordinal));

        var icaljs = result.GetProperty("icaljs").EnumerateArray().ToList();
        Assert.Contains(icaljs, x => x.GetProperty("summary").GetString()!.StartsWith("Late session, with; punctuation \\ and 🦀 — ", StringComparison.Ordinal));
        Assert.Contains(icaljs, x => x.GetProperty("summary").GetString()!.StartsWith("Cancelled: Event tokyo-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_personal_agenda_feed_parses_in_every_client_with_the_apis_instants_and_its_cancellations()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var london = Slug("agenda-london");
        var denver = Slug("agenda-denver");
        await CreateEventAsync(editor, Event(london, "2030-10-26T09:00", "2030-10-27T18:00", "Europe/London"));
        await CreateEventAsync(editor, Event(denver, "2030-11-02T09:00", "2030-11-03T18:00", "America/Denver"));
        var picked = new List<(string Slug, JsonElement Session)>
        {
            (london, await CreateSessionAsync(editor, london, Session("Across the clock change", "2030-10-27T00:30", "2030-10-27T02:30"))),
            (london, await CreateSessionAsync(editor, london, Session("Called off", "2030-10-27T10:00", "2030-10-27T11:00", status: "cancelled"))),
            (denver, await CreateSessionAsync(editor, denver, Session("Mountain time; with, punctuation", "2030-11-03T01:00", "2030-11-03T03:00"))),
            (denver, await CreateSessionAsync(editor, denver, Session("Deleted later", "2030-11-03T10:00", "2030-11-03T11:00"))),
        };
        var notPicked = await CreateSessionAsync(editor, london, Session("Not in the agenda", "2030-10-27T12:00", "2030-10-27T13:00"));
        var agenda = await editor.PostAsJsonAsync("/api/agendas", new { sessionIds = picked.Select(p => p.Session.GetProperty("id").GetString()) });
        Assert.True(agenda.IsSuccessStatusCode, await agenda.Content.ReadAsStringAsync());
        var feedUrl = new Uri((await agenda.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedUrl").GetString()!).AbsolutePath;

        var expected = new Dictionary<string, (DateTimeOffset Start, DateTimeOffset End, string Status, int Sequence)>();
        foreach (var (slug, session) in picked)
        {
            var detail = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/events/{slug}");
            var s = detail.GetProperty("sessions").EnumerateArray().Single(x => x.GetProperty("id").GetString() == session.GetProperty("id").GetString());
            expected[s.GetProperty("id").GetString()!] = (Start(s), End(s), s.GetProperty("status").GetString() == "cancelled" ? "CANCELLED" : "CONFIRMED",
                s.GetProperty("revision").GetInt32() + detail.GetProperty("revision").GetInt32());
        }

        var deleted = picked[3].Session.GetProperty("id").GetString()!;
        (await editor.DeleteAsync($"/api/events/{denver}/sessions/{deleted}")).EnsureSuccessStatusCode();
        expected[deleted] = expected[deleted] with { Status = "CANCELLED", Sequence = expected[deleted].Sequence + 1 };

        var feed = await app.AnonymousClient().GetByteArrayAsync(feedUrl);
        var result = RunOracle(feed);
        foreach (var parser in new[] { "icaljs", "nodeical" })
        {
            var parsed = result.GetProperty(parser).EnumerateArray().ToDictionary(x => x.GetProperty("uid").GetString()!);
            Assert.True(expected.Keys.Order().SequenceEqual(parsed.Keys.Order()), $"{parser} UIDs: {string.Join(", ", parsed.Keys)}");
            Assert.DoesNotContain(notPicked.GetProperty("id").GetString()!, parsed.Keys);
            foreach (var (uid, want) in expected)
            {
                var got = parsed[uid];
                Assert.True(want.Start == got.GetProperty("start").GetDateTimeOffset(), $"{parser} {uid} start {got.GetProperty("start")} != {want.Start:O}");
                Assert.True(want.End == got.GetProperty("end").GetDateTimeOffset(), $"{parser} {uid} end {got.GetProperty("end")} != {want.End:O}");
                Assert.Equal(want.Status, got.GetProperty("status").GetString());
                Assert.Equal(want.Sequence, got.GetProperty("sequence").GetInt32());
            }
        }

        var icalNet = IcalNetPeer.Read(feed).ToDictionary(x => x.Uid);
        Assert.True(expected.Keys.Order().SequenceEqual(icalNet.Keys.Order()), $"Ical.Net UIDs: {string.Join(", ", icalNet.Keys)}");
        foreach (var (uid, want) in expected)
        {
            var got = icalNet[uid];
            Assert.True(want.Start == got.Start && want.End == got.End, $"Ical.Net {uid}: {got.Start:O}–{got.End:O} != {want.Start:O}–{want.End:O}");
            Assert.Equal(want.Status, got.Status);
            Assert.Equal(want.Sequence, got.Sequence);
        }
    }

    private static DateTimeOffset Start(JsonElement item) => item.GetProperty("when").GetProperty("startsAt").GetDateTimeOffset();

    private static DateTimeOffset End(JsonElement item) => item.GetProperty("when").GetProperty("endsAt").GetDateTimeOffset();

    internal static JsonElement RunOracle(byte[] ics)
    {
        var oracles = Path.Combine(RepositoryRoot(), "tests", "oracles");
        Assert.True(Directory.Exists(Path.Combine(oracles, "node_modules", "ical.js")) && Directory.Exists(Path.Combine(oracles, "node_modules", "node-ical")),
            $"The iCalendar oracles are not installed: run `npm ci --prefix tests/oracles` (scripts/test.sh does) in {RepositoryRoot()}.");
        var file = Path.Combine(Path.GetTempPath(), $"livehub-oracle-{Guid.NewGuid():N}.ics");
        File.WriteAllBytes(file, ics);
        try
        {
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = oracles };
            start.ArgumentList.Add(Path.Combine(oracles, "parse.mjs"));
            start.ArgumentList.Add(file);
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"Node.js is needed for the iCalendar oracle tests and could not be started: {ex.Message}");
            }

            using (process)
            {
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                Assert.True(process.WaitForExit(60_000), "node parse.mjs did not finish within 60 s.");
                Assert.True(process.ExitCode == 0, $"The oracles rejected the feed: {stderr.Result}");
                return JsonDocument.Parse(stdout.Result).RootElement.Clone();
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LiveHub.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LiveHub.sln not found above " + AppContext.BaseDirectory);
    }
}

public sealed class OracleOnSqlite(CalendarSqliteApp app) : OracleTests(app), IClassFixture<CalendarSqliteApp>;

public sealed class OracleOnPostgres(CalendarPostgresApp app) : OracleTests(app), IClassFixture<CalendarPostgresApp>;
