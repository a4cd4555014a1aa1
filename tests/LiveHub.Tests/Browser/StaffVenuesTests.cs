using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>The staff venues page in Chromium: an editor adds a venue, fixes a mistake the server names, edits it, and the public page follows.</summary>
public sealed class StaffVenuesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 900)]
    public async Task An_editor_adds_and_edits_a_venue_and_its_public_page_shows_it(int width, int height)
    {
        var editor = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var tab = await browser.NewPageAsync(width, height);
        var page = tab.Page;
        await page.SignInAsync(editor.Email!);
        await page.GotoAsync("/staff/venues");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Venues");

        var slug = "hall-" + Guid.NewGuid().ToString("N")[..8];
        var form = page.Locator("#venue-form");
        await form.GetByLabel("Name", new() { Exact = true }).FillAsync("Alan Walters Building");
        await form.GetByLabel("Web address").FillAsync(slug);
        await form.GetByLabel("Address", new() { Exact = true }).FillAsync("Edgbaston, Birmingham B15 2TT");
        await form.GetByLabel("Map link").FillAsync("https://www.openstreetmap.org/#map=18/52.4508/-1.9305");
        await form.GetByLabel("Time zone").FillAsync("Europe/Nowhere");
        await form.GetByLabel("Access information").FillAsync("Step-free entrance on the north side; hearing loop in room 201.");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add venue" }).ClickAsync();
        // The server's reason appears next to the field.
        await Expect(form.Locator("[data-field=timeZone]")).ToContainTextAsync("IANA");

        await form.GetByLabel("Time zone").FillAsync("Europe/London");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add venue" }).ClickAsync();
        await Expect(page.Locator("#page-status")).ToContainTextAsync("Added Alan Walters Building.");
        var row = page.Locator($"#venue-{slug}");
        await Expect(row).ToContainTextAsync("Edgbaston, Birmingham B15 2TT");

        await row.GetByRole(AriaRole.Button, new() { Name = "Edit Alan Walters Building" }).ClickAsync();
        await Expect(form.GetByLabel("Time zone")).ToHaveValueAsync("Europe/London");
        await form.GetByLabel("Name", new() { Exact = true }).FillAsync("Alan Walters Building (University of Birmingham)");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save venue" }).ClickAsync();
        await Expect(page.Locator("#page-status")).ToContainTextAsync("Saved Alan Walters Building (University of Birmingham).");

        var (scrollWidth, innerWidth) = (await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("innerWidth"));
        Assert.True(scrollWidth <= innerWidth, $"/staff/venues is {scrollWidth}px wide on a {innerWidth}px screen.");

        // The venue becomes public once a published event is held there.
        var api = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var created = await api.PostAsJsonAsync("/api/events", new
        {
            title = "Seminar at " + slug, startsAt = "2031-02-03T10:00", endsAt = "2031-02-03T12:00", timeZone = "Europe/London", venueSlug = slug, isPublished = true,
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        Assert.Equal(slug, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("venue").GetProperty("slug").GetString());
        await page.GotoAsync($"/venues/{slug}");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Alan Walters Building (University of Birmingham)");
        await Expect(page.Locator("main")).ToContainTextAsync("hearing loop in room 201");
        tab.AssertNoErrors();
    }
}
