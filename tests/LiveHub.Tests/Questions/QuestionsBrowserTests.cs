using System.Net.Http.Json;
using LiveHub.Staff;
using LiveHub.Tests.Browser;
using LiveHub.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Questions;

public sealed class QuestionsBrowserFixture() : BrowserFixture(new KestrelApp(new Dictionary<string, string?> { ["Questions:Enabled"] = "true" }));

/// <summary>
/// A question typed on the live page waits for a moderator, and once approved appears on the live page and on the
/// board without a reload; the board is worked from the keyboard. Every wait is on a DOM condition.
/// </summary>
public sealed class QuestionsBrowserTests(QuestionsBrowserFixture browser) : IClassFixture<QuestionsBrowserFixture>
{
    private const string Question = "Will the evidence base be shared with the combined authority?";

    [Fact]
    public async Task A_question_from_the_live_page_approved_by_staff_appears_on_the_live_page_and_the_board()
    {
        var editor = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var slug = "ask-" + Guid.NewGuid().ToString("N")[..8];
        (await editor.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        (await editor.PostAsync($"/api/events/{slug}/coverage/start", null)).EnsureSuccessStatusCode();

        await using var attendee = await browser.NewPageAsync();
        var page = attendee.Page;
        await page.GotoAsync($"/live/{slug}");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-connection", "live");
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        await Expect(page.Locator("#questions-empty")).ToBeVisibleAsync();

        await using var boardTab = await browser.NewPageAsync(width: 1920, height: 1080);
        var board = boardTab.Page;
        await board.GotoAsync($"/live/{slug}/questions");
        await Expect(board.Locator("#board")).ToHaveAttributeAsync("data-connection", "live");

        // Ask: the form answers in place and the question is not shown yet.
        await page.GetByLabel("Your question").FillAsync(Question);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send question" }).ClickAsync();
        await Expect(page.Locator("#ask-status")).ToContainTextAsync("once a moderator has approved it");
        await Expect(page.GetByLabel("Your question")).ToHaveValueAsync("");
        await Expect(page.Locator("#questions-list > li")).ToHaveCountAsync(0);

        // A moderator approves it on the staff questions page.
        var moderator = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var staffTab = await browser.NewPageAsync();
        var staff = staffTab.Page;
        await staff.SignInAsync(moderator.Email!, "/staff/questions");
        await staff.GotoAsync("/staff/questions");
        var row = staff.Locator("#questions tr", new() { HasText = Question });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("an attendee");
        await row.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(staff.Locator("#page-status")).ToContainTextAsync("Approved");

        // Pushed to the live page and the board, no reload.
        var shown = page.Locator("#questions-list > li");
        await Expect(shown).ToHaveCountAsync(1);
        await Expect(shown.First).ToContainTextAsync(Question);
        await Expect(shown.First).ToContainTextAsync("an attendee");
        await Expect(page.Locator("#questions-empty")).ToBeHiddenAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "The live page was reloaded.");
        var onBoard = board.Locator("#questions-list > li");
        await Expect(onBoard).ToHaveCountAsync(1);
        await Expect(onBoard.First).ToContainTextAsync(Question);

        // The board from the keyboard: select, spotlight, back; answered questions can be hidden.
        await board.Keyboard.PressAsync("j");
        await Expect(onBoard.First).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bselected\b"));
        await Expect(onBoard.First).ToBeFocusedAsync();
        await board.Keyboard.PressAsync("Enter");
        await Expect(board.Locator("#board")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bspotlight\b"));
        await board.Keyboard.PressAsync("Escape");
        await Expect(board.Locator("#board")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bspotlight\b"));

        await staff.Locator("#status-filter").SelectOptionAsync("approved");
        await staff.Locator("#questions tr", new() { HasText = Question }).GetByRole(AriaRole.Button, new() { Name = "Mark answered" }).ClickAsync();
        await Expect(onBoard.First).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\banswered\b"));
        await Expect(shown.First).ToContainTextAsync("Answered");
        await board.Keyboard.PressAsync("h");
        await Expect(onBoard.First).ToBeHiddenAsync();

        attendee.AssertNoErrors();
        boardTab.AssertNoErrors();
        staffTab.AssertNoErrors();
    }

    [Fact]
    public async Task A_refused_question_says_why_in_the_form()
    {
        var editor = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var slug = "ask-" + Guid.NewGuid().ToString("N")[..8];
        (await editor.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        (await editor.PostAsync($"/api/events/{slug}/coverage/start", null)).EnsureSuccessStatusCode();

        await using var attendee = await browser.NewPageAsync();
        var page = attendee.Page;
        await page.GotoAsync($"/live/{slug}");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-connection", "live");
        await page.GetByLabel("Your question").FillAsync("<img src=x onerror=alert(1)> hello?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send question" }).ClickAsync();
        await Expect(page.Locator("#ask-status")).ToContainTextAsync("HTML");
        await Expect(page.Locator("#questions-list img")).ToHaveCountAsync(0);
    }
}
