using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>Keyboard-only use: no mouse clicks anywhere in these tests.</summary>
public sealed class KeyboardTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_sign_in_form_can_be_completed_with_tab_typing_and_enter()
    {
        var editor = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var tab = await browser.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync("/staff/login");
        await Expect(page).ToHaveURLAsync(browser.BaseUrl + "/staff/login");

        await TabToAsync(page, "email");
        await page.Keyboard.TypeAsync(editor.Email!);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("password", await FocusedIdAsync(page));
        await page.Keyboard.TypeAsync("not the password at all");
        await page.Keyboard.PressAsync("Enter");

        // The failure is announced (role=alert) and takes focus; the password is cleared for another try.
        var summary = page.Locator(".error-summary[role='alert']");
        await Expect(summary).ToContainTextAsync("The email address or password is not correct.");
        await Expect(summary).ToBeFocusedAsync();
        await Expect(page.Locator("#password")).ToHaveValueAsync("");

        await TabToAsync(page, "password");
        await page.Keyboard.TypeAsync(LiveHubApp.Password);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(browser.BaseUrl + "/staff/");
        await Expect(page.Locator("#staff-user")).ToHaveTextAsync(LiveHub.Staff.StaffNames.DefaultDisplayName);
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task The_skip_link_is_the_first_tab_stop_visible_when_focused_and_moves_to_the_content()
    {
        await using var tab = await browser.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync("/events");
        await page.Keyboard.PressAsync("Tab");
        var skipLink = page.Locator(".skip-link");
        await Expect(skipLink).ToBeFocusedAsync();
        await Expect(skipLink).ToBeInViewportAsync();
        Assert.NotEqual("none", await skipLink.EvaluateAsync<string>("link => getComputedStyle(link).outlineStyle"));

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("main")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.True(await page.EvaluateAsync<bool>("document.querySelector('main').contains(document.activeElement)"),
            "The next tab stop after the skip link target should be inside the main content.");
        tab.AssertNoErrors();
    }

    /// <summary>Presses Tab until the element with this id has focus (it may already have it: autofocus).</summary>
    private static async Task TabToAsync(IPage page, string id)
    {
        for (var presses = 0; presses < 12; presses++)
        {
            if (await FocusedIdAsync(page) == id)
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"#{id} could not be reached with Tab; focus is on #{await FocusedIdAsync(page)}.");
    }

    private static Task<string> FocusedIdAsync(IPage page) => page.EvaluateAsync<string>("document.activeElement?.id ?? ''");
}
