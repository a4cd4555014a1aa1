using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>
/// The speaker, venue, session and search pages in Chromium: they fit a phone and a desktop with no CSP or script
/// errors, the venue-time toggle works from the keyboard and is remembered across pages, and quotes arriving on the
/// live page link to their speaker just as the server-rendered ones do.
/// </summary>
public sealed class SpeakerVenueAndTimePagesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private sealed record Created(string EventSlug, Guid SessionId, string SpeakerUrl, Guid SpeakerId, string VenueUrl);

    private async Task<Created> CreateAsync()
    {
        var editor = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var speaker = await (await editor.PostAsJsonAsync("/api/speakers", new
        {
            name = "Professor Supercalifragilistic-Expialidocious " + Guid.NewGuid().ToString("N")[..6],
            role = "Chair of regional-infrastructure-investment-and-very-long-titles", affiliation = "University of Birmingham",
            links = new[] { "https://example.org/a/very/long/path/that/does/not/break/anywhere/naturally/at/all/ok" },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var slug = "times-" + Guid.NewGuid().ToString("N")[..8];
        var created = await editor.PostAsJsonAsync("/api/events", new
        {
            slug, title = "Summer policy forum", startsAt = "2031-07-01T09:00", endsAt = "2031-07-01T17:00", timeZone = "Europe/London",
            venue = new { name = "Venue " + slug, address = "Centenary Square, Birmingham", latitude = 52.4797, longitude = -1.9082 },
            onlineUrl = "https://meet.example.org/j/1", tags = new[] { "forum" }, isPublished = true,
        });
        created.EnsureSuccessStatusCode();
        var venueUrl = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("venue").GetProperty("pageUrl").GetString()!;
        var session = await (await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new
        {
            title = "Opening panel", startsAt = "2031-07-01T10:00", endsAt = "2031-07-01T11:00", speakerIds = new[] { speaker.GetProperty("id").GetGuid() },
        })).Content.ReadFromJsonAsync<JsonElement>();
        return new Created(slug, session.GetProperty("id").GetGuid(), speaker.GetProperty("pageUrl").GetString()!, speaker.GetProperty("id").GetGuid(), venueUrl);
    }

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 900)]
    public async Task The_new_pages_fit_the_screen_without_csp_or_script_errors(int width, int height)
    {
        var c = await CreateAsync();
        await using var tab = await browser.NewPageAsync(width, height);
        var page = tab.Page;
        foreach (var url in new[]
        {
            "/speakers", c.SpeakerUrl, "/venues", c.VenueUrl, $"/events/{c.EventSlug}/sessions/{c.SessionId}", $"/events/{c.EventSlug}",
            "/events?q=forum&pageSize=1", "/events?month=2031-07",
        })
        {
            await page.GotoAsync(url);
            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            var (scrollWidth, innerWidth) = (await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth"), await page.EvaluateAsync<int>("innerWidth"));
            Assert.True(scrollWidth <= innerWidth, $"{url} is {scrollWidth}px wide on a {innerWidth}px screen.");
        }

        tab.AssertNoErrors();
    }

    [Fact]
    public async Task The_time_toggle_works_from_the_keyboard_and_is_remembered_on_the_next_page()
    {
        var c = await CreateAsync();
        await using var tab = await browser.NewPageAsync(timeZone: "America/New_York");
        var page = tab.Page;
        await page.GotoAsync($"/events/{c.EventSlug}");
        var when = page.Locator(".facts .local-time-text");
        await Expect(when).ToHaveTextAsync("Tue 1 Jul 2031, 09:00–17:00");
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Show times in my time zone" });
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(page.Locator("[data-time-toggle-note]")).ToContainTextAsync("venue time: Europe/London");

        await toggle.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(when).ToHaveTextAsync("Tue 1 Jul 2031, 04:00–12:00");
        await Expect(page.Locator(".facts .local-time-zone")).ToContainTextAsync("America/New York");
        await Expect(page.Locator("[data-time-toggle-note]")).ToContainTextAsync("your time zone: America/New York");
        await Expect(page.Locator(".sessions .session-time .local-time-text").First).ToHaveTextAsync("05:00–06:00");

        // Another page remembers the choice.
        await page.GotoAsync($"/events/{c.EventSlug}/sessions/{c.SessionId}");
        var sessionToggle = page.GetByRole(AriaRole.Button, new() { Name = "Show times in my time zone" });
        await Expect(sessionToggle).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator(".facts .local-time-text")).ToHaveTextAsync("Tue 1 Jul 2031, 05:00–06:00");

        // Space switches back to venue time, and that is remembered too.
        await sessionToggle.FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Expect(sessionToggle).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(page.Locator(".facts .local-time-text")).ToHaveTextAsync("Tue 1 Jul 2031, 10:00–11:00");
        await page.GotoAsync(c.SpeakerUrl);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Show times in my time zone" })).ToHaveAttributeAsync("aria-pressed", "false");
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task A_quote_arriving_on_the_live_page_links_to_its_speaker()
    {
        var c = await CreateAsync();
        var editor = await browser.App.BearerClientAsync(StaffRoles.Editor);
        (await editor.PostAsync($"/api/events/{c.EventSlug}/sessions/{c.SessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        var stream = (await editor.GetFromJsonAsync<JsonElement>($"/api/events/{c.EventSlug}/streams")).EnumerateArray()
            .Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String).GetProperty("id").GetGuid();
        (await editor.PostAsJsonAsync($"/api/streams/{stream}/posts", new { kind = "quote", body = "Rendered by the server", speakerId = c.SpeakerId })).EnsureSuccessStatusCode();

        await using var tab = await browser.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync($"/live/{c.EventSlug}/sessions/{c.SessionId}");
        await Expect(page.Locator("#live-connection")).ToHaveTextAsync("Live");
        (await editor.PostAsJsonAsync($"/api/streams/{stream}/posts", new { kind = "quote", body = "Pushed over SignalR", speakerId = c.SpeakerId })).EnsureSuccessStatusCode();

        var pushed = page.Locator("#live-feed > article.live-post", new() { HasText = "Pushed over SignalR" });
        await Expect(pushed.Locator("figcaption a.speaker-link")).ToHaveAttributeAsync("href", c.SpeakerUrl);
        var served = page.Locator("#live-feed > article.live-post", new() { HasText = "Rendered by the server" });
        await Expect(served.Locator("figcaption a.speaker-link")).ToHaveAttributeAsync("href", c.SpeakerUrl);
        Assert.Equal(await served.Locator("figcaption").InnerTextAsync(), await pushed.Locator("figcaption").InnerTextAsync());

        await pushed.Locator("figcaption a.speaker-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(c.SpeakerUrl) + "$"));
        await Expect(page.Locator(".speaker-quotes blockquote")).ToHaveCountAsync(2);
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task Editing_a_speaker_in_the_staff_page_keeps_and_changes_the_photo_and_links()
    {
        var editor = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var name = "Photo Keeper " + Guid.NewGuid().ToString("N")[..6];
        var created = await (await editor.PostAsJsonAsync("/api/speakers", new
        {
            name, photoUrl = "https://images.example.org/keeper.jpg", photoAltText = "A portrait", links = new[] { "https://example.org/keeper" },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var staff = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var tab = await browser.NewPageAsync();
        var page = tab.Page;
        await page.SignInAsync(staff.Email!);
        await page.GotoAsync("/staff/speakers");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit {name}" }).ClickAsync();
        await Expect(page.Locator("#photoUrl")).ToHaveValueAsync("https://images.example.org/keeper.jpg");
        await Expect(page.Locator("#links")).ToHaveValueAsync("https://example.org/keeper");
        await page.Locator("#role").FillAsync("Keynote speaker");
        await page.Locator("#links").FillAsync("https://example.org/keeper\nhttps://orcid.org/0000-0002-1825-0097");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save speaker" }).ClickAsync();
        await Expect(page.Locator("#page-status")).ToContainTextAsync($"Saved {name}.");

        var saved = await editor.GetFromJsonAsync<JsonElement>($"/api/speakers/{created.GetProperty("id").GetGuid()}");
        Assert.Equal("Keynote speaker", saved.GetProperty("role").GetString());
        Assert.Equal("https://images.example.org/keeper.jpg", saved.GetProperty("photoUrl").GetString());
        Assert.Equal("A portrait", saved.GetProperty("photoAltText").GetString());
        Assert.Equal(["https://example.org/keeper", "https://orcid.org/0000-0002-1825-0097"], saved.GetProperty("links").EnumerateArray().Select(l => l.GetString()));
        tab.AssertNoErrors();
    }
}
