using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using LiveHub.Staff;
using LiveHub.Tests.Calendar;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;
using static LiveHub.Tests.Calendar.CalendarTestHelpers;

namespace LiveHub.Tests.Localisation;

/// <summary>Content in Welsh and English: stored through the API, shown in the reader's language, in JSON-LD and in per-language feeds.</summary>
public abstract class BilingualContentTests(LiveHubApp app)
{
    private static readonly HtmlParser Parser = new();

    private async Task<(string Slug, string SessionId)> CreateBilingualEventAsync()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("dwyieithog");
        var created = await editor.PostAsJsonAsync("/api/events", new
        {
            slug, title = "Rural broadband", summary = "How villages get connected.", description = "A day on rural connectivity.",
            titleCy = "Band eang gwledig", summaryCy = "Sut mae pentrefi’n cael eu cysylltu.", descriptionCy = "Diwrnod am gysylltedd gwledig.",
            startsAt = "2030-07-09T09:00", endsAt = "2030-07-09T17:00", timeZone = "Europe/London",
            venue = new { name = "Neuadd y Dref" }, isPublished = true,
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var session = await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new
        {
            title = "Opening panel", titleCy = "Panel agoriadol", description = "Who pays?", descriptionCy = "Pwy sy’n talu?",
            startsAt = "2030-07-09T10:00", endsAt = "2030-07-09T11:00",
        });
        Assert.True(session.IsSuccessStatusCode, await session.Content.ReadAsStringAsync());
        return (slug, (await session.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    private async Task<IHtmlDocument> PageAsync(string path, string language)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept-Language", language);
        var response = await app.AnonymousClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_api_keeps_both_languages()
    {
        var (slug, _) = await CreateBilingualEventAsync();

        var e = await (await app.BearerClientAsync(StaffRoles.Editor)).GetFromJsonAsync<JsonElement>($"/api/events/{slug}");

        Assert.Equal("Rural broadband", e.GetProperty("title").GetString());
        Assert.Equal("Band eang gwledig", e.GetProperty("titleCy").GetString());
        Assert.Equal("Diwrnod am gysylltedd gwledig.", e.GetProperty("descriptionCy").GetString());
        Assert.Equal("Panel agoriadol", e.GetProperty("sessions")[0].GetProperty("titleCy").GetString());
    }

    [Fact]
    public async Task Welsh_text_without_a_welsh_title_or_too_long_is_refused_naming_the_field()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("refused");
        var body = new
        {
            slug, title = "Title", descriptionCy = "Disgrifiad heb deitl.", summaryCy = new string('a', 501),
            startsAt = "2030-07-09T09:00", endsAt = "2030-07-09T17:00", timeZone = "Europe/London", venue = new { name = "Hall" },
        };

        var response = await editor.PostAsJsonAsync("/api/events", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("titleCy", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("summaryCy", out _), problem.ToString());
    }

    [Fact]
    public async Task Pages_show_the_readers_language_with_a_link_to_the_other()
    {
        var (slug, sessionId) = await CreateBilingualEventAsync();

        var welsh = await PageAsync($"/events/{slug}", "cy");
        Assert.Equal("Band eang gwledig", welsh.QuerySelector("h1")!.TextContent);
        Assert.Equal("Sut mae pentrefi’n cael eu cysylltu.", welsh.QuerySelector(".lead")!.TextContent);
        Assert.Contains("Diwrnod am gysylltedd gwledig.", welsh.QuerySelector(".description")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Panel agoriadol", welsh.QuerySelector(".sessions h3 a")!.TextContent);
        var toEnglish = welsh.QuerySelector(".other-language a")!;
        Assert.Equal("Read in English", toEnglish.TextContent);
        Assert.Equal("en-GB", toEnglish.GetAttribute("lang"));
        Assert.EndsWith("culture=en", toEnglish.GetAttribute("href"), StringComparison.Ordinal);

        var english = await PageAsync($"/events/{slug}", "en-GB");
        Assert.Equal("Rural broadband", english.QuerySelector("h1")!.TextContent);
        Assert.Null(english.QuerySelector("h1")!.GetAttribute("lang"));
        Assert.Equal("Darllen yn Gymraeg", english.QuerySelector(".other-language a")!.TextContent);
        Assert.Equal("cy", english.QuerySelector(".other-language a")!.GetAttribute("lang"));

        var session = await PageAsync($"/events/{slug}/sessions/{sessionId}", "cy");
        Assert.Equal("Panel agoriadol", session.QuerySelector("h1 span")!.TextContent);
        Assert.Contains("Pwy sy’n talu?", session.QuerySelector(".description")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task English_only_content_on_a_welsh_page_is_marked_as_english()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = Slug("english-only");
        (await editor.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();

        var welsh = await PageAsync($"/events/{slug}", "cy");

        Assert.Equal("cy", welsh.DocumentElement.GetAttribute("lang"));
        Assert.Equal("en-GB", welsh.QuerySelector("h1")!.GetAttribute("lang"));
        Assert.Null(welsh.QuerySelector(".other-language"));
    }

    [Fact]
    public async Task Pages_have_hreflang_alternates_and_json_ld_in_the_readers_language()
    {
        var (slug, sessionId) = await CreateBilingualEventAsync();

        foreach (var path in new[] { $"/events/{slug}", $"/events/{slug}/sessions/{sessionId}" })
        {
            var welsh = await PageAsync(path, "cy");
            var alternates = welsh.QuerySelectorAll("link[rel=alternate][hreflang]").ToDictionary(l => l.GetAttribute("hreflang")!, l => l.GetAttribute("href")!);
            Assert.Equal($"{CalendarSettings.PublicBaseUrl}{path}?culture=cy", alternates["cy"]);
            Assert.Equal($"{CalendarSettings.PublicBaseUrl}{path}?culture=en", alternates["en"]);
            Assert.Equal($"{CalendarSettings.PublicBaseUrl}{path}", alternates["x-default"]);

            var jsonLd = JsonDocument.Parse(welsh.QuerySelector("script[type='application/ld+json']")!.TextContent).RootElement;
            Assert.Equal("cy", jsonLd.GetProperty("inLanguage").GetString());
        }

        var english = JsonDocument.Parse((await PageAsync($"/events/{slug}", "en")).QuerySelector("script[type='application/ld+json']")!.TextContent).RootElement;
        Assert.Equal("en-GB", english.GetProperty("inLanguage").GetString());
        Assert.Equal("Rural broadband", english.GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_welsh_feed_names_itself_in_welsh_and_marks_the_language_of_its_texts()
    {
        var (slug, sessionId) = await CreateBilingualEventAsync();
        var englishOnly = Slug("saesneg");
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        (await editor.PostAsJsonAsync("/api/events", Event(englishOnly, tags: ["dwyieithog-tag"]))).EnsureSuccessStatusCode();

        var welsh = Unfold(await app.AnonymousClient().GetStringAsync($"/events/{slug}.ics?lang=cy"));
        Assert.Contains("NAME;LANGUAGE=cy:Band eang gwledig", welsh);
        Assert.Contains("X-WR-CALNAME:Band eang gwledig", welsh);
        Assert.Contains(welsh, l => l.StartsWith("DESCRIPTION;LANGUAGE=cy:Sut mae pentrefi", StringComparison.Ordinal));
        Assert.Contains("SUMMARY;LANGUAGE=cy:Band eang gwledig", welsh);
        Assert.Contains("SUMMARY;LANGUAGE=cy:Panel agoriadol — Band eang gwledig", welsh);
        Assert.Contains(welsh, l => l.StartsWith("DESCRIPTION;LANGUAGE=cy:Rhan o Band eang gwledig.", StringComparison.Ordinal));
        Assert.Contains($"SOURCE;VALUE=URI:{CalendarSettings.PublicBaseUrl}/events/{slug}.ics?lang=cy", welsh);

        var english = Unfold(await app.AnonymousClient().GetStringAsync($"/events/{slug}.ics"));
        Assert.Contains("X-WR-CALNAME:Rural broadband", english);
        Assert.Contains("SUMMARY:Rural broadband", english);
        Assert.DoesNotContain(english, l => l.Contains("LANGUAGE=", StringComparison.Ordinal));

        var all = Unfold(await app.AnonymousClient().GetStringAsync("/calendar.ics?lang=cy"));
        Assert.Contains("X-WR-CALNAME:Digwyddiadau LiveHub", all);
        Assert.Contains($"SUMMARY;LANGUAGE=en:Event {englishOnly}", all);

        var session = Unfold(await app.AnonymousClient().GetStringAsync($"/events/{slug}/sessions/{sessionId}.ics?lang=cy"));
        Assert.Contains("X-WR-CALNAME:Panel agoriadol — Band eang gwledig", session);

        var parsed = Ical.Net.Calendar.Load(await app.AnonymousClient().GetStringAsync($"/events/{slug}.ics?lang=cy"))!;
        Assert.Contains(parsed.Events, e => e.Summary == "Band eang gwledig");
    }

    [Fact]
    public async Task An_unknown_feed_language_is_a_problem_naming_lang()
    {
        var (slug, _) = await CreateBilingualEventAsync();

        var response = await app.AnonymousClient().GetAsync($"/events/{slug}.ics?lang=fr");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("lang", out _));
    }

    [Fact]
    public async Task A_bilingual_live_update_shows_in_the_readers_language()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var posted = await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { kind = "update", body = "The minister arrives.", bodyCy = "Mae’r gweinidog yn cyrraedd." });
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        var post = await posted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Mae’r gweinidog yn cyrraedd.", post.GetProperty("bodyCy").GetString());
        Assert.Contains("Mae’r gweinidog yn cyrraedd.", post.GetProperty("htmlCy").GetString(), StringComparison.Ordinal);

        var welsh = await PageAsync($"/live/{live.Slug}/sessions/{live.SessionId}", "cy");
        var english = await PageAsync($"/live/{live.Slug}/sessions/{live.SessionId}", "en");

        Assert.Equal("Mae’r gweinidog yn cyrraedd.", welsh.QuerySelector("#live-feed .post-body")!.TextContent.Trim());
        Assert.Equal("The minister arrives.", english.QuerySelector("#live-feed .post-body")!.TextContent.Trim());
        Assert.Equal("Yn fyw nawr", welsh.GetElementById("live-state")!.TextContent.Trim());

        var embed = await PageAsync($"/embed/live/{live.Slug}/sessions/{live.SessionId}", "cy");
        Assert.Equal("cy", embed.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Mae’r gweinidog yn cyrraedd.", embed.QuerySelector("#embed-feed .post-body")!.TextContent.Trim());
        Assert.Equal("Y darllediad llawn ar LiveHub", embed.GetElementById("embed-full-link")!.TextContent);
        Assert.NotNull(embed.GetElementById("livehub-strings"));
    }

    [Fact]
    public async Task A_welsh_update_needs_its_english_too()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);

        var response = await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { kind = "update", bodyCy = "Cymraeg yn unig." });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("bodyCy", out _), problem.ToString());
    }
}

public sealed class BilingualContentOnSqlite(CalendarSqliteApp app) : BilingualContentTests(app), IClassFixture<CalendarSqliteApp>;

public sealed class BilingualContentOnPostgres(CalendarPostgresApp app) : BilingualContentTests(app), IClassFixture<CalendarPostgresApp>;
