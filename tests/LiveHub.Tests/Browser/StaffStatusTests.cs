using System.Net.Http.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>The staff status page in a real browser: an attendee opening a live page shows up as a viewer of its stream.</summary>
public sealed class StaffStatusTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_editor_sees_a_new_viewer_of_live_coverage_and_that_everything_is_flowing()
    {
        var client = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var slug = "status-" + Guid.NewGuid().ToString("N")[..8];
        (await client.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        (await client.PostAsync($"/api/events/{slug}/coverage/start", null)).EnsureSuccessStatusCode();

        var editor = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var staff = await browser.NewPageAsync();
        await staff.Page.SignInAsync(editor.Email!, returnUrl: "/staff/status");
        await Expect(staff.Page.Locator("h1")).ToHaveTextAsync("Status");
        await Expect(staff.Page.Locator("#overall")).ToHaveTextAsync("Everything is flowing.");
        var row = staff.Page.Locator("#streams tr", new() { Has = staff.Page.Locator($"a[href='/staff/live/{slug}']") });
        await Expect(row.Locator("td[data-label='Viewers']")).ToHaveTextAsync("0");

        await using var attendee = await browser.NewPageAsync();
        await attendee.Page.GotoAsync($"/live/{slug}");
        await Expect(attendee.Page.Locator("#live")).ToHaveAttributeAsync("data-connection", "live");

        await staff.Page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Expect(row.Locator("td[data-label='Viewers']")).ToHaveTextAsync("1");
        await Expect(row.Locator("td[data-label='Coverage']")).ToHaveTextAsync("Live");
        await Expect(staff.Page.Locator("#checks")).ToContainTextAsync("database");
        staff.AssertNoErrors();
        attendee.AssertNoErrors();
    }
}
