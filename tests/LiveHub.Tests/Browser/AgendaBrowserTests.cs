using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>
/// "Add to my agenda" on an event page, the /agenda page (list, private feed links, remove, new link, another device,
/// delete), the session's own "Add to calendar" links, on a phone and a desktop. Session text is hostile: it must
/// show as text and never run.
/// </summary>
public sealed class AgendaBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Hostile = "<img src=x onerror=\"window.__xss=1\"> Panel & \"friends\"";

    private async Task<(string Slug, string HostileId, string OtherId)> CreateEventAsync()
    {
        var editor = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var slug = "agenda-" + Guid.NewGuid().ToString("N")[..8];
        (await editor.PostAsJsonAsync("/api/events", new
        {
            slug,
            title = "Agenda test day",
            startsAt = "2030-06-01T09:00",
            endsAt = "2030-06-01T17:00",
            timeZone = "Europe/London",
            venue = new { name = "The Exchange", address = "Centenary Square, Birmingham" },
            isPublished = true,
        })).EnsureSuccessStatusCode();
        async Task<string> Session(string title, string start, string end)
        {
            var response = await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title, startsAt = start, endsAt = end, room = "Main hall" });
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        return (slug, await Session(Hostile, "2030-06-01T10:00", "2030-06-01T11:00"), await Session("Closing remarks", "2030-06-01T16:00", "2030-06-01T17:00"));
    }

    private static ILocator SessionItem(IPage page, string id) => page.Locator($"#session-{id}");

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 900)]
    public async Task An_attendee_builds_an_agenda_subscribes_to_its_private_feed_and_manages_it(int width, int height)
    {
        var (slug, hostileId, otherId) = await CreateEventAsync();
        await using var tab = await browser.NewPageAsync(width, height);
        var page = tab.Page;
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        using var http = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };

        // The event page: each session has its own calendar links and an agenda button.
        await page.GotoAsync($"/events/{slug}");
        var hostile = SessionItem(page, hostileId);
        await hostile.GetByText("Add to calendar").ClickAsync();
        await Expect(hostile.GetByRole(AriaRole.Link, new() { Name = "Download this session (.ics file)" }))
            .ToHaveAttributeAsync("href", $"/events/{slug}/sessions/{hostileId}.ics?download=1");
        await Expect(hostile.GetByRole(AriaRole.Link, new() { Name = "Subscribe in your calendar app" }))
            .ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex($"^webcal://127\\.0\\.0\\.1:\\d+/events/{slug}/sessions/{hostileId}\\.ics$"));
        await Expect(hostile.GetByRole(AriaRole.Link, new() { Name = "Google Calendar" })).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^https://calendar\\.google\\.com/calendar/render\\?cid=http"));
        await Expect(hostile.GetByRole(AriaRole.Link, new() { Name = "Outlook.com or Microsoft 365" })).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^https://outlook\\.live\\.com/calendar/0/addfromweb\\?url="));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/events/{slug}/sessions/{hostileId}.ics?download=1")).StatusCode);
        await AssertFitsAsync(page);
        await page.ScreenshotAsync(new() { Path = Screenshot($"event-sessions-{width}.jpg"), Type = ScreenshotType.Jpeg, Quality = 70, FullPage = true, Clip = await ClipAsync(hostile) });

        var add = hostile.GetByRole(AriaRole.Button, new() { Name = "Add to my agenda" });
        await add.ClickAsync();
        await Expect(hostile.GetByRole(AriaRole.Button, new() { Name = "Remove from my agenda" })).ToBeVisibleAsync();
        await Expect(page.Locator("#agenda-announcer")).ToContainTextAsync("Added");
        await SessionItem(page, otherId).GetByRole(AriaRole.Button, new() { Name = "Add to my agenda" }).ClickAsync();
        await Expect(SessionItem(page, otherId).GetByRole(AriaRole.Button, new() { Name = "Remove from my agenda" })).ToBeVisibleAsync();

        // The agenda page lists both, as text, and gives the private feed.
        await page.GetByRole(AriaRole.Link, new() { Name = "My agenda" }).ClickAsync();
        var list = page.Locator("#agenda-sessions > li");
        await Expect(list).ToHaveCountAsync(2);
        await Expect(list.First.Locator("h3 a")).ToHaveTextAsync(Hostile);
        Assert.Equal(0, await page.Locator("#agenda-sessions img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"), "A session title ran as script.");
        var feedUrl = await page.Locator("#agenda-feed-url").InputValueAsync();
        Assert.Matches($"^{browser.BaseUrl.Replace(".", "\\.")}/agenda/[A-Za-z0-9_-]{{43}}\\.ics$", feedUrl);
        await Expect(page.Locator("#agenda-webcal")).ToHaveAttributeAsync("href", "webcal://" + feedUrl["http://".Length..]);
        var feed = await http.GetStringAsync(feedUrl);
        Assert.Contains($"UID:{hostileId}", feed);
        Assert.Contains($"UID:{otherId}", feed);
        await AssertFitsAsync(page);
        await page.ScreenshotAsync(new() { Path = Screenshot($"agenda-{width}.jpg"), Type = ScreenshotType.Jpeg, Quality = 70, FullPage = true });

        // Remove one.
        await list.Nth(1).GetByRole(AriaRole.Button).ClickAsync();
        await Expect(list).ToHaveCountAsync(1);
        Assert.DoesNotContain($"UID:{otherId}", await http.GetStringAsync(feedUrl));

        // Another device opens the manage link: same agenda; the token leaves the address bar at once.
        var manageUrl = await page.Locator("#agenda-manage-url").InputValueAsync();
        await using (var other = await browser.NewPageAsync(width, height))
        {
            await other.Page.GotoAsync(manageUrl);
            await Expect(other.Page.Locator("#agenda-sessions > li")).ToHaveCountAsync(1);
            Assert.DoesNotContain("token", other.Page.Url, StringComparison.Ordinal);
            other.AssertNoErrors();
        }

        // A new link: the old feed stops working, the new one has the same sessions.
        await page.GetByRole(AriaRole.Button, new() { Name = "Get a new private link" }).ClickAsync();
        await Expect(page.Locator("#agenda-feed-url")).Not.ToHaveValueAsync(feedUrl);
        var newFeedUrl = await page.Locator("#agenda-feed-url").InputValueAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(feedUrl)).StatusCode);
        Assert.Contains($"UID:{hostileId}", await http.GetStringAsync(newFeedUrl));

        // Delete: the feed is gone and the page offers a fresh start.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete my agenda" }).ClickAsync();
        await Expect(page.Locator("#agenda-empty")).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(newFeedUrl)).StatusCode);
        tab.AssertNoErrors();
    }

    private static async Task AssertFitsAsync(IPage page)
    {
        var (scrollWidth, innerWidth) = (await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth"), await page.EvaluateAsync<int>("innerWidth"));
        Assert.True(scrollWidth <= innerWidth, $"{page.Url} is {scrollWidth}px wide on a {innerWidth}px screen.");
    }

    /// <summary>The element's area on the full page (bounding boxes are relative to the viewport, which may have scrolled).</summary>
    private static async Task<Clip> ClipAsync(ILocator locator)
    {
        var box = (await locator.BoundingBoxAsync())!;
        var scrollY = await locator.Page.EvaluateAsync<float>("() => window.scrollY");
        return new Clip { X = 0, Y = Math.Max(0, box.Y + scrollY - 10), Width = box.X + box.Width + 10, Height = box.Height + 20 };
    }

    /// <summary>Screenshots go to the test output (LIVEHUB_SCREENSHOTS overrides), to look at; the test does not judge them.</summary>
    private static string Screenshot(string name)
    {
        var folder = Environment.GetEnvironmentVariable("LIVEHUB_SCREENSHOTS") is { Length: > 0 } configured ? configured : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
