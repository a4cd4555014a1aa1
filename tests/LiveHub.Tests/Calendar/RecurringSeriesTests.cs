using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.Events;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LiveHub.Tests.Calendar.CalendarTestHelpers;

namespace LiveHub.Tests.Calendar;

/// <summary>
/// A recurring event stays one series through the API, import, feeds and pages: RRULE, EXDATE and overrides
/// (RECURRENCE-ID) survive, edits bump SEQUENCE, and the dates ical.js and Ical.Net expand from the feed are ours.
/// </summary>
public abstract class RecurringSeriesTests(LiveHubApp app)
{
    // Second Tuesday of each month, 14:00–15:00 London time; 2030-01-08 is the second Tuesday of January 2030.
    private const string Rule = "FREQ=MONTHLY;BYDAY=2TU;COUNT=8";

    private static object Webinar(string slug) => new
    {
        slug,
        title = $"Webinar {slug}",
        summary = "Monthly research webinar.",
        startsAt = "2030-01-08T14:00",
        endsAt = "2030-01-08T15:00",
        timeZone = "Europe/London",
        onlineUrl = "https://meet.example.com/j/77",
        status = "scheduled",
        tags = new[] { "webinar" },
        isPublished = true,
    };

    private static object Series(string? title = "Special edition") => new
    {
        rule = Rule,
        // April is in summer time: the skipped date is still 14:00 London.
        exceptions = new[] { "2030-04-09T14:00" },
        overrides = new object[]
        {
            new { originalStart = "2030-05-14T14:00", startsAt = "2030-05-15T16:00", endsAt = "2030-05-15T17:30", title },
            new { originalStart = "2030-06-11T14:00", status = "cancelled" },
        },
    };

