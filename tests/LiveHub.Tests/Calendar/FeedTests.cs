using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.ICalendar.Serialization;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LiveHub.Tests.Calendar.CalendarTestHelpers;

namespace LiveHub.Tests.Calendar;

public abstract class FeedTests(LiveHubApp app)
{
    private const string Base = CalendarSettings.PublicBaseUrl;

    [Fact]
    public async Task Event_feed_is_well_formed_text_calendar_with_the_events_instants()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("feed");
        var e = await CreateEventAsync(editor, Event(slug, "2030-03-30T09:00", "2030-03-31T17:00", onlineUrl: "https://meet.example.com/j/1?pwd=x"));
        var session = await CreateSessionAsync(editor, slug, Session("Opening keynote with a title long enough to need folding 🦀 ünïcödé", "2030-03-31T09:30", "2030-03-31T10:30", coverage: "live"));

        var response = await app.AnonymousClient().GetAsync($"/events/{slug}.ics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Null(response.Content.Headers.ContentDisposition);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        AssertWellFormed(bytes);

        var text = Encoding.UTF8.GetString(bytes);
        var eventId = e.GetProperty("id").GetString()!;
        var sessionId = session.GetProperty("id").GetString()!;
        var vevent = VEvent(text, eventId);
        // British Summer Time starts on Sunday 31 March 2030: the start is in GMT, the end in BST.
        Assert.Equal("20300330T090000", Property(vevent, "DTSTART;TZID=Europe/London"));
        Assert.Equal("CONFIRMED", Property(vevent, "STATUS"));
        Assert.Equal("0", Property(vevent, "SEQUENCE"));
        Assert.Equal($"{Base}/events/{slug}", Property(vevent, "URL"));
        Assert.Equal("The Exchange\\, Centenary Square\\, Birmingham", Property(vevent, "LOCATION"));
        Assert.Equal("52.4797;-1.9082", Property(vevent, "GEO"));
        Assert.Equal("test", Property(vevent, "CATEGORIES"));
        Assert.Equal("https://meet.example.com/j/1?pwd=x", Property(vevent, "CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Join online"));
        var description = Property(vevent, "DESCRIPTION");
        Assert.Contains($"Details: {Base}/events/{slug}", description);
        Assert.Contains("Join online: https://meet.example.com/j/1?pwd=x", description);
        Assert.Contains($"Live coverage: {Base}/live/{slug}", description);
        Assert.Equal(Property(vevent, "DTSTAMP"), Property(vevent, "LAST-MODIFIED"));
        Assert.Contains("X-WR-TIMEZONE:Europe/London", Unfold(text));
        Assert.Contains("REFRESH-INTERVAL;VALUE=DURATION:PT1H", Unfold(text));
        Assert.Contains("X-PUBLISHED-TTL:PT1H", Unfold(text));
        Assert.Contains($"X-WR-CALNAME:Event {slug}", Unfold(text));
        Assert.Contains($"SOURCE;VALUE=URI:{Base}/events/{slug}.ics", Unfold(text));
        Assert.DoesNotContain(Unfold(text), l => l.StartsWith("METHOD", StringComparison.Ordinal) || l.StartsWith("ORGANIZER", StringComparison.Ordinal));

        var sessionEvent = VEvent(text, sessionId);
        Assert.StartsWith("Opening keynote", Property(sessionEvent, "SUMMARY"));
        Assert.EndsWith($"— Event {slug}", Property(sessionEvent, "SUMMARY"));
        Assert.Contains($"Part of Event {slug}", Property(sessionEvent, "DESCRIPTION"));

        // Our own reader agrees with the API's instants.
        var calendar = new CalendarReader(new CalendarReaderOptions { Strict = true }).Read(bytes).Calendars.Single();
        var zones = calendar.CreateTimeZoneResolver();
        var parsed = calendar.Events.Single(x => x.Uid == eventId);
        Assert.Equal(e.GetProperty("when").GetProperty("startsAt").GetDateTimeOffset().UtcDateTime, parsed.Start!.Value.ToUtc(zones));
        Assert.Equal(e.GetProperty("when").GetProperty("endsAt").GetDateTimeOffset().UtcDateTime, parsed.End!.Value.ToUtc(zones));
        Assert.Equal(new DateTime(2030, 3, 30, 9, 0, 0, DateTimeKind.Utc), parsed.Start!.Value.ToUtc(zones));
        Assert.Equal(new DateTime(2030, 3, 31, 16, 0, 0, DateTimeKind.Utc), parsed.End!.Value.ToUtc(zones));

        // Same data, same bytes.
        Assert.Equal(bytes, await app.AnonymousClient().GetByteArrayAsync($"/events/{slug}.ics"));
    }

