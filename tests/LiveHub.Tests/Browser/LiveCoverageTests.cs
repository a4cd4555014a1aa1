using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>
/// Live coverage end to end in real browsers: a staff context posts through the live console, an attendee
/// context watches /live/{slug}. Every wait is on a DOM condition, never on a sleep.
/// </summary>
public sealed class LiveCoverageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Feed = "#live-feed > article.live-post";
    private const string ConsoleFeed = "#console-stream > article.live-post";

    [Fact]
    public async Task A_post_from_the_console_appears_on_the_attendee_page_without_a_reload_and_is_announced()
    {
        var slug = await CreateEventAsync();
        await using var staff = await OpenConsoleAsync(slug);
        await using var attendee = await OpenLivePageAsync(slug);
        var console = staff.Page;
        var page = attendee.Page;
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        // Start coverage from the console: the stream goes live and the marker reaches the attendee.
        await console.GetByRole(AriaRole.Button, new() { Name = "Start coverage" }).ClickAsync();
        await Expect(console.Locator("#coverage-state")).ToHaveTextAsync("Live");
        await Expect(page.Locator("#live-state")).ToHaveTextAsync("Live now");
        await Expect(page.Locator(Feed).First).ToContainTextAsync("has started");
        await Expect(page.Locator("#live-announcer")).ToContainTextAsync("1 new update: Live coverage of");

        // The Bluesky count: a long text is going to be split.
        var box = console.Locator("#compose-body");
        await box.FillAsync(string.Concat(Enumerable.Repeat("word ", 70)));
        await Expect(console.Locator("#compose-count")).ToContainTextAsync("will be split into 2 posts on Bluesky");

        await PostFromConsoleAsync(console, "The keynote begins: Dr Ada Okafor takes the stage.");
        // The compose box is empty again and still has the focus, ready for the next post.
        await Expect(box).ToHaveValueAsync("");
        await Expect(box).ToBeFocusedAsync();

        var newest = page.Locator(Feed).First;
        await Expect(newest).ToContainTextAsync("The keynote begins: Dr Ada Okafor takes the stage.");
        // Announced politely, and at most one announcement every few seconds.
        await Expect(page.Locator("#live-announcer")).ToContainTextAsync("1 new update: The keynote begins", new() { Timeout = 10_000 });
        await Expect(page.Locator("#live-connection")).ToHaveTextAsync("Live");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "The attendee page was reloaded.");
        // The new post links to itself and can be shared.
        await Expect(newest.Locator("a.permalink")).ToHaveAttributeAsync("href", $"/live/{slug}#post-2");
        await Expect(newest.Locator("a.share-bluesky")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^https://bsky\\.app/intent/compose\\?text=The%20keynote"));
        // The venue zone is named, and the reader can switch to their own.
        await Expect(page.Locator("#live-zone-note")).ToContainTextAsync("Europe/London");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show my local time" }).ClickAsync();
        await Expect(page.Locator("#live-time-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("#live-zone-note")).ToContainTextAsync("your local time");

        staff.AssertNoErrors();
        attendee.AssertNoErrors();
    }

    [Fact]
    public async Task An_attendee_who_was_offline_gets_every_missed_change_exactly_once_in_order()
    {
        var slug = await CreateEventAsync();
        await StartCoverageAsync(slug);
        await using var staff = await OpenConsoleAsync(slug);
        await using var attendee = await OpenLivePageAsync(slug);
        var console = staff.Page;
        var page = attendee.Page;
        await PostFromConsoleAsync(console, "Before the network dropped.");
        await Expect(page.Locator(Feed).First).ToContainTextAsync("Before the network dropped.");
        await Expect(page.Locator(Feed)).ToHaveCountAsync(2);
        // Announcements are batched; let this one go out so the count after the outage is only what was missed.
        await Expect(page.Locator("#live-announcer")).ToContainTextAsync("1 new update");

        await page.Context.SetOfflineAsync(true);
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-connection", "offline");
        await Expect(page.Locator("#live-connection")).ToContainTextAsync("Offline");

        for (var i = 1; i <= 5; i++)
        {
            await PostFromConsoleAsync(console, $"Missed update {i}.");
        }

        await EditFromConsoleAsync(console, "Missed update 2.", "Missed update 2, corrected.");
        await DeleteFromConsoleAsync(console, "Missed update 3.");

        // Still offline: nothing arrived.
        await Expect(page.Locator(Feed)).ToHaveCountAsync(2);

        await page.Context.SetOfflineAsync(false);
        await Expect(page.Locator(Feed)).ToHaveCountAsync(6);
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-connection", "live");
        var bodies = await page.Locator($"{Feed} .post-body").AllTextContentsAsync();
        Assert.Equal(
            ["Missed update 5.", "Missed update 4.", "Missed update 2, corrected.", "Missed update 1.", "Before the network dropped."],
            bodies.Take(5).Select(b => b.Trim()));
        Assert.Contains("has started", bodies[5]);
        await Expect(page.Locator(Feed, new() { HasTextString = "Missed update 2, corrected." }).Locator(".edited")).ToHaveTextAsync("edited");
        await Expect(page.Locator(Feed, new() { HasTextString = "Missed update 3." })).ToHaveCountAsync(0);
        var ids = await page.Locator(Feed).EvaluateAllAsync<string[]>("posts => posts.map(p => p.dataset.postId)");
        Assert.Equal(ids.Length, ids.Distinct().Count());
        await Expect(page.Locator("#live-announcer")).ToContainTextAsync("4 new updates");

        // And the live connection works again afterwards.
        await PostFromConsoleAsync(console, "Back to normal.");
        await Expect(page.Locator(Feed).First).ToContainTextAsync("Back to normal.");
        await Expect(page.Locator(Feed)).ToHaveCountAsync(7);

        staff.AssertNoErrors();
        attendee.AssertNoErrors();
    }

    [Fact]
    public async Task An_attendee_is_told_when_the_coverage_is_unpublished_and_the_page_stops_trying()
    {
        var slug = await CreateEventAsync();
        await StartCoverageAsync(slug);
        await using var attendee = await OpenLivePageAsync(slug);
        var page = attendee.Page;
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-connection", "live");

        var editor = await browser.App.BearerClientAsync(StaffRoles.Editor);
        (await editor.PutAsJsonAsync($"/api/events/{slug}", EventsTestData.Event(slug, published: false))).EnsureSuccessStatusCode();

        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-connection", "closed");
        await Expect(page.Locator("#live-connection")).ToHaveTextAsync("This coverage is no longer available");
        // Coming back online does not start it again.
        await page.Context.SetOfflineAsync(true);
        await page.Context.SetOfflineAsync(false);
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-connection", "closed");
        attendee.AssertNoErrors();
    }

    [Fact]
    public async Task The_pinned_post_is_on_top_and_the_key_moments_filter_hides_the_rest()
    {
        var slug = await CreateEventAsync();
        await StartCoverageAsync(slug);
        await using var staff = await OpenConsoleAsync(slug);
        await using var attendee = await OpenLivePageAsync(slug);
        var console = staff.Page;
        var page = attendee.Page;

        await PostFromConsoleAsync(console, "Housekeeping: the Q&A app is at qa.example.org.");
        await PostFromConsoleAsync(console, "The minister announces a new regional fund.");
        await PostFromConsoleAsync(console, "Coffee is served in the foyer.");

        // A quote names its speaker, picked in the console.
        await console.Locator("#compose-kind").SelectOptionAsync("quote");
        await Expect(console.Locator("#compose-speaker")).ToBeVisibleAsync();
        await console.Locator("#compose-speaker").SelectOptionAsync(new SelectOptionValue { Index = 1 });
        var speakerName = await console.Locator("#compose-speaker option").Nth(1).GetAttributeAsync("data-name");
        await PostFromConsoleAsync(console, "Place matters: one size does not fit all.");
        await Expect(page.Locator(Feed).First.Locator("figcaption")).ToHaveTextAsync($"— {speakerName}");
        await Expect(console.Locator("#compose-kind")).ToHaveValueAsync("update");

        var pinCard = console.Locator(ConsoleFeed, new() { HasTextString = "Housekeeping" });
        await pinCard.GetByRole(AriaRole.Button, new() { Name = "Pin", Exact = true }).ClickAsync();
        await Expect(pinCard.GetByRole(AriaRole.Button, new() { Name = "Unpin", Exact = true })).ToHaveAttributeAsync("aria-pressed", "true");
        var keyCard = console.Locator(ConsoleFeed, new() { HasTextString = "regional fund" });
        await keyCard.GetByRole(AriaRole.Button, new() { Name = "Key moment", Exact = true }).ClickAsync();
        await Expect(keyCard.GetByRole(AriaRole.Button, new() { Name = "Key moment", Exact = true })).ToHaveAttributeAsync("aria-pressed", "true");

        // Pinned: shown above the feed (and still in its place in the feed).
        var pinned = page.Locator("#live-pinned");
        await Expect(pinned).ToBeVisibleAsync();
        await Expect(pinned.Locator("article.live-post")).ToContainTextAsync("Housekeeping");
        var pinnedBox = await pinned.BoundingBoxAsync();
        var feedBox = await page.Locator("#live-feed").BoundingBoxAsync();
        Assert.True(pinnedBox!.Y < feedBox!.Y, "The pinned post is not above the feed.");
        await Expect(page.Locator(Feed, new() { HasTextString = "regional fund" })).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bkey-moment\\b"));

        await page.GetByLabel("Key moments only").CheckAsync();
        await Expect(page.Locator(Feed, new() { HasTextString = "regional fund" })).ToBeVisibleAsync();
        await Expect(page.Locator(Feed, new() { HasTextString = "Coffee is served" })).ToBeHiddenAsync();
        await Expect(page.Locator(Feed, new() { HasTextString = "Housekeeping" })).ToBeHiddenAsync();

        // A new ordinary post stays out of view while filtering; unticking shows everything again.
        await PostFromConsoleAsync(console, "Lunch is at one.");
        await Expect(page.Locator(Feed).First).ToContainTextAsync("Lunch is at one.");
        await Expect(page.Locator(Feed).First).ToBeHiddenAsync();
        await page.GetByLabel("Key moments only").UncheckAsync();
        await Expect(page.Locator(Feed, new() { HasTextString = "Coffee is served" })).ToBeVisibleAsync();

        // Keyboard: j moves to the next update, k back, without a mouse.
        await page.Locator("#live-title").ClickAsync();
        await page.Keyboard.PressAsync("j");
        await Expect(pinned.Locator("article.live-post")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("j");
        await Expect(page.Locator(Feed).First).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.Locator(Feed).Nth(1)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("k");
        await Expect(page.Locator(Feed).First).ToBeFocusedAsync();

        // Unpinning empties the pinned slot.
        await pinCard.GetByRole(AriaRole.Button, new() { Name = "Unpin", Exact = true }).ClickAsync();
        await Expect(pinned).ToBeHiddenAsync();

        staff.AssertNoErrors();
        attendee.AssertNoErrors();
    }

    [Fact]
    public async Task Html_and_script_in_a_post_are_shown_as_text_and_a_rejected_post_keeps_its_text_with_the_reason()
    {
        var slug = await CreateEventAsync();
        await StartCoverageAsync(slug);
        await using var staff = await OpenConsoleAsync(slug);
        await using var attendee = await OpenLivePageAsync(slug);
        var console = staff.Page;
        var page = attendee.Page;
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        console.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };

        const string hostile = "<script>alert('xss')</script><img src=x onerror=alert('img')> <b>not bold</b>";
        await PostFromConsoleAsync(console, hostile);
        var newest = page.Locator(Feed).First;
        await Expect(newest.Locator(".post-body")).ToHaveTextAsync(hostile);
        await Expect(newest.Locator(".post-body script, .post-body img, .post-body b")).ToHaveCountAsync(0);
        await Expect(console.Locator(ConsoleFeed).First.Locator(".post-body")).ToHaveTextAsync(hostile);

        // Markdown with a javascript: link is refused: the console says why and keeps the text.
        const string badLink = "Read [the report](javascript:alert('md')) now";
        var box = console.Locator("#compose-body");
        await console.GetByLabel("Markdown").CheckAsync();
        await box.FillAsync(badLink);
        await box.PressAsync("Control+Enter");
        var failed = console.Locator("#console-stream > article.is-failed");
        await Expect(failed).ToContainTextAsync("Not sent.");
        await Expect(failed).ToContainTextAsync("links must be http://, https:// or mailto:");
        await Expect(box).ToHaveValueAsync(badLink);
        await Expect(console.Locator("[data-field='body'] .field-error")).ToContainTextAsync("Links must be http://");

        // Markdown is rendered, but HTML inside it stays text.
        await box.FillAsync("**Agreed** by all: <em>raw</em>");
        await box.PressAsync("Control+Enter");
        await Expect(newest.Locator(".post-body strong")).ToHaveTextAsync("Agreed");
        await Expect(newest.Locator(".post-body")).ToContainTextAsync("<em>raw</em>");
        await Expect(newest.Locator(".post-body em")).ToHaveCountAsync(0);

        // An image needs its alt text: refused without, attached to the next post with.
        var picture = await console.ScreenshotAsync(new() { Clip = new() { X = 0, Y = 0, Width = 320, Height = 200 } });
        await console.Locator("#image-upload summary").ClickAsync();
        await console.GetByLabel("Image (JPEG, PNG or GIF, up to 5 MB)").SetInputFilesAsync(new FilePayload { Name = "stage.png", MimeType = "image/png", Buffer = picture });
        await console.GetByRole(AriaRole.Button, new() { Name = "Upload image" }).ClickAsync();
        await Expect(console.Locator("[data-field='altText'] .field-error")).ToHaveTextAsync("Is required.");
        await console.GetByLabel("Alt text (required)").FillAsync("The panel on stage, seen from the back of the hall.");
        await console.GetByRole(AriaRole.Button, new() { Name = "Upload image" }).ClickAsync();
        await Expect(console.Locator("#attached-images li")).ToHaveCountAsync(1);
        await Expect(box).ToBeFocusedAsync();
        await PostFromConsoleAsync(console, "The stage before the panel.");
        await Expect(newest.Locator("img")).ToHaveAttributeAsync("alt", "The panel on stage, seen from the back of the hall.");
        await Expect(console.Locator("#attached-images li")).ToHaveCountAsync(0);

        Assert.Empty(dialogs);
        staff.AssertNoErrors();
        attendee.AssertNoErrors();
    }

    [Fact]
    public async Task Without_JavaScript_the_live_page_still_shows_the_posts()
    {
        var slug = await CreateEventAsync();
        var client = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var streamId = await EventStreamIdAsync(client, slug);
        (await client.PostAsync($"/api/events/{slug}/coverage/start", null)).EnsureSuccessStatusCode();
        var created = await client.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { body = "Readable without scripts: the panel agrees on a plan." });
        created.EnsureSuccessStatusCode();
        var keyMoment = await client.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { kind = "keyMoment", body = "A key moment for crawlers." });
        keyMoment.EnsureSuccessStatusCode();

        await using var tab = await browser.NewPageAsync(javaScriptEnabled: false);
        var page = tab.Page;
        await page.GotoAsync($"/live/{slug}");
        await Expect(page.Locator(Feed)).ToHaveCountAsync(3);
        await Expect(page.Locator(Feed).First).ToContainTextAsync("A key moment for crawlers.");
        await Expect(page.Locator(Feed).Nth(1)).ToContainTextAsync("Readable without scripts");
        await Expect(page.Locator(Feed).First.Locator("time")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^\\d\\d:\\d\\d$"));
        // The script-only controls stay out of the way.
        await Expect(page.Locator("#live-toolbar")).ToBeHiddenAsync();
        var jsonLd = await page.Locator("script[type='application/ld+json']").TextContentAsync();
        using var document = JsonDocument.Parse(jsonLd!);
        Assert.Equal("LiveBlogPosting", document.RootElement.GetProperty("@type").GetString());
        Assert.Contains(document.RootElement.GetProperty("liveBlogUpdate").EnumerateArray(),
            update => update.GetProperty("articleBody").GetString() == "Readable without scripts: the panel agrees on a plan.");
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task On_a_phone_the_page_and_console_fit_and_new_updates_wait_in_a_bar_while_scrolled_or_paused()
    {
        var slug = await CreateEventAsync();
        var client = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var streamId = await EventStreamIdAsync(client, slug);
        (await client.PostAsync($"/api/events/{slug}/coverage/start", null)).EnsureSuccessStatusCode();
        async Task PostAsync(string body) =>
            (await client.PostAsJsonAsync($"/api/streams/{streamId}/posts", new { body })).EnsureSuccessStatusCode();
        for (var i = 1; i <= 8; i++)
        {
            await PostAsync($"Earlier update {i}: https://example.org/a/long/address/that/has/to/wrap/somewhere/{i}");
        }

        await using var attendee = await browser.NewPageAsync(360, 740);
        var page = attendee.Page;
        await page.GotoAsync($"/live/{slug}");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-connection", "live");
        await AssertFitsTheScreenAsync(page);

        // Scrolled down: a new post waits behind the bar instead of moving what the reader is reading.
        await page.Locator(Feed).Last.ScrollIntoViewIfNeededAsync();
        await PostAsync("Arrived while reading further down.");
        var bar = page.Locator("#live-new-updates");
        await Expect(bar).ToHaveTextAsync("↑ 1 new update");
        await Expect(bar).ToBeInViewportAsync();
        await bar.ClickAsync();
        await Expect(bar).ToBeHiddenAsync();
        await Expect(page.Locator(Feed).First).ToContainTextAsync("Arrived while reading further down.");
        await Expect(page.Locator("#live-title")).ToBeInViewportAsync();

        // Paused: updates queue up until the reader asks for them.
        await page.GetByLabel("Pause updates").CheckAsync();
        await PostAsync("Held while paused.");
        await Expect(bar).ToHaveTextAsync("Paused: show 1 new update");
        await Expect(page.Locator(Feed).First).ToContainTextAsync("Arrived while reading further down.");
        await page.GetByLabel("Pause updates").UncheckAsync();
        await Expect(page.Locator(Feed).First).ToContainTextAsync("Held while paused.");
        await Expect(page.Locator(Feed)).ToHaveCountAsync(11);

        var editor = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        await using var staff = await browser.NewPageAsync(360, 740);
        await staff.Page.SignInAsync(editor.Email!, returnUrl: $"/staff/live/{slug}");
        await Expect(staff.Page.Locator("body")).ToHaveAttributeAsync("data-connection", "live");
        await Expect(staff.Page.Locator(ConsoleFeed)).ToHaveCountAsync(11);
        await AssertFitsTheScreenAsync(staff.Page);
        attendee.AssertNoErrors();
        staff.AssertNoErrors();
    }

    [Fact]
    public async Task A_post_whose_answer_is_lost_is_sent_again_with_its_key_and_stored_once()
    {
        var slug = await CreateEventAsync();
        await StartCoverageAsync(slug);
        await using var staff = await OpenConsoleAsync(slug);
        var console = staff.Page;
        await Expect(console.Locator(ConsoleFeed)).ToHaveCountAsync(1);

        // The first send reaches the server and is stored, but its answer never comes back (a dropped connection).
        var keys = new List<string>();
        await console.RouteAsync("**/api/streams/*/posts", async route =>
        {
            if (route.Request.Method != "POST")
            {
                await route.ContinueAsync();
                return;
            }

            keys.Add(route.Request.Headers.TryGetValue("idempotency-key", out var key) ? key : "(none)");
            if (keys.Count == 1)
            {
                await route.FetchAsync();
                await route.AbortAsync("connectionreset");
                return;
            }

            await route.ContinueAsync();
        });

        await PostFromConsoleAsync(console, "Sent once, answered late.");
        await Expect(console.Locator(ConsoleFeed, new() { HasTextString = "Sent once, answered late." })).ToHaveCountAsync(1);

        Assert.Equal(2, keys.Count);
        Assert.NotEqual("(none)", keys[0]);
        Assert.Equal(keys[0], keys[1]);
        var client = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var streamId = await EventStreamIdAsync(client, slug);
        var posts = await client.GetFromJsonAsync<JsonElement>($"/api/streams/{streamId}/posts");
        Assert.Equal(1, posts.GetProperty("posts").EnumerateArray().Count(p => p.GetProperty("body").GetString() == "Sent once, answered late."));
    }

    // ------------------------------------------------------------------------------------------

    private async Task<string> CreateEventAsync()
    {
        var client = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var slug = "live-" + Guid.NewGuid().ToString("N")[..8];
        (await client.PostAsJsonAsync("/api/events", EventsTestData.Event(slug))).EnsureSuccessStatusCode();
        return slug;
    }

    private async Task StartCoverageAsync(string slug)
    {
        var client = await browser.App.BearerClientAsync(StaffRoles.Editor);
        (await client.PostAsync($"/api/events/{slug}/coverage/start", null)).EnsureSuccessStatusCode();
    }

    private static async Task<Guid> EventStreamIdAsync(HttpClient client, string slug)
    {
        var streams = await client.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams");
        return streams.EnumerateArray().First(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.Null).GetProperty("id").GetGuid();
    }

    private async Task<BrowserPage> OpenConsoleAsync(string slug)
    {
        var editor = await browser.App.CreateStaffAsync(StaffRoles.Editor);
        var tab = await browser.NewPageAsync();
        await tab.Page.SignInAsync(editor.Email!, returnUrl: $"/staff/live/{slug}");
        await Expect(tab.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/staff/live/{slug}"));
        await Expect(tab.Page.Locator("body")).ToHaveAttributeAsync("data-connection", "live");
        return tab;
    }

    private async Task<BrowserPage> OpenLivePageAsync(string slug)
    {
        var tab = await browser.NewPageAsync();
        await tab.Page.GotoAsync($"/live/{slug}");
        await Expect(tab.Page.Locator("#live")).ToHaveAttributeAsync("data-connection", "live");
        return tab;
    }

    /// <summary>Types a post, sends it with Ctrl+Enter and waits until the server's version replaced the "sending" one.</summary>
    private static async Task PostFromConsoleAsync(IPage console, string text)
    {
        var box = console.Locator("#compose-body");
        await box.FillAsync(text);
        await box.PressAsync("Control+Enter");
        await Expect(console.Locator($"{ConsoleFeed}:not(.is-sending):not(.is-failed)", new() { HasTextString = text })).ToHaveCountAsync(1);
        await Expect(console.Locator($"{ConsoleFeed}.is-sending")).ToHaveCountAsync(0);
    }

    private static async Task EditFromConsoleAsync(IPage console, string text, string replacement)
    {
        var card = console.Locator(ConsoleFeed, new() { HasTextString = text });
        await card.GetByRole(AriaRole.Button, new() { Name = "Edit", Exact = true }).ClickAsync();
        var box = console.Locator("#compose-body");
        await Expect(box).ToHaveValueAsync(text);
        await box.FillAsync(replacement);
        await box.PressAsync("Control+Enter");
        await Expect(console.Locator(ConsoleFeed, new() { HasTextString = replacement }).Locator(".edited")).ToHaveCountAsync(1);
        await Expect(box).ToHaveValueAsync("");
    }

    private static async Task DeleteFromConsoleAsync(IPage console, string text)
    {
        var card = console.Locator(ConsoleFeed, new() { HasTextString = text });
        await card.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Confirm delete", Exact = true }).ClickAsync();
        await Expect(card).ToHaveCountAsync(0);
    }

    private static async Task AssertFitsTheScreenAsync(IPage page)
    {
        var (scrollWidth, innerWidth) = (
            await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth"),
            await page.EvaluateAsync<int>("innerWidth"));
        Assert.True(scrollWidth <= innerWidth, $"{page.Url} is {scrollWidth}px wide on a {innerWidth}px screen.");
    }
}
