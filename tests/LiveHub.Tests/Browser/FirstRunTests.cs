using LiveHub.Tests.Seeding;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>A fresh start with the demo on, replaying a post every second.</summary>
public sealed class DemoBrowserFixture() : BrowserFixture(new KestrelApp(DemoTests.DemoSettings("00:00:01")));

/// <summary>What a newcomer sees on a first run: from / to a live session whose updates arrive over SignalR.</summary>
public sealed class FirstRunTests(DemoBrowserFixture browser) : IClassFixture<DemoBrowserFixture>
{
    private const string Feed = "#live-feed > article.live-post";

    [Fact]
    public async Task Opening_the_home_page_leads_to_a_live_session_where_updates_arrive_without_a_reload()
    {
        await using var tab = await browser.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync("/");
        var upcoming = page.Locator("section[aria-labelledby='upcoming-heading']");
        await Expect(upcoming.GetByRole(AriaRole.Link, new() { Name = "Second Place Partnership Conference (demo replay)" })).ToBeVisibleAsync();

        await upcoming.GetByRole(AriaRole.Link, new() { Name = "Second Place Partnership Conference (demo replay)" }).ClickAsync();
        await Expect(page.Locator(".badge-live")).ToHaveTextAsync("Live now");
        await page.GetByRole(AriaRole.Link, new() { Name = "Follow this session live" }).ClickAsync();

        await Expect(page.Locator("#live-state")).ToContainTextAsync("Live now");
        await Expect(page.Locator("#live-connection")).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        var before = await page.Locator(Feed).CountAsync();
        // At least one update arrives over SignalR while the page stays open.
        await Expect(page.Locator(Feed)).Not.ToHaveCountAsync(before, new() { Timeout = 30_000 });
        Assert.True(await page.Locator(Feed).CountAsync() > before);
        await Expect(page.Locator("#live-announcer")).ToContainTextAsync("new update", new() { Timeout = 30_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "The live page was reloaded.");
        // The audience's side: the demo's approved questions, and the form to ask one.
        await Expect(page.Locator("#live-questions")).ToContainTextAsync("Could secondments like the Japanese ones");
        await Expect(page.Locator("#live-questions textarea")).ToBeVisibleAsync();
        tab.AssertNoErrors();
    }
}