    [Fact]
    public async Task An_edit_keeps_the_uid_bumps_sequence_and_changes_the_etag()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("edit");
        var e = await CreateEventAsync(editor, Event(slug));
        var uid = e.GetProperty("id").GetString()!;
        var client = app.AnonymousClient();
        var before = await client.GetAsync($"/events/{slug}.ics");
        var beforeEtag = before.Headers.ETag!;
        Assert.False(beforeEtag.IsWeak);
        var beforeLastModified = before.Content.Headers.LastModified!.Value;

        await Task.Delay(1100); // LAST-MODIFIED has whole seconds
        var moved = await editor.PutAsJsonAsync($"/api/events/{slug}", Event(slug, "2030-06-02T10:00", "2030-06-02T18:00"));
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        var after = await client.GetAsync($"/events/{slug}.ics");
        var text = await after.Content.ReadAsStringAsync();
        var vevent = VEvent(text, uid);
        Assert.Equal("1", Property(vevent, "SEQUENCE"));
        Assert.Equal("20300602T100000", Property(vevent, "DTSTART;TZID=Europe/London"));
        Assert.NotEqual(beforeEtag, after.Headers.ETag);
        Assert.True(after.Content.Headers.LastModified > beforeLastModified);
        Assert.Contains(Property(vevent, "LAST-MODIFIED"), new[] { after.Content.Headers.LastModified!.Value.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'") });

        // The old validator no longer matches: a subscriber gets the new version.
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/events/{slug}.ics");
        conditional.Headers.IfNoneMatch.Add(beforeEtag);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(conditional)).StatusCode);
    }

    [Fact]
    public async Task Cancelled_events_and_sessions_stay_marked_cancelled_not_missing()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("cancel");
        var tag = Slug("tag");
        var e = await CreateEventAsync(editor, Event(slug, tags: [tag]));
        var session = await CreateSessionAsync(editor, slug, Session("Panel", "2030-06-01T10:00", "2030-06-01T11:00"));
        var cancelled = await editor.PutAsJsonAsync($"/api/events/{slug}", Event(slug, tags: [tag], status: "cancelled"));
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);

        foreach (var url in new[] { "/calendar.ics", $"/calendar/tags/{tag}.ics", $"/events/{slug}.ics" })
        {
            var text = await app.AnonymousClient().GetStringAsync(url);
            var vevent = VEvent(text, e.GetProperty("id").GetString()!);
            Assert.Equal("CANCELLED", Property(vevent, "STATUS"));
            Assert.Equal($"Cancelled: Event {slug}", Property(vevent, "SUMMARY"));
            Assert.Equal("1", Property(vevent, "SEQUENCE"));
            var sessionEvent = VEvent(text, session.GetProperty("id").GetString()!);
            Assert.Equal("CANCELLED", Property(sessionEvent, "STATUS"));
            Assert.StartsWith("Cancelled: Panel", Property(sessionEvent, "SUMMARY"));
        }

        // After the grace period (30 days by default) it leaves the aggregate feeds but not its own.
        await app.WithDbAsync(async db =>
        {
            var entity = await db.Events.SingleAsync(x => x.Slug == slug);
            entity.CancelledAtUtc = DateTime.UtcNow.AddDays(-31);
            entity.UpdatedAtUtc = DateTime.UtcNow;
            await db.SaveChangesAsync();
        });
        Assert.DoesNotContain(e.GetProperty("id").GetString()!, await app.AnonymousClient().GetStringAsync($"/calendar/tags/{tag}.ics"));
        Assert.Contains(e.GetProperty("id").GetString()!, await app.AnonymousClient().GetStringAsync($"/events/{slug}.ics"));
    }

    [Fact]
    public async Task Postponed_is_tentative_with_the_same_uid()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("postponed");
        var e = await CreateEventAsync(editor, Event(slug));
        await editor.PutAsJsonAsync($"/api/events/{slug}", Event(slug, "2030-09-01T09:00", "2030-09-01T17:00", status: "postponed"));
        var vevent = VEvent(await app.AnonymousClient().GetStringAsync($"/events/{slug}.ics"), e.GetProperty("id").GetString()!);
        Assert.Equal("TENTATIVE", Property(vevent, "STATUS"));
        Assert.Equal("20300901T090000", Property(vevent, "DTSTART;TZID=Europe/London"));
    }

    [Fact]
    public async Task Feeds_window_drops_long_past_events_and_unpublished_ones()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var tag = Slug("window");
        var old = Slug("old");
        var recent = Slug("recent");
        var draft = Slug("draft");
        var oldEvent = await CreateEventAsync(editor, Event(old, tags: [tag]));
        var recentEvent = await CreateEventAsync(editor, Event(recent, tags: [tag]));
        var draftEvent = await CreateEventAsync(editor, Event(draft, tags: [tag], published: false));
        await app.WithDbAsync(async db =>
        {
            var now = DateTime.UtcNow;
            foreach (var (slug, daysAgo) in new[] { (old, 100), (recent, 10) })
            {
                var entity = await db.Events.SingleAsync(x => x.Slug == slug);
                entity.StartsAtUtc = now.AddDays(-daysAgo).AddHours(-2);
                entity.EndsAtUtc = now.AddDays(-daysAgo);
            }

            await db.SaveChangesAsync();
        });

        var text = await app.AnonymousClient().GetStringAsync($"/calendar/tags/{tag}.ics");
        Assert.DoesNotContain(oldEvent.GetProperty("id").GetString()!, text);
        Assert.Contains(recentEvent.GetProperty("id").GetString()!, text);
        Assert.DoesNotContain(draftEvent.GetProperty("id").GetString()!, text);
        Assert.Equal(HttpStatusCode.NotFound, (await app.AnonymousClient().GetAsync($"/events/{draft}.ics")).StatusCode);
        // Its own feed still answers for a long-past event.
        Assert.Contains(oldEvent.GetProperty("id").GetString()!, await app.AnonymousClient().GetStringAsync($"/events/{old}.ics"));
    }

    [Fact]
    public async Task A_deleted_draft_was_never_there_while_a_once_published_event_is_gone()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var client = app.AnonymousClient();

        // Never published, then deleted: its feeds and its tag answer as if it never existed.
        var draft = Slug("draft");
        var draftTag = Slug("drafttag");
        await CreateEventAsync(editor, Event(draft, tags: [draftTag], published: false));
        var draftSession = await CreateSessionAsync(editor, draft, Session("Secret panel", "2030-06-01T10:00", "2030-06-01T11:00"));
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"/api/events/{draft}")).StatusCode);
        await (await client.GetAsync($"/events/{draft}.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"/events/{draft}/sessions/{draftSession.GetProperty("id").GetString()}.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
        var tagAnswer = await (await client.GetAsync($"/calendar/tags/{draftTag}.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(
            (await (await client.GetAsync($"/calendar/tags/{Slug("never-used")}.ics")).AssertProblemAsync(HttpStatusCode.NotFound)).GetProperty("title").GetString(),
            tagAnswer.GetProperty("title").GetString());

        // Published once, unpublished, then deleted: subscribers saw it, so it is gone (410), tag included.
        var was = Slug("was");
        var wasTag = Slug("wastag");
        await CreateEventAsync(editor, Event(was, tags: [wasTag]));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/events/{was}.ics")).StatusCode);
        (await editor.PutAsJsonAsync($"/api/events/{was}", Event(was, tags: [wasTag], published: false))).EnsureSuccessStatusCode();
        await (await client.GetAsync($"/events/{was}.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"/api/events/{was}")).StatusCode);
        await (await client.GetAsync($"/events/{was}.ics")).AssertProblemAsync(HttpStatusCode.Gone);
        await (await client.GetAsync($"/calendar/tags/{wasTag}.ics")).AssertProblemAsync(HttpStatusCode.Gone);

        // A session deleted while its event was still a draft was never public either.
        var later = Slug("later");
        await CreateEventAsync(editor, Event(later, published: false));
        var dropped = await CreateSessionAsync(editor, later, Session("Dropped before publishing", "2030-06-01T10:00", "2030-06-01T11:00"));
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"/api/events/{later}/sessions/{dropped.GetProperty("id").GetString()}")).StatusCode);
        (await editor.PutAsJsonAsync($"/api/events/{later}", Event(later))).EnsureSuccessStatusCode();
        await (await client.GetAsync($"/events/{later}/sessions/{dropped.GetProperty("id").GetString()}.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleted_stays_cancelled_with_the_same_uid_for_the_grace_period_then_is_gone_and_unknown_is_not_found()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("gone");
        var tag = Slug("gonetag");
        var e = await CreateEventAsync(editor, Event(slug, tags: [tag]));
        var eventId = e.GetProperty("id").GetString()!;
        var kept = await CreateSessionAsync(editor, slug, Session("Kept", "2030-06-01T10:00", "2030-06-01T11:00"));
        var removed = await CreateSessionAsync(editor, slug, Session("Removed", "2030-06-01T12:00", "2030-06-01T13:00"));
        var keptId = kept.GetProperty("id").GetString()!;
        var removedId = removed.GetProperty("id").GetString()!;
        var client = app.AnonymousClient();
        var sessionUrl = $"/events/{slug}/sessions/{keptId}.ics";
        var removedUrl = $"/events/{slug}/sessions/{removedId}.ics";
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(sessionUrl)).StatusCode);
        var before = VEvent(await client.GetStringAsync($"/events/{slug}.ics"), removedId);
        Assert.Equal("CONFIRMED", Property(before, "STATUS"));

        // A deleted session: cancelled, same UID, SEQUENCE up, in every feed it was in, its own included.
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"/api/events/{slug}/sessions/{removedId}")).StatusCode);
        foreach (var url in new[] { $"/events/{slug}.ics", removedUrl, $"/calendar/tags/{tag}.ics", "/calendar.ics" })
        {
            var tombstone = VEvent(await client.GetStringAsync(url), removedId);
            Assert.Equal("CANCELLED", Property(tombstone, "STATUS"));
            Assert.True(int.Parse(Property(tombstone, "SEQUENCE")) > int.Parse(Property(before, "SEQUENCE")), url);
            Assert.StartsWith("Cancelled: Removed", Property(tombstone, "SUMMARY"));
        }

        // A deleted event: it and its sessions are cancelled in its feeds, the tag's and the hub's.
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"/api/events/{slug}")).StatusCode);
        foreach (var url in new[] { $"/events/{slug}.ics", $"/calendar/tags/{tag}.ics", "/calendar.ics" })
        {
            var text = await client.GetStringAsync(url);
            Assert.Equal("CANCELLED", Property(VEvent(text, eventId), "STATUS"));
            Assert.Equal("1", Property(VEvent(text, eventId), "SEQUENCE"));
            Assert.Equal("CANCELLED", Property(VEvent(text, keptId), "STATUS"));
        }

        Assert.Equal("CANCELLED", Property(VEvent(await client.GetStringAsync(sessionUrl), keptId), "STATUS"));
        // Deleted things are not shown or listed anywhere else.
        await (await client.GetAsync($"/api/events/{slug}")).AssertProblemAsync(HttpStatusCode.NotFound);

        // Once the grace period is over they drop out, and their own feeds are gone.
        await app.WithDbAsync(async db =>
        {
            var longAgo = DateTime.UtcNow.AddDays(-31);
            var published = longAgo.AddDays(-1); // still before the deletions, as it was
            await db.Events.IgnoreQueryFilters().Where(x => x.Slug == slug)
                .ExecuteUpdateAsync(x => x.SetProperty(v => v.DeletedAtUtc, longAgo).SetProperty(v => v.FirstPublishedAtUtc, published));
            var removedGuid = Guid.Parse(removedId);
            await db.Sessions.IgnoreQueryFilters().Where(x => x.Id == removedGuid).ExecuteUpdateAsync(x => x.SetProperty(v => v.DeletedAtUtc, longAgo));
        });
        await CreateEventAsync(editor, Event(Slug("newer"))); // a change anywhere renews cached feeds
        await (await client.GetAsync($"/events/{slug}.ics")).AssertProblemAsync(HttpStatusCode.Gone);
        await (await client.GetAsync(sessionUrl)).AssertProblemAsync(HttpStatusCode.Gone);
        await (await client.GetAsync(removedUrl)).AssertProblemAsync(HttpStatusCode.Gone);
        await (await client.GetAsync($"/calendar/tags/{tag}.ics")).AssertProblemAsync(HttpStatusCode.Gone);
        var hub = await client.GetStringAsync("/calendar.ics");
        Assert.DoesNotContain(eventId, hub);
        Assert.DoesNotContain(removedId, hub);

        await (await client.GetAsync("/events/no-such-event.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"/events/no-such-event/sessions/{Guid.NewGuid()}.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/calendar/tags/no-such-tag.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
        var other = Slug("other");
        await CreateEventAsync(editor, Event(other));
        await (await client.GetAsync($"/events/{other}/sessions/not-a-guid.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"/events/{other}/sessions/{kept.GetProperty("id").GetString()}.ics")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Conditional_requests_follow_the_validators()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("conditional");
        await CreateEventAsync(editor, Event(slug));
        var client = app.AnonymousClient();
        var url = $"/events/{slug}.ics";
        var first = await client.GetAsync(url);
        var etag = first.Headers.ETag!.Tag;
        var lastModified = first.Content.Headers.LastModified!.Value;
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());

        async Task<HttpResponseMessage> Get(Action<HttpRequestHeaders> headers, HttpMethod? method = null)
        {
            using var request = new HttpRequestMessage(method ?? HttpMethod.Get, url);
            headers(request.Headers);
            return await client.SendAsync(request);
        }

        var exact = await Get(h => h.TryAddWithoutValidation("If-None-Match", etag));
        Assert.Equal(HttpStatusCode.NotModified, exact.StatusCode);
        Assert.Equal(etag, exact.Headers.ETag?.Tag);
        Assert.Equal(lastModified, exact.Content.Headers.LastModified);
        Assert.Equal("no-cache", exact.Headers.CacheControl?.ToString());
        Assert.Empty(await exact.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.NotModified, (await Get(h => h.TryAddWithoutValidation("If-None-Match", $"\"nope\", W/{etag}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await Get(h => h.TryAddWithoutValidation("If-None-Match", "*"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(h => h.TryAddWithoutValidation("If-None-Match", "\"nope\""))).StatusCode);

        var since = lastModified.ToString("R");
        Assert.Equal(HttpStatusCode.NotModified, (await Get(h => h.TryAddWithoutValidation("If-Modified-Since", since))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(h => h.TryAddWithoutValidation("If-Modified-Since", lastModified.AddSeconds(-1).ToString("R")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(h => h.TryAddWithoutValidation("If-Modified-Since", "not a date"))).StatusCode);
        // If-None-Match wins over If-Modified-Since.
        Assert.Equal(HttpStatusCode.OK, (await Get(h =>
        {
            h.TryAddWithoutValidation("If-None-Match", "\"nope\"");
            h.TryAddWithoutValidation("If-Modified-Since", since);
        })).StatusCode);

        var head = await Get(_ => { }, HttpMethod.Head);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(etag, head.Headers.ETag?.Tag);
        Assert.Equal("text/calendar", head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, (await Get(h => h.TryAddWithoutValidation("If-None-Match", etag), HttpMethod.Head)).StatusCode);

        var download = await client.GetAsync($"{url}?download=1");
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"{slug}.ics", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task All_events_and_tag_feeds_list_published_events_and_sessions()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var tag = Slug("track");
        var tagged = Slug("tagged");
        var untagged = Slug("untagged");
        var a = await CreateEventAsync(editor, Event(tagged, tags: [tag], timeZone: "America/New_York"));
        var b = await CreateEventAsync(editor, Event(untagged, tags: ["other"]));
        var session = await CreateSessionAsync(editor, tagged, Session("Talk", "2030-06-01T10:00", "2030-06-01T11:00"));

        var tagResponse = await app.AnonymousClient().GetAsync($"/calendar/tags/{tag}.ics");
        var tagBytes = await tagResponse.Content.ReadAsByteArrayAsync();
        AssertWellFormed(tagBytes);
        var tagText = Encoding.UTF8.GetString(tagBytes);
        Assert.Contains(a.GetProperty("id").GetString()!, tagText);
        Assert.Contains(session.GetProperty("id").GetString()!, tagText);
        Assert.DoesNotContain(b.GetProperty("id").GetString()!, tagText);
        Assert.Contains("X-WR-TIMEZONE:America/New_York", Unfold(tagText));
        Assert.Contains($"X-WR-CALNAME:LiveHub: #{tag}", Unfold(tagText));

        var allBytes = await app.AnonymousClient().GetByteArrayAsync("/calendar.ics");
        AssertWellFormed(allBytes);
        var all = Encoding.UTF8.GetString(allBytes);
        Assert.Contains(a.GetProperty("id").GetString()!, all);
        Assert.Contains(b.GetProperty("id").GetString()!, all);
        Assert.Contains("TZID:America/New_York", Unfold(all));
        Assert.Contains("TZID:Europe/London", Unfold(all));
    }

    [Fact]
    public async Task Subscribe_links_are_on_the_list_and_event_pages()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("links");
        await CreateEventAsync(editor, Event(slug));
        var page = await app.AnonymousClient().GetStringAsync($"/events/{slug}");
        var feed = $"{Base}/events/{slug}.ics";
        Assert.Contains($"href=\"webcal://hub.example.org/events/{slug}.ics\"", page);
        Assert.Contains($"https://calendar.google.com/calendar/render?cid={Uri.EscapeDataString(feed)}", page.Replace("&amp;", "&", StringComparison.Ordinal));
        Assert.Contains($"https://outlook.live.com/calendar/0/addfromweb?url={Uri.EscapeDataString(feed)}&name=", page.Replace("&amp;", "&", StringComparison.Ordinal));
        Assert.Contains($"href=\"/events/{slug}.ics?download=1\"", page);
        Assert.Contains("Download this event", page);
        Assert.Contains("Subscribe in your calendar app", page);
        Assert.Contains("/css/calendar.css", page);

        var list = await app.AnonymousClient().GetStringAsync("/events");
        Assert.Contains("href=\"webcal://hub.example.org/calendar.ics\"", list);
        Assert.DoesNotContain("Download this event", list);
    }

    /// <summary>No BOM, CRLF only, every physical line at most 75 octets, valid UTF-8, at least one VEVENT or VTIMEZONE.</summary>
    internal static void AssertWellFormed(byte[] bytes)
    {
        Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "The feed starts with a BOM.");
        _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        Assert.True(bytes.Length > 2 && bytes[^2] == '\r' && bytes[^1] == '\n', "The feed does not end with CRLF.");
        var lineStart = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
            {
                Assert.True(i > 0 && bytes[i - 1] == '\r', $"Bare LF at byte {i}.");
                Assert.True(i - 1 - lineStart <= 75, $"Line at byte {lineStart} has {i - 1 - lineStart} octets.");
                lineStart = i + 1;
            }
            else if (bytes[i] == '\r')
            {
                Assert.True(i + 1 < bytes.Length && bytes[i + 1] == '\n', $"Bare CR at byte {i}.");
            }
        }

        var text = Encoding.UTF8.GetString(bytes);
        Assert.StartsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", text);
        Assert.EndsWith("END:VCALENDAR\r\n", text);
        Assert.True(text.Contains("BEGIN:VEVENT", StringComparison.Ordinal) || text.Contains("BEGIN:VTIMEZONE", StringComparison.Ordinal));
    }
}

public sealed class FeedOnSqlite(CalendarSqliteApp app) : FeedTests(app), IClassFixture<CalendarSqliteApp>;

public sealed class FeedOnPostgres(CalendarPostgresApp app) : FeedTests(app), IClassFixture<CalendarPostgresApp>;
