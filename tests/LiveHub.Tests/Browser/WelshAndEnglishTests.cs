using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>
/// The site in Welsh and English in Chromium: the switch on every page and its memory, a Welsh browser getting Welsh,
/// the scripts' text in the page's language, bilingual live updates, and a screenshot of each main page in Welsh
/// (written to docs/screenshots/cy when LIVEHUB_SCREENSHOTS=docs, else to a temporary folder: see ScreenshotFolder).
/// </summary>
public sealed class WelshAndEnglishTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private sealed record Created(string Slug, Guid SessionId, Guid StreamId, string SpeakerUrl, string VenueUrl, HttpClient Editor);

    private async Task<Created> CreateAsync()
    {
        var editor = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var speaker = await (await editor.PostAsJsonAsync("/api/speakers", new
        {
            name = "Dr Siân Hughes " + Guid.NewGuid().ToString("N")[..4], role = "Darlithydd", affiliation = "Prifysgol Aberystwyth",
            bio = "Researches rural connectivity.", bioCy = "Mae’n ymchwilio i gysylltedd gwledig.",
        })).Content.ReadFromJsonAsync<JsonElement>();
        var slug = "cymraeg-" + Guid.NewGuid().ToString("N")[..8];
        var created = await editor.PostAsJsonAsync("/api/events", new
        {
            slug, title = "Rural broadband summit", titleCy = "Uwchgynhadledd band eang gwledig",
            summary = "How Welsh villages get connected.", summaryCy = "Sut mae pentrefi Cymru’n cael eu cysylltu.",
            description = "Councils, providers and communities on reaching every village.", descriptionCy = "Cynghorau, darparwyr a chymunedau ar gyrraedd pob pentref.",
            startsAt = "2031-07-01T09:00", endsAt = "2031-07-01T17:00", timeZone = "Europe/London",
            venue = new { name = "Neuadd Pantycelyn " + slug[^4..], address = "Penglais, Aberystwyth", latitude = 52.4153, longitude = -4.0829 },
            tags = new[] { "cymru" }, isPublished = true,
        });
        created.EnsureSuccessStatusCode();
        var venueUrl = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("venue").GetProperty("pageUrl").GetString()!;
        var session = await (await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new
        {
            title = "Opening panel", titleCy = "Panel agoriadol", description = "Who pays for the last mile?", descriptionCy = "Pwy sy’n talu am y filltir olaf?",
            startsAt = "2031-07-01T10:00", endsAt = "2031-07-01T11:00", speakerIds = new[] { speaker.GetProperty("id").GetGuid() },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = session.GetProperty("id").GetGuid();
        var streams = await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams");
        var streamId = streams.EnumerateArray().Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String).GetProperty("id").GetGuid();
        (await editor.PostAsync($"/api/events/{slug}/sessions/{sessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        return new Created(slug, sessionId, streamId, speaker.GetProperty("pageUrl").GetString()!, venueUrl, editor);
    }

    [Fact]
    public async Task The_switch_changes_the_language_and_the_choice_is_remembered()
    {
        var c = await CreateAsync();
        await using var tab = await browser.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync($"/events/{c.Slug}");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Rural broadband summit");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en-GB");

        await page.GetByRole(AriaRole.Link, new() { Name = "Cymraeg" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Uwchgynhadledd band eang gwledig");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "cy");
        await Expect(page.Locator(".facts .local-time-text")).ToHaveTextAsync("Maw 1 Gorff 2031, 09:00–17:00");

        await page.GotoAsync("/speakers");
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Siaradwyr");

        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Speakers");
        await page.GotoAsync("/venues");
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Venues");
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task A_welsh_browser_gets_welsh_and_the_scripts_speak_welsh()
    {
        var c = await CreateAsync();
        await using var tab = await browser.NewPageAsync(locale: "cy", timeZone: "America/New_York");
        var page = tab.Page;
        await page.GotoAsync($"/events/{c.Slug}");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Uwchgynhadledd band eang gwledig");

        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Dangos amseroedd yn fy nghylchfa amser" });
        await Expect(page.Locator("[data-time-toggle-note]")).ToContainTextAsync("Mae’r amseroedd yn amser y lleoliad: Europe/London");
        await toggle.ClickAsync();
        await Expect(page.Locator("[data-time-toggle-note]")).ToContainTextAsync("Mae’r amseroedd yn eich cylchfa amser: America/New York");
        await Expect(page.Locator(".agenda-toggle").First).ToHaveTextAsync("Ychwanegu at fy agenda");
        await toggle.ClickAsync();
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task Live_updates_arrive_in_the_readers_language()
    {
        var c = await CreateAsync();
        await using var welshTab = await browser.NewPageAsync(locale: "cy");
        await using var englishTab = await browser.NewPageAsync(locale: "en-GB");
        foreach (var tab in new[] { welshTab, englishTab })
        {
            await tab.Page.GotoAsync($"/live/{c.Slug}/sessions/{c.SessionId}");
        }

        await Expect(welshTab.Page.Locator("#live-connection")).ToHaveTextAsync("Yn fyw");
        await Expect(englishTab.Page.Locator("#live-connection")).ToHaveTextAsync("Live");
        (await c.Editor.PostAsJsonAsync($"/api/streams/{c.StreamId}/posts", new { kind = "update", body = "The minister arrives.", bodyCy = "Mae’r gweinidog yn cyrraedd." })).EnsureSuccessStatusCode();

        await Expect(welshTab.Page.Locator("#live-feed .post-body").First).ToHaveTextAsync("Mae’r gweinidog yn cyrraedd.");
        await Expect(englishTab.Page.Locator("#live-feed .post-body").First).ToHaveTextAsync("The minister arrives.");
        await Expect(welshTab.Page.Locator("#live-feed .share-copy").First).ToHaveTextAsync("Copïo’r ddolen");
        welshTab.AssertNoErrors();
        englishTab.AssertNoErrors();
    }

    [Fact]
    public async Task Screenshots_of_each_main_page_in_welsh_with_no_english_chrome()
    {
        var c = await CreateAsync();
        (await c.Editor.PostAsJsonAsync($"/api/streams/{c.StreamId}/posts", new { kind = "keyMoment", body = "Every village by 2030, the minister says.", bodyCy = "Pob pentref erbyn 2030, medd y gweinidog." })).EnsureSuccessStatusCode();
        var folder = ScreenshotFolder.For("cy");
        await using var tab = await browser.NewPageAsync(1024, 800, locale: "cy");
        var page = tab.Page;
        var pages = new (string Name, string Url, string Heading)[]
        {
            ("events", "/events", "Digwyddiadau"),
            ("event", $"/events/{c.Slug}", "Uwchgynhadledd band eang gwledig"),
            ("session", $"/events/{c.Slug}/sessions/{c.SessionId}", "Panel agoriadol"),
            ("live", $"/live/{c.Slug}/sessions/{c.SessionId}", "Panel agoriadol"),
            ("speakers", "/speakers", "Siaradwyr"),
            ("speaker", c.SpeakerUrl, "Dr Siân Hughes"),
            ("venues", "/venues", "Lleoliadau"),
            ("venue", c.VenueUrl, "Neuadd Pantycelyn"),
            ("agenda", "/agenda", "Fy agenda"),
        };
        foreach (var (name, url, heading) in pages)
        {
            await page.GotoAsync(url);
            await Expect(page.Locator("main h1")).ToContainTextAsync(heading);
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "cy");
            var navigation = await page.Locator("header nav").First.InnerTextAsync();
            Assert.Contains("Digwyddiadau", navigation, StringComparison.Ordinal);
            Assert.DoesNotContain("Events", navigation, StringComparison.Ordinal);
            var path = Path.Combine(folder, $"{name}.png");
            await page.ScreenshotAsync(new() { Path = path, Type = ScreenshotType.Png });
            Assert.True(new FileInfo(path).Length > 1_000, $"{path} is empty");
        }

        tab.AssertNoErrors();
    }

    [Fact]
    public async Task Screenshot_of_the_staff_console_in_welsh_with_welsh_navigation()
    {
        var c = await CreateAsync();
        var editor = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var tab = await browser.NewPageAsync(1024, 800);
        var page = tab.Page;

        // ?culture=cy on the sign-in page: the form is Welsh, and the choice is remembered for the console.
        await page.GotoAsync("/staff/login?culture=cy");
        await page.GetByLabel("Cyfeiriad e-bost").FillAsync(editor.Email!);
        await page.GetByLabel("Cyfrinair", new() { Exact = true }).FillAsync(LiveHub.Tests.Infrastructure.LiveHubApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Mewngofnodi" }).ClickAsync();
        await Expect(page.Locator("#staff-user")).ToHaveTextAsync(StaffNames.DefaultDisplayName);

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "cy");
        await Expect(page).ToHaveTitleAsync("Digwyddiadau · Staff LiveHub");
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Digwyddiadau");
        var navigation = page.Locator("header nav[aria-label=Staff]");
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Siaradwyr" })).ToBeVisibleAsync();
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Lleoliadau" })).ToBeVisibleAsync();
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Mewnforio" })).ToBeVisibleAsync();
        await Expect(navigation.GetByRole(AriaRole.Button, new() { Name = "Allgofnodi" })).ToBeVisibleAsync();
        Assert.DoesNotContain("Speakers", await navigation.InnerTextAsync(), StringComparison.Ordinal);
        // The page's script still finds its elements: the events list fills in.
        await Expect(page.Locator("#events-body")).ToContainTextAsync("Rural broadband summit");

        var path = Path.Combine(ScreenshotFolder.For("cy"), "staff-events.png");
        await page.ScreenshotAsync(new() { Path = path, Type = ScreenshotType.Png });
        Assert.True(new FileInfo(path).Length > 1_000, $"{path} is empty");

        // Another staff page keeps the remembered Welsh; the switch goes back to English.
        await navigation.GetByRole(AriaRole.Link, new() { Name = "Lleoliadau" }).ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Lleoliadau");
        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Venues");
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Speakers" })).ToBeVisibleAsync();
        tab.AssertNoErrors();
    }
}
