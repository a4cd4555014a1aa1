using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.ICalendar.Serialization;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using ICal = LiveHub.ICalendar;

namespace LiveHub.Tests.Security;

/// <summary>
/// Hostile text in every staff-entered field (and in an imported calendar), then every public page, JSON-LD block,
/// Atom feed, .ics feed and JSON API response that shows it. Each field carries its own marked payload so the sweep
/// proves both that the text arrived (as text, exactly) and that it never became markup.
/// </summary>
public sealed class XssSweepTests(XssSweepApp app) : IClassFixture<XssSweepApp>
{
    [Flags]
    private enum Shown
    {
        None = 0,
        Html = 1,
        Api = 2,
        Ics = 4,
        Atom = 8,
        JsonLd = 16,
    }

    private sealed record Field(string Name, string Value, Shown ShownIn);

    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==");

    private readonly List<Field> _fields = [];

    private string Text(string name, Shown shownIn)
    {
        var value = $"F{_fields.Count:00} {XssPayloads.All[_fields.Count % XssPayloads.All.Count]}";
        _fields.Add(new Field(name, value, shownIn));
        return value;
    }

    private string Url(string name, Shown shownIn)
    {
        var value = XssPayloads.Urls[_fields.Count % XssPayloads.Urls.Count] + $"&f={_fields.Count:00}";
        _fields.Add(new Field(name, value, shownIn));
        return value;
    }

    private static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task Payloads_in_every_staff_field_render_as_text_everywhere()
    {
        var admin = await app.BearerClientAsync(StaffRoles.Admin);
        const Shown Everywhere = Shown.Html | Shown.Api | Shown.Ics;

        // A staff member whose display name is hostile: it is the author of the posts below.
        var email = $"xss-{Guid.NewGuid():N}@example.org";
        var displayName = Text("staff.displayName", Shown.Atom);
        (await OkJsonAsync(await admin.PostAsJsonAsync("/api/staff", new { email, password = LiveHubApp.Password, role = StaffRoles.Editor, displayName }))).GetProperty("id");
        var editor = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        var token = await OkJsonAsync(await editor.PostAsJsonAsync("/api/account/token", new { email, password = LiveHubApp.Password }));
        editor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());

        var speakerName = Text("speaker.name", Everywhere | Shown.JsonLd);
        var speaker = await OkJsonAsync(await editor.PostAsJsonAsync("/api/speakers", new
        {
            name = speakerName,
            role = Text("speaker.role", Shown.Html | Shown.Api | Shown.JsonLd),
            affiliation = Text("speaker.affiliation", Shown.Html | Shown.Api | Shown.JsonLd),
            bio = Text("speaker.bio", Shown.Html | Shown.Api),
            photoUrl = Url("speaker.photoUrl", Shown.Html | Shown.Api | Shown.JsonLd),
            photoAltText = Text("speaker.photoAltText", Shown.Html | Shown.Api),
            links = new[] { Url("speaker.links[0]", Shown.Html | Shown.Api) },
        }));
        var speakerSlug = speaker.GetProperty("slug").GetString()!;
        var chair = await OkJsonAsync(await editor.PostAsJsonAsync("/api/speakers", new { name = Text("chair.name", Everywhere) }));

