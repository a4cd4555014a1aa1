using System.Net.Http.Json;
using LiveHub.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>
/// The staff console's scripts speak the page's language: what they draw (the events list, the live console's
/// controls, states and messages, the questions table) is Welsh on a Welsh page, with a screenshot of the live console.
/// </summary>
public sealed class StaffScriptsInWelshTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Screenshot_of_the_live_console_in_welsh_with_the_scripts_text_in_welsh()
    {
        var api = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var slug = "consol-" + Guid.NewGuid().ToString("N")[..8];
        const string Title = "Uwchgynhadledd band eang";
        (await api.PostAsJsonAsync("/api/events", new
        {
            slug, title = Title, startsAt = "2031-07-01T09:00", endsAt = "2031-07-01T17:00", timeZone = "Europe/London",
            venue = new { name = "Neuadd" }, isPublished = true,
        })).EnsureSuccessStatusCode();
        var editor = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var tab = await browser.NewPageAsync(1024, 900);
        var page = tab.Page;
        await page.SignInAsync(editor.Email!);

        // The events list, drawn by events.js.
        await page.GotoAsync("/staff/?culture=cy");
        var row = page.Locator("#events-body tr", new() { Has = page.Locator($"a[href='/staff/event?slug={slug}']") });
        await Expect(row.Locator("td[data-label='Gwelededd']")).ToHaveTextAsync("Cyhoeddwyd");
        await Expect(row.GetByRole(AriaRole.Link, new() { Name = $"Consol byw ar gyfer {Title}" })).ToHaveTextAsync("Consol byw");
        await Expect(row.GetByRole(AriaRole.Link, new() { Name = $"Golygu {Title}" })).ToHaveTextAsync("Golygu");

        // The live console, drawn by live-console.js.
        await page.GotoAsync($"/staff/live/{slug}");
        await Expect(page).ToHaveTitleAsync($"Consol byw: {Title} · Staff LiveHub");
        await Expect(page.Locator("#page-title")).ToHaveTextAsync($"Consol byw: {Title}");
        await Expect(page.Locator("#live-connection")).ToHaveTextAsync("Yn fyw");
        await Expect(page.Locator("#coverage-state")).ToHaveTextAsync("Heb ddechrau");
        await page.Locator("#coverage-start").ClickAsync();
        await Expect(page.Locator("#page-status")).ToHaveTextAsync($"Mae’r darllediad o “{Title}” wedi dechrau.");
        await Expect(page.Locator("#coverage-state")).ToHaveTextAsync("Yn fyw");

        await page.Locator("#send").ClickAsync();
        await Expect(page.Locator("#page-status")).ToHaveTextAsync("Ysgrifennwch rywbeth (neu atodwch ddelwedd) yn gyntaf.");
        await page.Locator("#compose-body").FillAsync("Mae’r gweinidog yn cyrraedd.");
        await Expect(page.Locator("#compose-count")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ / 300$"));
        await page.Locator("#send").ClickAsync();
        var card = page.Locator("#console-stream article.live-post", new() { HasText = "Mae’r gweinidog yn cyrraedd." });
        await Expect(card).ToHaveCountAsync(1);
        var controls = card.GetByRole(AriaRole.Group, new() { Name = "Camau ar gyfer y neges" });
        foreach (var label in new[] { "Golygu", "Pinio", "Moment allweddol", "Dileu" })
        {
            await Expect(controls.GetByRole(AriaRole.Button, new() { Name = label, Exact = true })).ToBeVisibleAsync();
        }

        await controls.GetByRole(AriaRole.Button, new() { Name = "Golygu", Exact = true }).ClickAsync();
        await Expect(page.Locator("#send")).ToHaveTextAsync("Cadw’r golygiad");
        await Expect(page.Locator("#compose-title")).ToHaveTextAsync("Golygu’r neges");
        var consoleText = await page.Locator("main").InnerTextAsync();
        foreach (var english in new[] { "Save edit", "Edit post", "Key moment", "Not started", "Live console" })
        {
            Assert.DoesNotContain(english, consoleText, StringComparison.Ordinal);
        }

        var path = Path.Combine(ScreenshotFolder.For("cy"), "staff-live.png");
        await page.ScreenshotAsync(new() { Path = path, Type = ScreenshotType.Png, FullPage = true });
        Assert.True(new FileInfo(path).Length > 1_000, $"{path} is empty");
        tab.AssertNoErrors();
    }
}
