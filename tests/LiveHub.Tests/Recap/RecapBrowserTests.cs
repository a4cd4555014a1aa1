using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Tests.Browser;
using LiveHub.Tests.Live;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Recap;

/// <summary>
/// An editor edits and publishes the draft recap in the staff page; readers of the live page then find it. A Welsh reader
/// gets the recap page in Welsh: its text, the Welsh titles of the event and session, the date in Welsh.
/// </summary>
public sealed class RecapBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_editor_edits_and_publishes_the_recap_and_the_live_page_links_to_it()
    {
        var live = await LiveTestSupport.LiveSessionAsync(browser.App);
        await live.PostAsync("Everyone agrees: ship it", kind: "keyMoment");
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/end", null)).EnsureSuccessStatusCode();

        var editor = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var staff = await browser.NewPageAsync();
        var console = staff.Page;
        await console.SignInAsync(editor.Email!, returnUrl: $"/staff/recap/{live.Slug}");
        await Expect(console).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/staff/recap/{live.Slug}"));
        var panel = console.Locator($"#recap-{live.StreamId}");
        await Expect(panel.GetByLabel("Title")).ToHaveValueAsync("Recap: Panel");
        await Expect(panel.GetByLabel("Recap")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(@"- \*\*\d\d:\d\d\*\* Everyone agrees: ship it"));
        await Expect(panel.Locator("[role=status]")).ToHaveTextAsync("Draft: not published.");

        // A bad edit is refused next to its field.
        await panel.GetByLabel("Title").FillAsync("");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Expect(panel.Locator(".field-error")).ToContainTextAsync("required");

        await panel.GetByLabel("Title").FillAsync("Ship it: the panel in brief");
        await panel.GetByLabel("Recap").FillAsync("The panel agreed to **ship it**.");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Expect(panel.Locator("[role=status]")).ToContainTextAsync("Published.");
        await Expect(panel.GetByRole(AriaRole.Link, new() { Name = "View the recap" })).ToBeVisibleAsync();

        await using var reader = await browser.NewPageAsync();
        await reader.Page.GotoAsync($"/live/{live.Slug}/sessions/{live.SessionId}");
        await reader.Page.GetByRole(AriaRole.Link, new() { Name = "Read the recap of Panel" }).ClickAsync();
        await Expect(reader.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/live/{live.Slug}/sessions/{live.SessionId}/recap$"));
        await Expect(reader.Page.Locator("h1")).ToHaveTextAsync("Ship it: the panel in brief");
        await Expect(reader.Page.Locator("#recap-body strong")).ToHaveTextAsync("ship it");

        staff.AssertNoErrors();
        reader.AssertNoErrors();
    }

    [Fact]
    public async Task Screenshot_of_the_recap_page_in_welsh_with_welsh_titles_and_date()
    {
        var editor = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var slug = "crynodeb-" + Guid.NewGuid().ToString("N")[..8];
        (await editor.PostAsJsonAsync("/api/events", new
        {
            slug, title = "Rural broadband summit", titleCy = "Uwchgynhadledd band eang gwledig",
            startsAt = "2031-07-01T09:00", endsAt = "2031-07-01T17:00", timeZone = "Europe/London", venue = new { name = "Neuadd" }, isPublished = true,
        })).EnsureSuccessStatusCode();
        var session = await (await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new
        {
            title = "Opening panel", titleCy = "Panel agoriadol", startsAt = "2031-07-01T10:00", endsAt = "2031-07-01T11:00",
        })).Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = session.GetProperty("id").GetGuid();
        var streams = await editor.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams");
        var streamId = streams.EnumerateArray().Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String).GetProperty("id").GetGuid();
        (await editor.PostAsync($"/api/events/{slug}/sessions/{sessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        (await editor.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { kind = "keyMoment", body = "Every village by 2030.", bodyCy = "Pob pentref erbyn 2030." })).EnsureSuccessStatusCode();
        (await editor.PostAsync($"/api/events/{slug}/sessions/{sessionId}/coverage/end", null)).EnsureSuccessStatusCode();
        var draft = await editor.GetFromJsonAsync<JsonElement>($"/api/streams/{streamId}/recap");
        (await editor.PutAsJsonAsync($"/api/streams/{streamId}/recap", new
        {
            title = "Y panel mewn pum munud", body = "Cytunodd y panel ar **bob pentref erbyn 2030**.", version = draft.GetProperty("version").GetInt32(),
        })).EnsureSuccessStatusCode();
        (await editor.PostAsync($"/api/streams/{streamId}/recap/publish", null)).EnsureSuccessStatusCode();

        await using var tab = await browser.NewPageAsync(1024, 800, locale: "cy");
        var page = tab.Page;
        await page.GotoAsync($"/live/{slug}/sessions/{sessionId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Darllen crynodeb Panel agoriadol" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/live/{slug}/sessions/{sessionId}/recap$"));
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "cy");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Y panel mewn pum munud");
        await Expect(page.Locator(".live-context a")).ToHaveTextAsync("Uwchgynhadledd band eang gwledig");
        await Expect(page.Locator(".live-context a")).Not.ToHaveAttributeAsync("lang", new System.Text.RegularExpressions.Regex("."));
        await Expect(page.Locator(".recap-live-link a")).ToHaveTextAsync("Y darllediad byw llawn o Panel agoriadol");
        await Expect(page.Locator("meta[name=description]")).ToHaveAttributeAsync("content", "Crynodeb o Panel agoriadol yn Uwchgynhadledd band eang gwledig.");

        // The date in Welsh, in venue time: the same instant as the machine-readable datetime.
        var time = page.Locator(".recap-meta time");
        var instant = DateTimeOffset.Parse((await time.GetAttributeAsync("datetime"))!, CultureInfo.InvariantCulture);
        var venueTime = TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));
        await Expect(time).ToHaveTextAsync(venueTime.ToString("d MMMM yyyy, HH:mm", CultureInfo.GetCultureInfo("cy-GB")) + " (Europe/London)");
        await Expect(page.Locator(".recap-meta")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\s*Cyhoeddwyd \d.* \(Europe/London\) gan \S"));
        Assert.DoesNotContain("Published", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);

        var path = Path.Combine(ScreenshotFolder.For("cy"), "recap.png");
        await page.ScreenshotAsync(new() { Path = path, Type = ScreenshotType.Png });
        Assert.True(new FileInfo(path).Length > 1_000, $"{path} is empty");
        tab.AssertNoErrors();
    }
}
