using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Events;

/// <summary>Speaker and venue pages and the venue API: what the public sees, and only what it may see.</summary>
public abstract class SpeakerAndVenuePagesTests(LiveHubApp app)
{
    private static readonly HtmlParser Parser = new();

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<IHtmlDocument> PageAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await app.AnonymousClient().GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{url}: {(int)response.StatusCode}");
        return await Parser.ParseDocumentAsync(html);
    }

    private static object Event(string slug, string startsAt, string endsAt, bool published = true, object? venue = null, string? venueSlug = null) => new
    {
        slug, title = $"Event {slug}", startsAt, endsAt, timeZone = "Europe/London",
        venue = venueSlug is null ? venue ?? new { name = "Hall " + slug } : null, venueSlug, isPublished = published,
    };

    private static async Task<Guid> SessionAsync(HttpClient editor, string slug, string startsAt, string endsAt, Guid[]? speakers = null, Guid? chair = null) =>
        (await OkJsonAsync(await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new
        {
            title = "Session of " + slug, startsAt, endsAt, speakerIds = speakers ?? [], chairId = chair,
        }))).GetProperty("id").GetGuid();

    private static async Task<(Guid Stream, Guid Post)> QuoteAsync(HttpClient editor, string slug, Guid sessionId, Guid speakerId, string body)
    {
        (await editor.PostAsync($"/api/events/{slug}/sessions/{sessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        var stream = (await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams")).EnumerateArray()
            .Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String && s.GetProperty("sessionId").GetGuid() == sessionId).GetProperty("id").GetGuid();
        var post = await OkJsonAsync(await editor.PostAsJsonAsync($"/api/streams/{stream}/posts", new { kind = "quote", body, speakerId }));
        return (stream, post.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task A_speaker_page_shows_the_profile_sessions_upcoming_first_and_only_quotes_the_public_may_read()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var name = "Ada Émile " + Guid.NewGuid().ToString("N")[..6];
        var speaker = await OkJsonAsync(await editor.PostAsJsonAsync("/api/speakers", new
        {
            name, role = "Professor", affiliation = "City-REDI", photoUrl = "https://images.example.org/ada.jpg", photoAltText = "Ada smiling at a lectern",
            links = new[] { "https://example.org/ada", "https://orcid.org/0000-0002-1825-0097" },
        }));
        var speakerId = speaker.GetProperty("id").GetGuid();
        var speakerSlug = speaker.GetProperty("slug").GetString()!;
        Assert.StartsWith("ada-emile-", speakerSlug, StringComparison.Ordinal);
        Assert.Equal($"/speakers/{speakerSlug}", speaker.GetProperty("pageUrl").GetString());

        // Not public while only a draft names them.
        var draft = Unique("draft");
        await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", Event(draft, "2031-03-01T09:00", "2031-03-01T17:00", published: false)));
        var draftSession = await SessionAsync(editor, draft, "2031-03-01T10:00", "2031-03-01T11:00", [speakerId]);
        await PageAsync($"/speakers/{speakerSlug}", HttpStatusCode.NotFound);
        Assert.DoesNotContain($"/speakers/{speakerSlug}\"", await app.AnonymousClient().GetStringAsync("/speakers"), StringComparison.Ordinal);

        var upcoming = Unique("upcoming");
        await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", Event(upcoming, "2031-05-01T09:00", "2031-05-01T17:00")));
        var upcomingSession = await SessionAsync(editor, upcoming, "2031-05-01T10:00", "2031-05-01T11:00", [speakerId]);
        var past = Unique("past");
        await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", Event(past, "2020-05-01T09:00", "2020-05-01T17:00")));
        var pastSession = await SessionAsync(editor, past, "2020-05-01T10:00", "2020-05-01T11:00", chair: speakerId);
        var later = Unique("later");
        await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", Event(later, "2032-05-01T09:00", "2032-05-01T17:00")));
        var laterSession = await SessionAsync(editor, later, "2032-05-01T10:00", "2032-05-01T11:00", [speakerId]);

        // Quotes: one stays; one deleted, one whose session is deleted, one whose event is unpublished go.
        var (stream, _) = await QuoteAsync(editor, upcoming, upcomingSession, speakerId, "Kept quote about places");
        var deletedPost = (await OkJsonAsync(await editor.PostAsJsonAsync($"/api/streams/{stream}/posts", new { kind = "quote", body = "Deleted quote", speakerId }))).GetProperty("id").GetGuid();
        (await editor.DeleteAsync($"/api/streams/{stream}/posts/{deletedPost}")).EnsureSuccessStatusCode();
        await QuoteAsync(editor, later, laterSession, speakerId, "Quote from a deleted session");
        (await editor.DeleteAsync($"/api/events/{later}/sessions/{laterSession}")).EnsureSuccessStatusCode();
        var hidden = Unique("hidden");
        await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", Event(hidden, "2031-06-01T09:00", "2031-06-01T17:00")));
        var hiddenSession = await SessionAsync(editor, hidden, "2031-06-01T10:00", "2031-06-01T11:00");
        await QuoteAsync(editor, hidden, hiddenSession, speakerId, "Quote from an unpublished event");
        (await editor.PutAsJsonAsync($"/api/events/{hidden}", Event(hidden, "2031-06-01T09:00", "2031-06-01T17:00", published: false))).EnsureSuccessStatusCode();

        var page = await PageAsync($"/speakers/{speakerSlug}");
        Assert.Equal(name, page.QuerySelector("h1")!.TextContent);
        Assert.Equal("Professor", page.QuerySelector(".speaker-role")!.TextContent);
        Assert.Equal("City-REDI", page.QuerySelector(".speaker-affiliation")!.TextContent);
        var photo = page.QuerySelector("img.speaker-photo")!;
        Assert.Equal("https://images.example.org/ada.jpg", photo.GetAttribute("src"));
        Assert.Equal("Ada smiling at a lectern", photo.GetAttribute("alt"));
        Assert.Equal(["https://example.org/ada", "https://orcid.org/0000-0002-1825-0097"], page.QuerySelectorAll(".speaker-links a").Select(a => a.GetAttribute("href")));

        var sessions = page.QuerySelectorAll(".speaker-sessions h3 a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal([$"/events/{upcoming}/sessions/{upcomingSession}", $"/events/{past}/sessions/{pastSession}"], sessions);
        Assert.DoesNotContain(draftSession.ToString(), page.DocumentElement.OuterHtml, StringComparison.Ordinal);
        Assert.Contains("Chair", page.QuerySelectorAll(".speaker-sessions .session-event")[1].TextContent, StringComparison.Ordinal);

        var quotes = page.QuerySelectorAll(".speaker-quotes blockquote").Select(q => q.TextContent.Trim()).ToList();
        Assert.Equal(["Kept quote about places"], quotes);
        Assert.StartsWith($"/live/{upcoming}/sessions/{upcomingSession}#post-", page.QuerySelector(".speaker-quotes figcaption a")!.GetAttribute("href"), StringComparison.Ordinal);

        var list = await PageAsync("/speakers");
        Assert.Contains(list.QuerySelectorAll(".speaker-card a"), a => a.GetAttribute("href") == $"/speakers/{speakerSlug}" && a.TextContent == name);
        await PageAsync("/speakers/no-such-speaker", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Speaker_names_on_event_session_and_live_pages_link_to_the_speaker()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var speaker = await OkJsonAsync(await editor.PostAsJsonAsync("/api/speakers", new { name = "Linked " + Guid.NewGuid().ToString("N")[..6] }));
        var chair = await OkJsonAsync(await editor.PostAsJsonAsync("/api/speakers", new { name = "Chair " + Guid.NewGuid().ToString("N")[..6] }));
        var speakerUrl = speaker.GetProperty("pageUrl").GetString();
        var chairUrl = chair.GetProperty("pageUrl").GetString();
        var slug = Unique("links");
        await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", Event(slug, "2031-05-01T09:00", "2031-05-01T17:00")));
        var session = await SessionAsync(editor, slug, "2031-05-01T10:00", "2031-05-01T11:00", [speaker.GetProperty("id").GetGuid()], chair.GetProperty("id").GetGuid());
        await QuoteAsync(editor, slug, session, speaker.GetProperty("id").GetGuid(), "Linked quote");

        var eventPage = await PageAsync($"/events/{slug}");
        Assert.Equal(chairUrl, eventPage.QuerySelector(".sessions .chair a")!.GetAttribute("href"));
        Assert.Equal(speakerUrl, eventPage.QuerySelector(".sessions .speakers a")!.GetAttribute("href"));
        Assert.Contains(eventPage.QuerySelectorAll(".speaker-list a"), a => a.GetAttribute("href") == speakerUrl);

        var sessionPage = await PageAsync($"/events/{slug}/sessions/{session}");
        Assert.Equal(speakerUrl, sessionPage.QuerySelector(".facts .speakers a")!.GetAttribute("href"));
        Assert.Contains(sessionPage.QuerySelectorAll(".facts a"), a => a.GetAttribute("href") == chairUrl);

        var livePage = await PageAsync($"/live/{slug}/sessions/{session}");
        Assert.Equal(speakerUrl, livePage.QuerySelector(".post-quote figcaption a.speaker-link")!.GetAttribute("href"));

        // The JSON the live page's script renders from carries the same link.
        var streams = await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams");
        var stream = streams.EnumerateArray().Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String).GetProperty("id").GetGuid();
        var posts = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/streams/{stream}/posts");
        var quote = posts.GetProperty("posts").EnumerateArray().Single(p => p.GetProperty("kind").GetString() == "quote");
        Assert.Equal(speakerUrl, quote.GetProperty("speaker").GetProperty("pageUrl").GetString());
    }

    [Fact]
    public async Task A_venue_is_shared_by_its_events_and_has_a_page_listing_them()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var venueSlug = Unique("hall");
        var venue = await OkJsonAsync(await editor.PostAsJsonAsync("/api/venues", new
        {
            slug = venueSlug, name = "Great Hall " + venueSlug, address = "1 Edgbaston Park Road, Birmingham", latitude = 52.45, longitude = -1.93,
            timeZone = "Europe/London", accessibilityNotes = "Step-free entrance on the east side.\n\nHearing loop in the hall.",
        }));
        Assert.Equal($"/venues/{venueSlug}", venue.GetProperty("pageUrl").GetString());
        Assert.StartsWith("https://www.openstreetmap.org/?mlat=52.45&mlon=-1.93", venue.GetProperty("mapUrl").GetString(), StringComparison.Ordinal);

        // Not public until a published event is held there.
        await PageAsync($"/venues/{venueSlug}", HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await app.AnonymousClient().GetAsync($"/api/venues/{venueSlug}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync($"/api/venues/{venueSlug}")).StatusCode);

        var future = Unique("future");
        var created = await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", Event(future, "2031-05-01T09:00", "2031-05-01T17:00", venueSlug: venueSlug)));
        Assert.Equal(venueSlug, created.GetProperty("venue").GetProperty("slug").GetString());
        // The same venue typed in by name and address is the same venue.
        var past = Unique("past");
        var inline = await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", Event(past, "2020-05-01T09:00", "2020-05-01T17:00",
            venue: new { name = "Great Hall " + venueSlug, address = "1 Edgbaston Park Road, Birmingham" })));
        Assert.Equal(venueSlug, inline.GetProperty("venue").GetProperty("slug").GetString());
        // Other coordinates under the same name are another place, and the shared venue does not move.
        var elsewhere = await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", Event(Unique("elsewhere"), "2031-07-01T09:00", "2031-07-01T17:00",
            venue: new { name = "Great Hall " + venueSlug, address = "1 Edgbaston Park Road, Birmingham", latitude = 40.0, longitude = -3.0 })));
        Assert.NotEqual(venueSlug, elsewhere.GetProperty("venue").GetProperty("slug").GetString());
        Assert.Equal(52.45, (await editor.GetFromJsonAsync<JsonElement>($"/api/venues/{venueSlug}")).GetProperty("latitude").GetDouble());

        var page = await PageAsync($"/venues/{venueSlug}");
        Assert.Equal("Great Hall " + venueSlug, page.QuerySelector("h1")!.TextContent);
        Assert.Equal("1 Edgbaston Park Road, Birmingham", page.QuerySelector(".venue-address")!.TextContent);
        Assert.Contains("openstreetmap.org", page.QuerySelector("a.venue-map")!.GetAttribute("href"), StringComparison.Ordinal);
        Assert.Equal(2, page.QuerySelectorAll(".venue-access p").Length);
        Assert.Equal([$"/events/{future}"], page.QuerySelectorAll(".event-list:not(.past) .event-card h3 a").Select(a => a.GetAttribute("href")));
        Assert.Equal([$"/events/{past}"], page.QuerySelectorAll(".event-list.past .event-card h3 a").Select(a => a.GetAttribute("href")));
        Assert.Contains((await PageAsync("/venues")).QuerySelectorAll(".venue-cards a"), a => a.GetAttribute("href") == $"/venues/{venueSlug}");
        Assert.Equal($"/venues/{venueSlug}", (await PageAsync($"/events/{future}")).QuerySelector(".facts a.venue-name")!.GetAttribute("href"));

        // Moving the venue changes what calendar subscribers see: its events' revision moves on.
        var revision = created.GetProperty("revision").GetInt32();
        await OkJsonAsync(await editor.PutAsJsonAsync($"/api/venues/{venueSlug}", new { name = "Great Hall " + venueSlug, address = "2 Edgbaston Park Road, Birmingham" }));
        var updated = await editor.GetFromJsonAsync<JsonElement>($"/api/events/{future}");
        Assert.Equal(revision + 1, updated.GetProperty("revision").GetInt32());
        Assert.Equal("2 Edgbaston Park Road, Birmingham", updated.GetProperty("venue").GetProperty("address").GetString());
        Assert.Contains("2 Edgbaston Park Road", await app.AnonymousClient().GetStringAsync($"/events/{future}.ics"), StringComparison.Ordinal);

        // A venue in use cannot be deleted; an unused one can.
        var inUse = await editor.DeleteAsync($"/api/venues/{venueSlug}");
        Assert.Equal(HttpStatusCode.Conflict, inUse.StatusCode);
        var unused = await OkJsonAsync(await editor.PostAsJsonAsync("/api/venues", new { name = "Spare room" }));
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"/api/venues/{unused.GetProperty("slug").GetString()}")).StatusCode);
    }

    [Fact]
    public async Task Bad_venue_input_gets_problem_details_naming_the_field()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        await (await editor.PostAsJsonAsync("/api/venues", new { name = "" })).AssertProblemAsync(HttpStatusCode.BadRequest, "name");
        await (await editor.PostAsJsonAsync("/api/venues", new { name = "X", latitude = 52.0 })).AssertProblemAsync(HttpStatusCode.BadRequest, "longitude");
        await (await editor.PostAsJsonAsync("/api/venues", new { name = "X", latitude = 95.0, longitude = 0.0 })).AssertProblemAsync(HttpStatusCode.BadRequest, "latitude");
        await (await editor.PostAsJsonAsync("/api/venues", new { name = "X", timeZone = "Mars/Olympus" })).AssertProblemAsync(HttpStatusCode.BadRequest, "timeZone");
        await (await editor.PostAsJsonAsync("/api/venues", new { name = "X", accessibilityNotes = new string('a', 4001) })).AssertProblemAsync(HttpStatusCode.BadRequest, "accessibilityNotes");
        await (await editor.PostAsJsonAsync("/api/events", Event(Unique("novenue"), "2031-05-01T09:00", "2031-05-01T17:00", venueSlug: "no-such-venue")))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "venueSlug");
        await (await editor.PostAsJsonAsync("/api/speakers", new { name = "No alt", photoUrl = "https://example.org/p.jpg" })).AssertProblemAsync(HttpStatusCode.BadRequest, "photoAltText");
        await (await editor.PostAsJsonAsync("/api/speakers", new { name = "Plain http", photoUrl = "http://example.org/p.jpg", photoAltText = "A" })).AssertProblemAsync(HttpStatusCode.BadRequest, "photoUrl");
        var taken = await OkJsonAsync(await editor.PostAsJsonAsync("/api/venues", new { name = "Taken " + Guid.NewGuid().ToString("N")[..6] }));
        await (await editor.PostAsJsonAsync("/api/venues", new { name = "Y", slug = taken.GetProperty("slug").GetString() })).AssertProblemAsync(HttpStatusCode.Conflict, "slug");
    }

    [Fact]
    public async Task Event_and_session_pages_carry_schema_org_event_data_and_sharing_tags()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var speaker = await OkJsonAsync(await editor.PostAsJsonAsync("/api/speakers", new { name = "Performer " + Guid.NewGuid().ToString("N")[..6], role = "Economist" }));
        var slug = Unique("jsonld");
        await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", new
        {
            slug, title = "Structured </script><script>alert(1)</script>", summary = "A summary", startsAt = "2031-07-01T09:00", endsAt = "2031-07-01T17:00",
            timeZone = "Europe/London", venue = new { name = "Hall " + slug, address = "Centenary Square" }, onlineUrl = "https://meet.example.org/j/1",
            status = "cancelled", imageUrl = "https://images.example.org/banner.png", isPublished = true,
        }));
        var session = await SessionAsync(editor, slug, "2031-07-01T10:00", "2031-07-01T11:00", [speaker.GetProperty("id").GetGuid()]);

        var page = await PageAsync($"/events/{slug}");
        var canonical = page.QuerySelector("link[rel=canonical]")!.GetAttribute("href")!;
        Assert.EndsWith($"/events/{slug}", canonical, StringComparison.Ordinal);
        Assert.Equal(canonical, page.QuerySelector("meta[property='og:url']")!.GetAttribute("content"));
        Assert.Equal("Structured </script><script>alert(1)</script>", page.QuerySelector("meta[property='og:title']")!.GetAttribute("content"));
        Assert.Equal("https://images.example.org/banner.png", page.QuerySelector("meta[property='og:image']")!.GetAttribute("content"));
        Assert.Equal("summary_large_image", page.QuerySelector("meta[name='twitter:card']")!.GetAttribute("content"));
        var scripts = page.QuerySelectorAll("script[type='application/ld+json']");
        var json = Assert.Single(scripts).TextContent;
        Assert.DoesNotContain("</script", json, StringComparison.OrdinalIgnoreCase);
        var data = JsonDocument.Parse(json).RootElement;
        Assert.Equal("Event", data.GetProperty("@type").GetString());
        Assert.Equal("Structured </script><script>alert(1)</script>", data.GetProperty("name").GetString());
        Assert.Equal(canonical, data.GetProperty("url").GetString());
        Assert.Equal("2031-07-01T09:00:00+01:00", data.GetProperty("startDate").GetString());
        Assert.Equal("https://schema.org/EventCancelled", data.GetProperty("eventStatus").GetString());
        Assert.Equal("https://schema.org/MixedEventAttendanceMode", data.GetProperty("eventAttendanceMode").GetString());
        var locations = data.GetProperty("location").EnumerateArray().ToList();
        Assert.Equal("Place", locations[0].GetProperty("@type").GetString());
        Assert.Equal("PostalAddress", locations[0].GetProperty("address").GetProperty("@type").GetString());
        Assert.Equal("Centenary Square", locations[0].GetProperty("address").GetProperty("streetAddress").GetString());
        Assert.Equal("VirtualLocation", locations[1].GetProperty("@type").GetString());
        Assert.Equal("https://meet.example.org/j/1", locations[1].GetProperty("url").GetString());
        var performer = data.GetProperty("performer")[0];
        Assert.Equal("Person", performer.GetProperty("@type").GetString());
        Assert.Equal(speaker.GetProperty("name").GetString(), performer.GetProperty("name").GetString());
        Assert.EndsWith(speaker.GetProperty("pageUrl").GetString()!, performer.GetProperty("url").GetString(), StringComparison.Ordinal);

        var sessionPage = await PageAsync($"/events/{slug}/sessions/{session}");
        Assert.EndsWith($"/events/{slug}/sessions/{session}", sessionPage.QuerySelector("link[rel=canonical]")!.GetAttribute("href"), StringComparison.Ordinal);
        var sessionData = JsonDocument.Parse(sessionPage.QuerySelector("script[type='application/ld+json']")!.TextContent).RootElement;
        Assert.Equal("Session of " + slug, sessionData.GetProperty("name").GetString());
        Assert.Equal("https://schema.org/EventCancelled", sessionData.GetProperty("eventStatus").GetString());
        Assert.Equal(canonical, sessionData.GetProperty("superEvent").GetProperty("url").GetString());
        Assert.NotNull(sessionPage.QuerySelector(".banner-cancelled"));

        // An online-only event has a VirtualLocation alone.
        var online = Unique("online");
        await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", new
        {
            slug = online, title = "Webinar", startsAt = "2031-08-01T09:00", endsAt = "2031-08-01T10:00", timeZone = "Europe/London",
            onlineUrl = "https://meet.example.org/j/2", isPublished = true,
        }));
        var onlineData = JsonDocument.Parse((await PageAsync($"/events/{online}")).QuerySelector("script[type='application/ld+json']")!.TextContent).RootElement;
        Assert.Equal("https://schema.org/OnlineEventAttendanceMode", onlineData.GetProperty("eventAttendanceMode").GetString());
        Assert.Equal("VirtualLocation", onlineData.GetProperty("location").GetProperty("@type").GetString());
        Assert.Equal("https://schema.org/EventScheduled", onlineData.GetProperty("eventStatus").GetString());
    }

    [Fact]
    public async Task Sitemap_lists_published_pages_only_and_robots_keeps_crawlers_out_of_staff_areas()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var speaker = await OkJsonAsync(await editor.PostAsJsonAsync("/api/speakers", new { name = "Mapped " + Guid.NewGuid().ToString("N")[..6] }));
        var hiddenSpeaker = await OkJsonAsync(await editor.PostAsJsonAsync("/api/speakers", new { name = "Unmapped " + Guid.NewGuid().ToString("N")[..6] }));
        var slug = Unique("mapped");
        var created = await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", Event(slug, "2031-05-01T09:00", "2031-05-01T17:00")));
        var session = await SessionAsync(editor, slug, "2031-05-01T10:00", "2031-05-01T11:00", [speaker.GetProperty("id").GetGuid()]);
        var draft = Unique("unmapped");
        var draftCreated = await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", Event(draft, "2031-05-01T09:00", "2031-05-01T17:00", published: false)));
        await SessionAsync(editor, draft, "2031-05-01T10:00", "2031-05-01T11:00", [hiddenSpeaker.GetProperty("id").GetGuid()]);

        var response = await app.AnonymousClient().GetAsync("/sitemap.xml");
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        var sitemap = System.Xml.Linq.XDocument.Parse(await response.Content.ReadAsStringAsync());
        System.Xml.Linq.XNamespace ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
        var paths = sitemap.Descendants(ns + "loc").Select(l => new Uri(l.Value).AbsolutePath).ToList();
        Assert.Contains($"/events/{slug}", paths);
        Assert.Contains($"/events/{slug}/sessions/{session}", paths);
        Assert.Contains(speaker.GetProperty("pageUrl").GetString(), paths);
        Assert.Contains(created.GetProperty("venue").GetProperty("pageUrl").GetString(), paths);
        Assert.DoesNotContain($"/events/{draft}", paths);
        Assert.DoesNotContain(hiddenSpeaker.GetProperty("pageUrl").GetString(), paths);
        Assert.DoesNotContain(draftCreated.GetProperty("venue").GetProperty("pageUrl").GetString(), paths);
        Assert.All(paths, p => Assert.False(p.StartsWith("/staff", StringComparison.Ordinal)));

        var robots = await app.AnonymousClient().GetStringAsync("/robots.txt");
        Assert.Contains("Disallow: /staff/", robots, StringComparison.Ordinal);
        Assert.Contains("Disallow: /api/", robots, StringComparison.Ordinal);
        Assert.Matches(@"Sitemap: https?://[^\s]+/sitemap\.xml", robots);
    }
}

public sealed class SpeakerAndVenuePagesOnSqlite(SqliteApp app) : SpeakerAndVenuePagesTests(app), IClassFixture<SqliteApp>;

public sealed class SpeakerAndVenuePagesOnPostgres(PostgresApp app) : SpeakerAndVenuePagesTests(app), IClassFixture<PostgresApp>;
