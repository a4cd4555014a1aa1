using LiveHub.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>The staff pages driven by a real browser, against the real app, checked on the public pages.</summary>
public sealed class StaffEventEditingTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Editor_creates_an_event_with_a_session_renames_and_cancels_it_and_the_public_page_follows()
    {
        var editor = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var tab = await browser.NewPageAsync();
        var page = tab.Page;
        await page.SignInAsync(editor.Email!);
        await Expect(page).ToHaveURLAsync(browser.BaseUrl + "/staff/");

        await page.GetByRole(AriaRole.Link, new() { Name = "New event" }).ClickAsync();
        var slug = "browser-flow-" + Guid.NewGuid().ToString("N")[..8];
        var form = page.Locator("#event-form");
        await form.GetByLabel("Title").FillAsync("Regional growth roundtable");
        await form.GetByLabel("Web address (slug)").FillAsync(slug);
        await form.GetByLabel("Starts").FillAsync("2030-03-12T09:00");
        await form.GetByLabel("Ends").FillAsync("2030-03-12T17:00");
        await form.GetByLabel("Venue name").FillAsync("The Exchange");
        await form.GetByLabel("Published").CheckAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = "Create event" }).ClickAsync();
        await Expect(page.Locator("#page-status")).ToContainTextAsync("Created “Regional growth roundtable”");
        await Expect(page).ToHaveURLAsync(browser.BaseUrl + "/staff/event?slug=" + slug);

        var sessionForm = page.Locator("#session-form");
        await sessionForm.GetByLabel("Session title").FillAsync("Opening panel");
        await sessionForm.GetByLabel("Starts").FillAsync("2030-03-12T09:30");
        await sessionForm.GetByLabel("Ends").FillAsync("2030-03-12T10:30");
        await sessionForm.GetByLabel("Room").FillAsync("Main hall");
        await sessionForm.GetByRole(AriaRole.Button, new() { Name = "Add session" }).ClickAsync();
        await Expect(page.Locator("#session-list")).ToContainTextAsync("Opening panel");

        await form.GetByLabel("Title").FillAsync("Regional growth roundtable (rescheduled)");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save event" }).ClickAsync();
        await Expect(page.Locator("#page-status")).ToContainTextAsync("Saved “Regional growth roundtable (rescheduled)”");

        await form.GetByLabel("Status", new() { Exact = true }).SelectOptionAsync("cancelled");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save event" }).ClickAsync();
        await Expect(page.Locator("#page-status")).ToContainTextAsync("Saved");

        await page.GotoAsync("/events/" + slug);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Regional growth roundtable (rescheduled)");
        await Expect(page.Locator(".banner-cancelled")).ToContainTextAsync("Cancelled.");
        await Expect(page.Locator(".sessions")).ToContainTextAsync("Opening panel");
        await Expect(page.Locator(".sessions")).ToContainTextAsync("09:30–10:30 · Main hall");
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task Invalid_input_shows_the_servers_reason_next_to_the_field()
    {
        var editor = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var tab = await browser.NewPageAsync();
        var page = tab.Page;
        await page.SignInAsync(editor.Email!, returnUrl: "/staff/event");

        var form = page.Locator("#event-form");
        await form.GetByLabel("Title").FillAsync("Backwards in time");
        await form.GetByLabel("Starts").FillAsync("2030-04-01T17:00");
        await form.GetByLabel("Ends").FillAsync("2030-04-01T09:00");
        await form.GetByLabel("Venue name").FillAsync("The Exchange");
        await form.GetByLabel("Ends").PressAsync("Enter");

        var endsAt = form.GetByLabel("Ends");
        await Expect(endsAt).ToHaveAttributeAsync("aria-invalid", "true");
        var errorId = await endsAt.GetAttributeAsync("aria-describedby");
        Assert.False(string.IsNullOrEmpty(errorId));
        var fieldError = page.Locator("#" + errorId);
        await Expect(fieldError).ToHaveTextAsync("Must be after startsAt.");
        // Next to the field: inside the same field group, just before the input.
        await Expect(page.Locator("[data-field='endsAt'] > .field-error")).ToHaveCountAsync(1);
        await Expect(page.Locator(".error-summary[role='alert']")).ToContainTextAsync("Ends: Must be after startsAt.");
        await Expect(form.GetByLabel("Starts")).Not.ToHaveAttributeAsync("aria-invalid", "true");

        // A value the server cannot even read (a word for a number) is named by its JSON path, and still lands on the field.
        await form.GetByLabel("Ends").FillAsync("2030-04-01T18:00");
        await form.GetByLabel("Latitude").FillAsync("north");
        await form.GetByLabel("Longitude").FillAsync("-1.9");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create event" }).ClickAsync();
        await Expect(form.GetByLabel("Latitude")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("[data-field='venue.latitude'] > .field-error")).ToContainTextAsync("not valid");
        await Expect(form.GetByLabel("Ends")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("[data-field='endsAt'] > .field-error")).ToHaveCountAsync(0);
        tab.AssertNoErrors();
    }
}