        var slug = "xss-" + Guid.NewGuid().ToString("N")[..10];
        var eventTitle = Text("event.title", Everywhere | Shown.Atom | Shown.JsonLd);
        var venueName = Text("event.venue.name", Everywhere | Shown.JsonLd);
        var venueAddress = Text("event.venue.address", Everywhere | Shown.JsonLd);
        await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", new
        {
            slug,
            title = eventTitle,
            summary = Text("event.summary", Everywhere),
            description = Text("event.description", Everywhere),
            startsAt = "2030-06-01T09:00",
            endsAt = "2030-06-01T17:00",
            timeZone = "Europe/London",
            venue = new { name = venueName, address = venueAddress, latitude = 51.5, longitude = -0.1 },
            onlineUrl = Url("event.onlineUrl", Everywhere),
            organiser = Text("event.organiser", Shown.Html | Shown.Api),
            imageUrl = Url("event.imageUrl", Shown.Api),
            tags = new[] { "xss-sweep" },
            isPublished = true,
        }));

        var sessionTitle = Text("session.title", Everywhere | Shown.Atom | Shown.JsonLd);
        var session = await OkJsonAsync(await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new
        {
            title = sessionTitle,
            description = Text("session.description", Everywhere),
            startsAt = "2030-06-01T14:00",
            endsAt = "2030-06-01T15:00",
            room = Text("session.room", Everywhere),
            track = Text("session.track", Everywhere),
            chairId = chair.GetProperty("id").GetGuid(),
            speakerIds = new[] { speaker.GetProperty("id").GetGuid() },
        }));
        var sessionId = session.GetProperty("id").GetGuid();
        (await editor.PostAsync($"/api/events/{slug}/sessions/{sessionId}/coverage/start", null)).EnsureSuccessStatusCode();

        // The venue typed into the event is a venue of its own now: its notes and map link are staff text too.
        var venueSlug = (await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}")).GetProperty("venue").GetProperty("slug").GetString()!;
        await OkJsonAsync(await editor.PutAsJsonAsync($"/api/venues/{venueSlug}", new
        {
            name = venueName,
            address = venueAddress,
            latitude = 51.5,
            longitude = -0.1,
            mapUrl = Url("venue.mapUrl", Shown.Html | Shown.Api),
            timeZone = "Europe/London",
            accessibilityNotes = Text("venue.accessibilityNotes", Shown.Html | Shown.Api),
        }));
        (await editor.PostAsync($"/api/events/{slug}/coverage/start", null)).EnsureSuccessStatusCode();

        // A recurring series whose changed date has its own title: shown in the next dates, the API and the feed.
        var seriesSlug = "xss-series-" + Guid.NewGuid().ToString("N")[..10];
        await OkJsonAsync(await editor.PostAsJsonAsync("/api/events", new
        {
            slug = seriesSlug, title = "Weekly series", startsAt = "2030-07-02T10:00", endsAt = "2030-07-02T11:00", timeZone = "Europe/London",
            onlineUrl = "https://meet.example.org/j/series", isPublished = true,
        }));
        await OkJsonAsync(await editor.PutAsJsonAsync($"/api/events/{seriesSlug}/series", new
        {
            rule = "FREQ=WEEKLY;COUNT=3",
            overrides = new[] { new { originalStart = "2030-07-09T10:00", title = Text("series.overrides[0].title", Everywhere) } },
        }));
        var streams = await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams");
        var sessionStream = streams.EnumerateArray().Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String).GetProperty("id").GetGuid();
        var eventStream = streams.EnumerateArray().Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.Null).GetProperty("id").GetGuid();

        async Task Post(Guid stream, object body) => await OkJsonAsync(await editor.PostAsJsonAsync($"/api/streams/{stream}/posts", body));

        const Shown PostShown = Shown.Html | Shown.Api | Shown.Atom | Shown.JsonLd;
        await Post(sessionStream, new { kind = "update", body = Text("post.plain", PostShown) });
        await Post(sessionStream, new { kind = "quote", body = Text("post.quote", PostShown), speakerId = speaker.GetProperty("id").GetGuid() });
        await Post(sessionStream, new { kind = "keyMoment", body = Text("post.keyMoment", PostShown) });
        await Post(sessionStream, new { kind = "update", body = "See the link", linkUrl = Url("post.linkUrl", Shown.Html | Shown.Api) });
        for (var i = 0; i < XssPayloads.Markdown.Count; i++)
        {
            // Markdown syntax changes the text, so only the API (which keeps the source) shows it verbatim.
            var markdown = $"M{i} {XssPayloads.Markdown[i]}";
            _fields.Add(new Field($"post.markdown[{i}]", markdown, Shown.Api));
            await Post(sessionStream, new { kind = "update", body = markdown, format = "markdown" });
        }

        using (var form = new MultipartFormDataContent())
        {
            var file = new ByteArrayContent(Png);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "file", "photo.png");
            form.Add(new StringContent(Text("image.altText", Shown.Html | Shown.Api)), "altText");
            var image = await OkJsonAsync(await editor.PostAsync($"/api/streams/{sessionStream}/images", form));
            await Post(sessionStream, new { body = "Photo", imageIds = new[] { image.GetProperty("id").GetGuid() } });
        }

        await Post(eventStream, new { kind = "update", body = Text("eventStream.post", PostShown) });

        // An approved audience question as the Bluesky poller stores a reply: text anyone wrote, with a link facet
        // to a safe address over part of it and one to a javascript: address (which must never become a link).
        var questionText = Text("question.text", Shown.Html | Shown.Api);
        var linkedUrl = Url("question.link", Shown.Api);
        await app.WithDbAsync(async db =>
        {
            db.Add(new LiveHub.Questions.Question
            {
                StreamId = sessionStream,
                Source = LiveHub.Questions.QuestionSource.Bluesky,
                Status = LiveHub.Questions.QuestionStatus.Approved,
                Text = questionText,
                LinksJson = JsonSerializer.Serialize(new[]
                {
                    new { start = 0, length = 3, uri = linkedUrl },
                    new { start = 4, length = 3, uri = "javascript:alert(document.cookie)" },
                }),
                BlueskyUri = $"at://did:plc:xss{Guid.NewGuid():N}/app.bsky.feed.post/3kxsssweep222",
                AuthorDid = "did:plc:xsssweep",
                AuthorHandle = "asker.example",
                AskedAtUtc = DateTime.UtcNow,
                UpdatedAtUtc = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        });

        // Imported calendar text: SUMMARY, DESCRIPTION and LOCATION carry payloads.
        var importedTitle = Text("import.summary", Everywhere);
        var importedDescription = Text("import.description", Everywhere);
        var importedLocation = "F99 <svg onload=alert(99)> \"quoted\" 'single' </script>";
        _fields.Add(new Field("import.location", importedLocation, Everywhere));
        var importedSlug = await ImportAsync(editor, importedTitle, importedDescription, importedLocation);

        await AssertRefusedAsync(editor, slug);

        // Render everything.
        var anonymous = app.AnonymousClient();
        var origin = app.Server.BaseAddress.GetLeftPart(UriPartial.Authority);
        var html = new List<string>();
        var api = new List<string>();
        var atom = new List<string>();
        var jsonLd = new List<string>();
        var ics = new List<string>();

        var pages = new[]
        {
            "/events", "/events?tag=xss-sweep", $"/events/{slug}", $"/events/{importedSlug}", $"/live/{slug}", $"/live/{slug}/sessions/{sessionId}",
            $"/live/{slug}/sessions/{sessionId}/questions", $"/events/{slug}/sessions/{sessionId}", "/speakers", $"/speakers/{speakerSlug}", "/venues", $"/venues/{venueSlug}", "/agenda",
            "/events?q=" + Uri.EscapeDataString(eventTitle[..3]), $"/events/{seriesSlug}",
        };
        foreach (var page in pages)
        {
            html.AddRange(await RenderPageAsync(anonymous, page, origin, jsonLd));
        }

        // Reflected input: the path and the query string come back in 404 pages and headings.
        foreach (var reflected in new[]
        {
            "/events?tag=" + Uri.EscapeDataString(XssPayloads.All[0]), "/events/" + Uri.EscapeDataString(XssPayloads.All[2]), "/live/" + Uri.EscapeDataString(XssPayloads.All[1]),
            "/events?q=" + Uri.EscapeDataString(XssPayloads.All[1]), "/events?month=" + Uri.EscapeDataString(XssPayloads.All[3]),
            "/speakers/" + Uri.EscapeDataString(XssPayloads.All[4]), "/venues/" + Uri.EscapeDataString(XssPayloads.All[8]),
        })
        {
            await RenderPageAsync(anonymous, reflected, origin, jsonLd, expectOk: false);
        }

        var feeds = new List<string> { $"/live/{slug}/feed.atom", $"/live/{slug}/sessions/{sessionId}/feed.atom" };

        // With no session live, /live/{slug} shows the whole-event stream instead.
        (await editor.PostAsync($"/api/events/{slug}/sessions/{sessionId}/coverage/end", null)).EnsureSuccessStatusCode();

        // Ending the coverage drafted the session's recap (from the hostile key moment and quote); staff give it a
        // hostile title and text too, and publish it: its page, its JSON-LD and its feed entries.
        var recapApi = $"/api/streams/{sessionStream}/recap";
        var recapDraft = await OkJsonAsync(await editor.GetAsync(recapApi));
        api.AddRange(Strings(recapDraft));
        await OkJsonAsync(await editor.PutAsJsonAsync(recapApi, new
        {
            title = Text("recap.title", Shown.Html | Shown.Api | Shown.Atom | Shown.JsonLd),
            body = Text("recap.body", Shown.Api | Shown.JsonLd),
            version = recapDraft.GetProperty("version").GetInt32(),
        }));
        api.AddRange(Strings(await OkJsonAsync(await editor.PostAsync($"{recapApi}/publish", null))));
        html.AddRange(await RenderPageAsync(anonymous, $"/live/{slug}/sessions/{sessionId}/recap", origin, jsonLd));

        // The embeddable widget, and the oEmbed answer whose html other sites paste into their pages.
        html.AddRange(await RenderPageAsync(anonymous, $"/embed/live/{slug}/sessions/{sessionId}", origin, jsonLd));
        html.AddRange(await RenderPageAsync(anonymous, $"/embed/live/{slug}", origin, jsonLd));
        foreach (var target in new[] { $"{origin}/events/{slug}", $"{origin}/live/{slug}/sessions/{sessionId}" })
        {
            var oembed = await OkJsonAsync(await anonymous.GetAsync("/oembed?format=json&url=" + Uri.EscapeDataString(target)));
            var snippet = oembed.GetProperty("html").GetString()!;
            var fragment = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(snippet);
            var frame = Assert.Single(fragment.Body!.Children);
            Assert.Equal("IFRAME", frame.TagName);
            Assert.Empty(frame.Children);
            Assert.Equal(["src", "width", "height", "title", "loading", "sandbox", "style"], frame.Attributes.Select(a => a.Name));
            Assert.StartsWith(origin + "/embed/live/", frame.GetAttribute("src"), StringComparison.Ordinal);
            Assert.Contains(eventTitle, frame.GetAttribute("title"), StringComparison.Ordinal);
            api.Add(oembed.GetProperty("title").GetString()!);
        }

        var wholeEvent = await RenderPageAsync(anonymous, $"/live/{slug}", origin, jsonLd);
        Assert.Contains(_fields.Single(f => f.Name == "eventStream.post").Value, wholeEvent[0], StringComparison.Ordinal);
        html.AddRange(wholeEvent);
        feeds.Add($"/live/{slug}/feed.atom");
        foreach (var feed in feeds)
        {
            var response = await anonymous.GetAsync(feed);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{feed}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
            atom.AddRange(Inertness.AssertInertAtom(await response.Content.ReadAsByteArrayAsync(), feed, origin));
        }

        var eventFeed = await ReadIcsAsync(anonymous, $"/events/{slug}.ics", expectedEvents: 2);
        var sessionFeed = await ReadIcsAsync(anonymous, $"/events/{slug}/sessions/{sessionId}.ics", expectedEvents: 1);
        var importedFeed = await ReadIcsAsync(anonymous, $"/events/{importedSlug}.ics", expectedEvents: 1);
        var allFeed = await ReadIcsAsync(anonymous, "/calendar.ics", expectedEvents: null);
        var tagFeed = await ReadIcsAsync(anonymous, "/calendar/tags/xss-sweep.ics", expectedEvents: 2);
        var seriesFeed = await ReadIcsAsync(anonymous, $"/events/{seriesSlug}.ics", expectedEvents: 2);

        // A personal agenda with the hostile session: its private feed and its API (the /agenda page renders that JSON
        // as text in the browser: AgendaBrowserTests checks that).
        var agenda = await OkJsonAsync(await anonymous.PostAsJsonAsync("/api/agendas", new { sessionIds = new[] { sessionId } }));
        var agendaToken = agenda.GetProperty("token").GetString()!;
        var agendaFeed = await ReadIcsAsync(anonymous, new Uri(agenda.GetProperty("feedUrl").GetString()!).AbsolutePath, expectedEvents: 1);
        Assert.Equal($"{sessionTitle} — {eventTitle}", agendaFeed.Events.Single().Summary);
        using (var agendaRequest = new HttpRequestMessage(HttpMethod.Get, "/api/agenda"))
        {
            agendaRequest.Headers.Add("Agenda-Token", agendaToken);
            var agendaApi = await anonymous.SendAsync(agendaRequest);
            Assert.Equal("application/json", agendaApi.Content.Headers.ContentType?.MediaType);
            var agendaJson = JsonDocument.Parse(await agendaApi.Content.ReadAsStringAsync()).RootElement;
            api.AddRange(Strings(agendaJson));
            Assert.Equal(sessionTitle, agendaJson.GetProperty("sessions")[0].GetProperty("title").GetString());
            Assert.Equal(eventTitle, agendaJson.GetProperty("sessions")[0].GetProperty("eventTitle").GetString());
        }

        foreach (var calendar in new[] { eventFeed, sessionFeed, importedFeed, allFeed, tagFeed, agendaFeed, seriesFeed })
        {
            ics.AddRange(new[] { calendar.Name, calendar.Description }.OfType<string>());
            foreach (var e in calendar.Events)
            {
                ics.AddRange(new[] { e.Summary, e.Description, e.Location }.OfType<string>());
                ics.AddRange(e.Categories);
                ics.AddRange(e.Conferences.Select(c => c.Uri));
            }
        }

        // Exact values where the feed carries a field on its own.
        var vevent = eventFeed.Events.Single(e => e.Summary == eventTitle);
        Assert.Equal($"{venueName}, {venueAddress}", vevent.Location);
        Assert.Contains(eventFeed.Events, e => e.Summary == $"{sessionTitle} — {eventTitle}");
        Assert.Equal(eventTitle, eventFeed.Name);
        var imported = importedFeed.Events.Single();
        Assert.Equal(importedTitle, imported.Summary);
        Assert.Equal(importedLocation, imported.Location);
        Assert.StartsWith(importedDescription, imported.Description, StringComparison.Ordinal);

        foreach (var url in new[]
        {
            "/api/events", $"/api/events/{slug}", $"/api/events/{importedSlug}", $"/api/events/{slug}/sessions/{sessionId}", "/api/speakers",
            $"/api/speakers/{speaker.GetProperty("id").GetGuid()}", $"/api/events/{slug}/streams", $"/api/streams/{sessionStream}",
            $"/api/streams/{sessionStream}/posts", $"/api/streams/{eventStream}/posts", "/api/staff", $"/api/streams/{sessionStream}/audit",
            "/api/venues", $"/api/venues/{venueSlug}", $"/api/events/{seriesSlug}", $"/api/streams/{sessionStream}/questions", "/api/questions",
        })
        {
            var response = await admin.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            api.AddRange(Strings(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement));
        }

        var missing = new List<string>();
        foreach (var field in _fields)
        {
            Check(Shown.Html, html, contains: true);
            Check(Shown.Api, api, contains: false);
            Check(Shown.Ics, ics, contains: true);
            Check(Shown.Atom, atom, contains: true);
            Check(Shown.JsonLd, jsonLd, contains: true);

            void Check(Shown channel, List<string> texts, bool contains)
            {
                var found = contains ? texts.Any(t => t.Contains(field.Value, StringComparison.Ordinal)) : texts.Contains(field.Value);
                if (field.ShownIn.HasFlag(channel) && !found)
                {
                    missing.Add($"{field.Name} not shown as text in {channel}: {field.Value}");
                }
            }
        }

        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
        Assert.True(_fields.Count >= 30, $"only {_fields.Count} fields swept");
    }

    /// <summary>
    /// Characters XML cannot carry (noncharacters, controls, a surrogate pair cut in half by a headline) must not take the
    /// Atom feed or the page down: an abusive or careless post would otherwise break the feed for every reader.
    /// </summary>
    [Fact]
    public async Task Text_that_xml_cannot_carry_does_not_break_the_feed_or_the_page()
    {
        var admin = await app.BearerClientAsync(StaffRoles.Admin);
        var email = $"ctl-{Guid.NewGuid():N}@example.org";
        const string DisplayName = "Night\u0001 editor\u0008\uFFFE";
        (await admin.PostAsJsonAsync("/api/staff", new { email, password = LiveHubApp.Password, role = StaffRoles.Editor, displayName = DisplayName })).EnsureSuccessStatusCode();
        var editor = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        var token = await OkJsonAsync(await editor.PostAsJsonAsync("/api/account/token", new { email, password = LiveHubApp.Password }));
        editor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        var slug = "ctl-" + Guid.NewGuid().ToString("N")[..10];
        (await editor.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        (await editor.PostAsync($"/api/events/{slug}/coverage/start", null)).EnsureSuccessStatusCode();
        var stream = (await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams")).EnumerateArray().Single().GetProperty("id").GetGuid();

        // The headline is the first 109 characters: here that ends between the two halves of an emoji.
        var bodies = new[] { new string('a', 108) + "\U0001F600 and the rest", "Noncharacters \uFFFE\uFFFF and \uFDD0 here", "Title\u2028Second line \U0001F600" };
        foreach (var body in bodies)
        {
            await OkJsonAsync(await editor.PostAsJsonAsync($"/api/streams/{stream}/posts", new { body }));
        }

        // A lone surrogate escaped in the JSON: refused or stored, but never a server error.
        var lone = await editor.PostAsync($"/api/streams/{stream}/posts", new StringContent("{\"body\":\"Lone \\ud83d half\"}", Encoding.UTF8, "application/json"));
        Assert.True(lone.StatusCode is HttpStatusCode.Created or HttpStatusCode.BadRequest, $"lone surrogate: {(int)lone.StatusCode} {await lone.Content.ReadAsStringAsync()}");

        var anonymous = app.AnonymousClient();
        var origin = app.Server.BaseAddress.GetLeftPart(UriPartial.Authority);
        var feed = await anonymous.GetAsync($"/live/{slug}/feed.atom");
        Assert.True(feed.StatusCode == HttpStatusCode.OK, $"feed.atom: {(int)feed.StatusCode}");
        var bytes = await feed.Content.ReadAsByteArrayAsync();
        var texts = Inertness.AssertInertAtom(bytes, "feed.atom", origin);
        Assert.Contains(texts, t => t.Contains("and the rest", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("Night", StringComparison.Ordinal) && t.Contains("editor", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("Second line", StringComparison.Ordinal));

        var jsonLd = new List<string>();
        var page = await RenderPageAsync(anonymous, $"/live/{slug}", origin, jsonLd);
        Assert.Contains(page, t => t.Contains("Noncharacters", StringComparison.Ordinal));
        Assert.Contains(jsonLd, t => t.StartsWith(new string('a', 108), StringComparison.Ordinal) && t.Length < 115);
        Assert.All(jsonLd, t => Assert.False(HasLoneSurrogate(t), $"lone surrogate in JSON-LD: {t}"));
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && (i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1])))
            {
                return true;
            }

            if (char.IsLowSurrogate(text[i]) && (i == 0 || !char.IsHighSurrogate(text[i - 1])))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Fields that only take a constrained value refuse the payloads, naming the field; nothing is stored.</summary>
    private static async Task AssertRefusedAsync(HttpClient editor, string slug)
    {
        var stream = (await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams")).EnumerateArray().First().GetProperty("id").GetGuid();
        var postsBefore = (await editor.GetFromJsonAsync<JsonElement>($"/api/streams/{stream}/posts")).GetProperty("posts").GetArrayLength();
        var eventsBefore = (await editor.GetFromJsonAsync<JsonElement>("/api/events?pageSize=100")).GetProperty("total").GetInt32();
        var speakersBefore = (await editor.GetFromJsonAsync<JsonElement>("/api/speakers")).GetArrayLength();
        var venuesBefore = (await editor.GetFromJsonAsync<JsonElement>("/api/venues")).GetArrayLength();

        object ValidEvent(string? s = null, string[]? tags = null, string? onlineUrl = null, string? imageUrl = null) => new
        {
            slug = s, title = "Refused", startsAt = "2030-06-01T09:00", endsAt = "2030-06-01T17:00", timeZone = "Europe/London",
            venue = new { name = "Hall" }, tags, onlineUrl, imageUrl, isPublished = true,
        };

        foreach (var payload in XssPayloads.All.Take(6))
        {
            await (await editor.PostAsJsonAsync("/api/events", ValidEvent(s: payload))).AssertProblemAsync(HttpStatusCode.BadRequest, "slug");
            await (await editor.PostAsJsonAsync("/api/events", ValidEvent(tags: [payload]))).AssertProblemAsync(HttpStatusCode.BadRequest, "tags[0]");
            await (await editor.PostAsJsonAsync("/api/speakers", new { name = "Refused", blueskyHandle = payload })).AssertProblemAsync(HttpStatusCode.BadRequest, "blueskyHandle");
            await (await editor.PostAsJsonAsync("/api/speakers", new { name = "Refused", slug = payload })).AssertProblemAsync(HttpStatusCode.BadRequest, "slug");
            await (await editor.PostAsJsonAsync("/api/venues", new { name = "Refused", slug = payload })).AssertProblemAsync(HttpStatusCode.BadRequest, "slug");
            await (await editor.PostAsJsonAsync("/api/events", new
            {
                title = "Refused", startsAt = "2030-06-01T09:00", endsAt = "2030-06-01T17:00", timeZone = "Europe/London", venueSlug = payload,
            })).AssertProblemAsync(HttpStatusCode.BadRequest, "venueSlug");
        }

        foreach (var url in XssPayloads.BadUrls)
        {
            await (await editor.PostAsJsonAsync("/api/events", ValidEvent(onlineUrl: url))).AssertProblemAsync(HttpStatusCode.BadRequest, "onlineUrl");
            await (await editor.PostAsJsonAsync("/api/events", ValidEvent(imageUrl: url))).AssertProblemAsync(HttpStatusCode.BadRequest, "imageUrl");
            await (await editor.PostAsJsonAsync($"/api/streams/{stream}/posts", new { body = "Link", linkUrl = url })).AssertProblemAsync(HttpStatusCode.BadRequest, "linkUrl");
            await (await editor.PostAsJsonAsync("/api/speakers", new { name = "Refused", photoUrl = url, photoAltText = "A photo" })).AssertProblemAsync(HttpStatusCode.BadRequest, "photoUrl");
            await (await editor.PostAsJsonAsync("/api/speakers", new { name = "Refused", links = new[] { url } })).AssertProblemAsync(HttpStatusCode.BadRequest, "links[0]");
            await (await editor.PostAsJsonAsync("/api/venues", new { name = "Refused", mapUrl = url })).AssertProblemAsync(HttpStatusCode.BadRequest, "mapUrl");
        }

        foreach (var markdown in XssPayloads.MarkdownWithBadLinks)
        {
            await (await editor.PostAsJsonAsync($"/api/streams/{stream}/posts", new { body = markdown, format = "markdown" })).AssertProblemAsync(HttpStatusCode.BadRequest, "body");
        }

        Assert.Equal(postsBefore, (await editor.GetFromJsonAsync<JsonElement>($"/api/streams/{stream}/posts")).GetProperty("posts").GetArrayLength());
        Assert.Equal(eventsBefore, (await editor.GetFromJsonAsync<JsonElement>("/api/events?pageSize=100")).GetProperty("total").GetInt32());
        Assert.Equal(speakersBefore, (await editor.GetFromJsonAsync<JsonElement>("/api/speakers")).GetArrayLength());
        Assert.Equal(venuesBefore, (await editor.GetFromJsonAsync<JsonElement>("/api/venues")).GetArrayLength());
    }

    private async Task<string> ImportAsync(HttpClient editor, string title, string description, string location)
    {
        var calendar = new ICal.Calendar { ProductId = "-//Hostile//Payloads//EN" };
        calendar.Events.Add(new ICal.CalendarEvent
        {
            Uid = $"xss-{Guid.NewGuid():N}@example.org",
            DtStamp = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            Start = ICal.CalDateTime.FromUtc(new DateTime(2030, 7, 1, 9, 0, 0, DateTimeKind.Utc)),
            End = ICal.CalDateTime.FromUtc(new DateTime(2030, 7, 1, 17, 0, 0, DateTimeKind.Utc)),
            Summary = title,
            Description = description,
            Location = location,
        });
        var content = Convert.ToBase64String(new CalendarSerializer().SerializeToUtf8Bytes(calendar));
        var preview = await OkJsonAsync(await editor.PostAsJsonAsync("/api/import/preview", new { fileName = "hostile.ics", content, publish = true }));
        Assert.Equal(title, preview.GetProperty("items")[0].GetProperty("title").GetString());
        var confirmed = await OkJsonAsync(await editor.PostAsJsonAsync("/api/import/confirm",
            new { fileName = "hostile.ics", content, publish = true, expectedSha256 = preview.GetProperty("sha256").GetString() }));
        Assert.Equal(1, confirmed.GetProperty("created").GetInt32());
        return confirmed.GetProperty("items")[0].GetProperty("slug").GetString()!;
    }

    private static async Task<List<string>> RenderPageAsync(HttpClient client, string url, string origin, List<string> jsonLdTexts, bool expectOk = true)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(!expectOk || response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {Inertness.Excerpt(body)}");
        if (response.Content.Headers.ContentType?.MediaType != "text/html")
        {
            Assert.False(expectOk, $"{url}: {response.Content.Headers.ContentType}");
            return [];
        }

        var texts = Inertness.AssertInertHtml(body, url, origin);
        var parsed = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(body);
        foreach (var script in parsed.QuerySelectorAll("script[type='application/ld+json']"))
        {
            jsonLdTexts.AddRange(Strings(Inertness.AssertJsonLd(script.TextContent, url)));
        }

        return texts;
    }

    private static async Task<ICal.Calendar> ReadIcsAsync(HttpClient client, string url, int? expectedEvents)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var count = expectedEvents ?? Encoding.UTF8.GetString(bytes).Split("\r\nBEGIN:VEVENT\r\n").Length - 1;
        return IcsStructure.AssertWellFormed(bytes, url, count);
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        _ => [],
    };
}

/// <summary>The sweep's app: audience questions switched on, so their panel and board are rendered too.</summary>
public class XssSweepApp : SqliteApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Questions:Enabled"] = "true" };
}
