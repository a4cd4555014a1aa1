using LiveHub.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

public static class StaffSignIn
{
    /// <summary>Signs in through the sign-in page, as a person would, and waits for the staff events list.</summary>
    public static async Task SignInAsync(this IPage page, string email, string returnUrl = "")
    {
        await page.GotoAsync("/staff/login" + (returnUrl.Length > 0 ? "?returnUrl=" + Uri.EscapeDataString(returnUrl) : ""));
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(LiveHubApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // The header shows the public name (never the email); these test accounts have none, so the default.
        await Expect(page.Locator("#staff-user")).ToHaveTextAsync(LiveHub.Staff.StaffNames.DefaultDisplayName);
    }
}