    private async Task<(HttpClient Editor, string Slug, JsonElement Detail)> CreateSeriesAsync(string name)
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug(name);
        await CreateEventAsync(editor, Webinar(slug));
        var response = await editor.PutAsJsonAsync($"/api/events/{slug}/series", Series());
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (editor, slug, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task The_feed_carries_one_series_with_rrule_exdate_and_overrides_and_edits_bump_its_sequence()
    {
        var (editor, slug, detail) = await CreateSeriesAsync("series-feed");
        var uid = detail.GetProperty("id").GetString()!;
        var series = detail.GetProperty("series");
        Assert.Equal(Rule, series.GetProperty("rule").GetString());
        Assert.Equal(new DateTimeOffset(2030, 4, 9, 14, 0, 0, TimeSpan.FromHours(1)), series.GetProperty("exceptions")[0].GetDateTimeOffset());
        Assert.Equal(2, series.GetProperty("overrides").GetArrayLength());
        var revision = detail.GetProperty("revision").GetInt32();

        var text = await app.AnonymousClient().GetStringAsync($"/events/{slug}.ics");
        var lines = Unfold(text);
        Assert.Equal(3, lines.Count(l => l == $"UID:{uid}"));
        var master = VEvent(text, uid);
        Assert.Equal("RRULE:" + Rule, master.Single(l => l.StartsWith("RRULE", StringComparison.Ordinal)));
        Assert.Contains("DTSTART;TZID=Europe/London:20300108T140000", master);
        // EXDATE in DTSTART's form (TZID and wall time), as Outlook and Google need to match it.
        Assert.Contains("EXDATE;TZID=Europe/London:20300409T140000", master);
        Assert.DoesNotContain(master, l => l.StartsWith("RECURRENCE-ID", StringComparison.Ordinal));
        var overrides = Overrides(lines);
        Assert.Equal(2, overrides.Count);
        var moved = overrides.Single(o => o.Contains("RECURRENCE-ID;TZID=Europe/London:20300514T140000"));
        Assert.Contains("DTSTART;TZID=Europe/London:20300515T160000", moved);
        Assert.Contains("SUMMARY:Special edition", moved);
        var cancelled = overrides.Single(o => o.Contains("RECURRENCE-ID;TZID=Europe/London:20300611T140000"));
        Assert.Contains("STATUS:CANCELLED", cancelled);
        Assert.Contains($"SUMMARY:Cancelled: Webinar {slug}", cancelled);
        Assert.All(overrides.Append(master), v => Assert.Contains($"SEQUENCE:{revision}", v));

        // An edit of one changed date is a change to the series: every VEVENT of the UID gets the higher SEQUENCE.
        var edited = await editor.PutAsJsonAsync($"/api/events/{slug}/series", Series("Special edition, with guests"));
        Assert.True(edited.IsSuccessStatusCode, await edited.Content.ReadAsStringAsync());
        var newRevision = (await edited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt32();
        Assert.True(newRevision > revision, $"revision {newRevision} after {revision}");
        var again = Unfold(await app.AnonymousClient().GetStringAsync($"/events/{slug}.ics"));
        Assert.Equal(3, again.Count(l => l == $"SEQUENCE:{newRevision}"));
        Assert.Contains("SUMMARY:Special edition\\, with guests", again);

        // The same request again changes nothing, so subscribers see no new SEQUENCE.
        var same = await editor.PutAsJsonAsync($"/api/events/{slug}/series", Series("Special edition, with guests"));
        Assert.Equal(newRevision, (await same.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt32());

        // Making it a one-off again removes RRULE, EXDATE and the overrides, with a higher SEQUENCE.
        var removed = await editor.DeleteAsync($"/api/events/{slug}/series");
        Assert.True(removed.IsSuccessStatusCode, await removed.Content.ReadAsStringAsync());
        var oneOffText = await app.AnonymousClient().GetStringAsync($"/events/{slug}.ics");
        Assert.Single(Unfold(oneOffText), l => l == $"UID:{uid}");
        var oneOff = VEvent(oneOffText, uid);
        Assert.DoesNotContain(oneOff, l => l.StartsWith("RRULE", StringComparison.Ordinal) || l.StartsWith("EXDATE", StringComparison.Ordinal));
        Assert.Contains($"SEQUENCE:{newRevision + 1}", oneOff);
    }

    [Fact]
    public async Task The_dates_ical_js_and_ical_net_expand_from_the_feed_are_the_dates_livehub_shows()
    {
        var (_, slug, detail) = await CreateSeriesAsync("series-oracle");
        var uid = detail.GetProperty("id").GetString()!;
        var feed = await app.AnonymousClient().GetByteArrayAsync($"/events/{slug}.ics");

        IReadOnlyList<SeriesDate> ours = [];
        await app.WithDbAsync(async db =>
        {
            var e = await db.Events.AsNoTracking().SingleAsync(x => x.Slug == slug);
            ours = SeriesSchedule.Dates(e, DateTime.MinValue, SeriesSchedule.Forever);
        });
        // 8 dates, one skipped; May moved to Wednesday; June cancelled but still listed.
        Assert.Equal(7, ours.Count);
        Assert.Contains(ours, d => d.StartsAtUtc == new DateTime(2030, 5, 15, 15, 0, 0, DateTimeKind.Utc) && d.Title == "Special edition");
        Assert.Contains(ours, d => d.OriginalStartUtc == new DateTime(2030, 6, 11, 13, 0, 0, DateTimeKind.Utc) && d.Status == EventStatus.Cancelled);
        Assert.DoesNotContain(ours, d => d.OriginalStartUtc == new DateTime(2030, 4, 9, 13, 0, 0, DateTimeKind.Utc));
        var expected = ours.Select(d => (Start: Utc(d.StartsAtUtc), End: Utc(d.EndsAtUtc), Cancelled: d.Status == EventStatus.Cancelled)).Order().ToList();

        var icaljs = OracleTests.RunOracle(feed).GetProperty("icaljsOccurrences").EnumerateArray()
            .Where(o => o.GetProperty("uid").GetString() == uid)
            .Select(o => (Start: o.GetProperty("start").GetDateTimeOffset(), End: o.GetProperty("end").GetDateTimeOffset(), Cancelled: o.GetProperty("status").GetString() == "CANCELLED"))
            .Order().ToList();
        Assert.Equal(expected, icaljs);

        var calendar = Ical.Net.Calendar.Load(Encoding.UTF8.GetString(feed))!;
        var icalNet = calendar.GetOccurrences<Ical.Net.CalendarComponents.CalendarEvent>()
            .Where(o => ((Ical.Net.CalendarComponents.CalendarEvent)o.Source).Uid == uid)
            .Select(o => (
                Start: Utc(o.Period.StartTime.AsUtc),
                End: Utc(o.Period.EffectiveEndTime!.AsUtc),
                Cancelled: ((Ical.Net.CalendarComponents.CalendarEvent)o.Source).Status == "CANCELLED"))
            .Order().ToList();
        Assert.Equal(expected, icalNet);
    }

    [Fact]
    public async Task An_imported_series_stays_one_series_and_its_feed_expands_to_the_files_dates()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var prefix = Slug("series-import");
        var source = $"""
            BEGIN:VCALENDAR
            VERSION:2.0
            PRODID:-//Example//Research Hub//EN
            BEGIN:VTIMEZONE
            TZID:Europe/London
            BEGIN:DAYLIGHT
            TZOFFSETFROM:+0000
            TZOFFSETTO:+0100
            TZNAME:BST
            DTSTART:19810329T010000
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
            END:DAYLIGHT
            BEGIN:STANDARD
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0000
            TZNAME:GMT
            DTSTART:19961027T020000
            RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
            END:STANDARD
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:{prefix}@example.com
            DTSTAMP:20300101T000000Z
            SEQUENCE:2
            DTSTART;TZID=Europe/London:20300305T110000
            DTEND;TZID=Europe/London:20300305T120000
            RRULE:FREQ=WEEKLY;UNTIL=20300409T100000Z
            EXDATE;TZID=Europe/London:20300319T110000
            SUMMARY:{prefix} weekly seminar
            LOCATION:Online
            CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO:https://meet.example.com/j/9
            END:VEVENT
            BEGIN:VEVENT
            UID:{prefix}@example.com
            DTSTAMP:20300101T000000Z
            SEQUENCE:2
            RECURRENCE-ID;TZID=Europe/London:20300402T110000
            DTSTART;TZID=Europe/London:20300402T150000
            DTEND;TZID=Europe/London:20300402T163000
            SUMMARY:{prefix} weekly seminar (afternoon)
            END:VEVENT
            BEGIN:VEVENT
            UID:{prefix}@example.com
            DTSTAMP:20300101T000000Z
            SEQUENCE:2
            RECURRENCE-ID;TZID=Europe/London:20300326T110000
            DTSTART;TZID=Europe/London:20300326T110000
            DTEND;TZID=Europe/London:20300326T120000
            STATUS:CANCELLED
            SUMMARY:Cancelled: {prefix} weekly seminar
            END:VEVENT
            END:VCALENDAR
            """.ReplaceLineEndings("\r\n");
        var upload = new { fileName = "series.ics", content = Convert.ToBase64String(Encoding.UTF8.GetBytes(source)), publish = true };
        var response = await editor.PostAsJsonAsync("/api/import/confirm", upload);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var item = Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("create", item.GetProperty("action").GetString());
        var slug = item.GetProperty("slug").GetString()!;

        var detail = await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}");
        var series = detail.GetProperty("series");
        Assert.StartsWith("FREQ=WEEKLY;UNTIL=20300409T100000Z", series.GetProperty("rule").GetString());
        Assert.Equal(1, series.GetProperty("exceptions").GetArrayLength());
        Assert.Equal(2, series.GetProperty("overrides").GetArrayLength());
        await app.WithDbAsync(async db => Assert.Equal(1, await db.Events.CountAsync(e => e.SourceUid!.StartsWith(prefix))));

        // The dates of our feed are the dates of the file, both as ical.js expands them.
        var feed = await app.AnonymousClient().GetByteArrayAsync($"/events/{slug}.ics");
        var ours = Dates(OracleTests.RunOracle(feed), detail.GetProperty("id").GetString()!);
        var theirs = Dates(OracleTests.RunOracle(Encoding.UTF8.GetBytes(source)), $"{prefix}@example.com");
        Assert.Equal(5, theirs.Count);
        Assert.Equal(theirs, ours);

        // Re-importing the same file changes nothing.
        var again = await editor.PostAsJsonAsync("/api/import/confirm", upload);
        var item2 = Assert.Single((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
        Assert.Equal("skip", item2.GetProperty("action").GetString());

        static List<(DateTimeOffset, DateTimeOffset, string)> Dates(JsonElement oracle, string uid) =>
            [.. oracle.GetProperty("icaljsOccurrences").EnumerateArray().Where(o => o.GetProperty("uid").GetString() == uid)
                // No STATUS means confirmed (RFC 5545 §3.8.1.11 gives no default, and clients read it so).
                .Select(o => (o.GetProperty("start").GetDateTimeOffset(), o.GetProperty("end").GetDateTimeOffset(), o.GetProperty("status").GetString() ?? "CONFIRMED"))
                .Order()];
    }

    [Theory]
    [InlineData("FREQ=FORTNIGHTLY", "rule")]
    [InlineData("FREQ=WEEKLY;COUNT=5;UNTIL=20301231T000000Z", "rule")]
    [InlineData("FREQ=DAILY;COUNT=5000", "rule")]
    [InlineData("FREQ=HOURLY;COUNT=5", "rule")]
    [InlineData("", "rule")]
    public async Task A_bad_rule_is_a_problem_naming_the_rule(string rule, string field)
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("series-bad");
        await CreateEventAsync(editor, Webinar(slug));
        var problem = await (await editor.PutAsJsonAsync($"/api/events/{slug}/series", new { rule })).AssertProblemAsync(HttpStatusCode.BadRequest, field);
        if (rule.Contains("COUNT=5;UNTIL", StringComparison.Ordinal))
        {
            Assert.Contains("COUNT and UNTIL", problem.GetProperty("errors").GetProperty("rule")[0].GetString());
        }

        if (rule.Contains("5000", StringComparison.Ordinal))
        {
            Assert.Contains("too many dates", problem.GetProperty("errors").GetProperty("rule")[0].GetString());
        }

        var detail = await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}");
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("series").ValueKind);
    }

