using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Tests.Browser;
using LiveHub.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Questions;

/// <summary>Its own app: this test sends three questions, more than the default per-minute limit leaves beside the other class's.</summary>
public sealed class WelshQuestionsBrowserFixture() : BrowserFixture(new KestrelApp(new Dictionary<string, string?>
{
    ["Questions:Enabled"] = "true",
    ["Questions:WebQuestionsPerMinute"] = "20",
}));

/// <summary>
/// Audience questions for a Welsh reader: the panel, the form's answers (from the script), the questions as pushed
/// (asker, also asked, answered), the board and the moderators' page, all in Welsh; a screenshot of the board in docs/screenshots/cy.
/// </summary>
public sealed class WelshQuestionsBrowserTests(WelshQuestionsBrowserFixture browser) : IClassFixture<WelshQuestionsBrowserFixture>
{
    private const string Question = "Pryd fydd y rhwydwaith yn cyrraedd Ceredigion?";

    [Fact]
    public async Task Screenshot_of_the_questions_board_in_welsh_with_the_live_page_questions_in_welsh()
    {
        var editor = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var slug = "cwestiynau-" + Guid.NewGuid().ToString("N")[..8];
        (await editor.PostAsJsonAsync("/api/events", new
        {
            slug, title = "Rural broadband summit", titleCy = "Uwchgynhadledd band eang gwledig",
            startsAt = "2031-07-01T09:00", endsAt = "2031-07-01T17:00", timeZone = "Europe/London", venue = new { name = "Neuadd" }, isPublished = true,
        })).EnsureSuccessStatusCode();
        (await editor.PostAsync($"/api/events/{slug}/coverage/start", null)).EnsureSuccessStatusCode();

        await using var attendee = await browser.NewPageAsync(locale: "cy");
        var page = attendee.Page;
        await page.GotoAsync($"/live/{slug}");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-connection", "live");
        await Expect(page.Locator("#questions-title")).ToHaveTextAsync("Cwestiynau’r gynulleidfa");
        await Expect(page.Locator("#questions-empty")).ToHaveTextAsync("Does dim cwestiynau wedi’u cymeradwyo eto.");

        // The form answers in Welsh (the script's text, not the API's English).
        await page.GetByLabel("Eich cwestiwn").FillAsync(Question);
        await page.GetByRole(AriaRole.Button, new() { Name = "Anfon cwestiwn" }).ClickAsync();
        await Expect(page.Locator("#ask-status")).ToHaveTextAsync("Diolch: bydd eich cwestiwn yn ymddangos ar ôl i gymedrolwr ei gymeradwyo.");

        var anonymous = browser.App.AnonymousClient();
        var streamId = await page.Locator("#live-questions").GetAttributeAsync("data-stream-id");
        (await anonymous.PostAsJsonAsync($"/api/streams/{streamId}/questions", new { text = "Pwy sy’n talu am y filltir olaf?" })).EnsureSuccessStatusCode();
        var pending = await editor.GetFromJsonAsync<JsonElement>($"/api/questions?status=pending&streamId={streamId}");
        var first = pending.EnumerateArray().Single(q => q.GetProperty("text").GetString() == Question).GetProperty("id").GetGuid();
        var second = pending.EnumerateArray().Single(q => q.GetProperty("text").GetString() != Question).GetProperty("id").GetGuid();
        (await editor.PostAsync($"/api/questions/{first}/approve", null)).EnsureSuccessStatusCode();
        (await editor.PostAsJsonAsync($"/api/questions/{second}/merge", new { into = first })).EnsureSuccessStatusCode();
        (await editor.PostAsJsonAsync($"/api/questions/{first}/answered", new { answered = true })).EnsureSuccessStatusCode();

        // Pushed to the page and drawn by the script, in Welsh.
        var shown = page.Locator("#questions-list > li");
        await Expect(shown).ToHaveCountAsync(1);
        await Expect(shown.First.Locator(".asker")).ToHaveTextAsync("un o’r gynulleidfa");
        await Expect(shown.First.Locator(".also-asked")).ToHaveTextAsync(" · gofynnwyd hefyd gan 1 arall");
        await Expect(shown.First.Locator(".answered-label")).ToHaveTextAsync(" · Atebwyd");

        // The board, rendered by the server in Welsh.
        await using var boardTab = await browser.NewPageAsync(width: 1280, height: 800, locale: "cy");
        var board = boardTab.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = "Agor y bwrdd cwestiynau" }).WaitForAsync();
        await board.GotoAsync($"/live/{slug}/questions");
        await Expect(board.Locator("#board")).ToHaveAttributeAsync("data-connection", "live");
        await Expect(board.Locator("html")).ToHaveAttributeAsync("lang", "cy");
        await Expect(board.Locator("h1")).ToHaveTextAsync("Cwestiynau: Uwchgynhadledd band eang gwledig");
        await Expect(board).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("^Cwestiynau: Uwchgynhadledd band eang gwledig"));
        await Expect(board.Locator("#board-keys")).ToContainTextAsync("Bysellau: j/k neu’r saethau i symud");
        var onBoard = board.Locator("#questions-list > li");
        await Expect(onBoard.First.Locator(".also-asked")).ToHaveTextAsync(" · gofynnwyd hefyd gan 1 arall");
        await Expect(onBoard.First.Locator(".answered-label")).ToHaveTextAsync(" · Atebwyd");
        await Expect(board.Locator("#board-connection")).ToHaveTextAsync("");
        var boardText = await board.Locator("#main").InnerTextAsync();
        foreach (var english in new[] { "Questions", "Keys", "Answered", "also asked", "Back to" })
        {
            Assert.DoesNotContain(english, boardText, StringComparison.Ordinal);
        }

        var path = Path.Combine(ScreenshotFolder.For("cy"), "questions-board.png");
        await board.ScreenshotAsync(new() { Path = path, Type = ScreenshotType.Png });
        Assert.True(new FileInfo(path).Length > 1_000, $"{path} is empty");

        // The moderators' page, drawn by the staff script in Welsh.
        var moderator = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var staffTab = await browser.NewPageAsync();
        var staff = staffTab.Page;
        await staff.SignInAsync(moderator.Email!);
        await staff.GotoAsync("/staff/questions?culture=cy");
        await Expect(staff.Locator("#questions")).ToContainTextAsync("Dim cwestiynau yma.");
        await staff.Locator("#status-filter").SelectOptionAsync("approved");
        var row = staff.Locator("#questions tr", new() { HasText = Question });
        await Expect(row.Locator("td[data-label='Gan']")).ToHaveTextAsync("un o’r gynulleidfa (tudalen fyw)");
        await Expect(row.Locator("td[data-label='Cyflwr']")).ToHaveTextAsync("wedi’i gymeradwyo, wedi’i ateb");
        await Expect(row.Locator(".hint")).ToHaveTextAsync(" · gofynnwyd hefyd 1 waith arall");
        await row.GetByRole(AriaRole.Button, new() { Name = "Heb ei ateb" }).ClickAsync();
        await Expect(staff.Locator("#page-status")).ToHaveTextAsync("Wedi’i nodi heb ei ateb.");
        await Expect(shown.First.Locator(".answered-label")).ToHaveCountAsync(0);
        staffTab.AssertNoErrors();

        // Questions close with the coverage: the open form says so in Welsh.
        (await editor.PostAsync($"/api/events/{slug}/coverage/end", null)).EnsureSuccessStatusCode();
        await page.GetByLabel("Eich cwestiwn").FillAsync("Un cwestiwn arall?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Anfon cwestiwn" }).ClickAsync();
        await Expect(page.Locator("#ask-status")).ToHaveTextAsync("Dim ond tra bo’r darllediad yn fyw y gellir anfon cwestiynau.");

        attendee.AssertNoErrors();
        boardTab.AssertNoErrors();
    }
}
