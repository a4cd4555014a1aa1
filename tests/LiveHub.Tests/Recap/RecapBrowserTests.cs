using LiveHub.Staff;
using LiveHub.Tests.Browser;
using LiveHub.Tests.Live;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Recap;

/// <summary>An editor edits and publishes the draft recap in the staff page; readers of the live page then find it.</summary>
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
}