    [Fact]
    public async Task An_override_or_exception_for_a_date_not_in_the_series_is_a_problem_naming_it()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("series-dates");
        await CreateEventAsync(editor, Webinar(slug));
        var response = await editor.PutAsJsonAsync($"/api/events/{slug}/series", new
        {
            rule = Rule,
            exceptions = new[] { "2030-04-09T14:00", "2030-04-10T14:00" },
            overrides = new object[]
            {
                new { originalStart = "2030-05-14T15:00", title = "Wrong hour" },
                new { originalStart = "2030-06-11T14:00", startsAt = "2030-06-11T16:00", endsAt = "2030-06-11T15:00" },
                new { originalStart = "2031-01-14T14:00" },
            },
        });
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "exceptions[1]");
        var errors = problem.GetProperty("errors");
        Assert.False(errors.TryGetProperty("exceptions[0]", out _));
        Assert.Contains("not a date of the series", errors.GetProperty("overrides[0].originalStart")[0].GetString());
        Assert.True(errors.TryGetProperty("overrides[1].endsAt", out _));
        // COUNT=8 ends in August 2030.
        Assert.True(errors.TryGetProperty("overrides[2].originalStart", out _));

        // Moving the event so that the series' dates no longer hold is refused too.
        (await editor.PutAsJsonAsync($"/api/events/{slug}/series", Series())).EnsureSuccessStatusCode();
        var moved = await editor.PutAsJsonAsync($"/api/events/{slug}", new
        {
            slug,
            title = $"Webinar {slug}",
            startsAt = "2030-01-08T15:00",
            endsAt = "2030-01-08T16:00",
            timeZone = "Europe/London",
            onlineUrl = "https://meet.example.com/j/77",
            isPublished = true,
        });
        await moved.AssertProblemAsync(HttpStatusCode.BadRequest, "startsAt");
    }

    [Fact]
    public async Task Series_endpoints_need_an_editor()
    {
        var slug = Slug("series-auth");
        await CreateEventAsync(await app.BearerClientAsync(StaffRoles.Editor), Webinar(slug));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().PutAsJsonAsync($"/api/events/{slug}/series", Series())).StatusCode);
        var noRole = await app.BearerClientAsync(null);
        Assert.Equal(HttpStatusCode.Forbidden, (await noRole.PutAsJsonAsync($"/api/events/{slug}/series", Series())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await noRole.DeleteAsync($"/api/events/{slug}/series")).StatusCode);
    }

    [Fact]
    public async Task Pages_and_listings_show_a_series_once_with_its_next_dates()
    {
        var (_, slug, detail) = await CreateSeriesAsync("series-pages");
        var next = detail.GetProperty("series").GetProperty("nextDates");
        Assert.Equal(SeriesLimits.NextDates, next.GetArrayLength());
        Assert.DoesNotContain(next.EnumerateArray(), d => d.GetProperty("when").GetProperty("startsAtLocal").GetDateTimeOffset().Month == 4);
        Assert.Contains(next.EnumerateArray(), d => d.GetProperty("status").GetString() == "cancelled");

        var page = await app.AnonymousClient().GetStringAsync($"/events/{slug}");
        Assert.Contains("Next dates", page);
        Assert.Contains("Repeats every month, 8 dates in all (except 1 date).", page);
        Assert.Contains("Special edition", page);
        Assert.Contains("Moved", page);
        Assert.Contains("Cancelled", page);

        var list = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/events?q={slug}");
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.True(item.GetProperty("isSeries").GetBoolean());
        Assert.Equal(new DateTimeOffset(2030, 1, 8, 14, 0, 0, TimeSpan.Zero), item.GetProperty("nextDate").GetProperty("when").GetProperty("startsAt").GetDateTimeOffset());
        var listing = await app.AnonymousClient().GetStringAsync($"/events?q={slug}");
        Assert.Equal(1, CountOf(listing, $"href=\"/events/{slug}\""));
        Assert.Contains("repeats, next date shown", listing);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static List<List<string>> Overrides(List<string> lines)
    {
        var result = new List<List<string>>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] == "BEGIN:VEVENT")
            {
                var end = lines.FindIndex(i, l => l == "END:VEVENT");
                var vevent = lines[i..(end + 1)];
                if (vevent.Any(l => l.StartsWith("RECURRENCE-ID", StringComparison.Ordinal)))
                {
                    result.Add(vevent);
                }
            }
        }

        return result;
    }
}

public sealed class RecurringSeriesOnSqlite(CalendarSqliteApp app) : RecurringSeriesTests(app), IClassFixture<CalendarSqliteApp>;

public sealed class RecurringSeriesOnPostgres(CalendarPostgresApp app) : RecurringSeriesTests(app), IClassFixture<CalendarPostgresApp>;
