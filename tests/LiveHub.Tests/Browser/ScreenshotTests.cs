using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>
/// Saves a screenshot of each public page at phone (390 px) and desktop (1280 px) width (docs/screenshots/ with
/// LIVEHUB_SCREENSHOTS=docs, see <see cref="ScreenshotFolder"/>), for a
/// person to look at, and checks what a machine can: nothing wider than the screen on a phone, no CSP or script
/// errors. The pages show the seeded hub plus a monthly webinar series, so the pictures change only when the pages do.
/// </summary>
public sealed class ScreenshotTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Each_public_page_is_saved_at_phone_and_desktop_width_and_fits_a_phone()
    {
        var editor = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var webinar = await editor.PostAsJsonAsync("/api/events", new
        {
            slug = "monthly-research-webinar", title = "Monthly research webinar", summary = "Researchers present work in progress; questions welcome.",
            startsAt = "2031-01-14T13:00", endsAt = "2031-01-14T14:00", timeZone = "Europe/London", onlineUrl = "https://meet.example.org/j/webinar",
            tags = new[] { "webinar" }, isPublished = true,
        });
        Assert.True(webinar.IsSuccessStatusCode, await webinar.Content.ReadAsStringAsync());
        var series = await editor.PutAsJsonAsync("/api/events/monthly-research-webinar/series", new
        {
            rule = "FREQ=MONTHLY;BYDAY=2TU;COUNT=10",
            exceptions = new[] { "2031-04-08T13:00" },
            overrides = new object[]
            {
                new { originalStart = "2031-02-11T13:00", startsAt = "2031-02-12T15:00", endsAt = "2031-02-12T16:00", title = "Special edition: the budget" },
                new { originalStart = "2031-03-11T13:00", status = "cancelled" },
            },
        });
        Assert.True(series.IsSuccessStatusCode, await series.Content.ReadAsStringAsync());

        // A seeded event with sessions, speakers and a venue.
        var events = await editor.GetFromJsonAsync<JsonElement>("/api/events?pageSize=100");
        JsonElement? withSessions = null;
        foreach (var summary in events.GetProperty("items").EnumerateArray().OrderBy(e => e.GetProperty("slug").GetString(), StringComparer.Ordinal))
        {
            var detail = await editor.GetFromJsonAsync<JsonElement>($"/api/events/{summary.GetProperty("slug").GetString()}");
            if (detail.GetProperty("sessions").GetArrayLength() > 0 && detail.GetProperty("speakers").GetArrayLength() > 0 && detail.GetProperty("venue").ValueKind == JsonValueKind.Object)
            {
                withSessions = detail;
                break;
            }
        }

        Assert.True(withSessions is not null, "The seeds have no published event with sessions, speakers and a venue.");
        var e = withSessions.Value;
        var slug = e.GetProperty("slug").GetString();
        var pages = new (string Name, string Url)[]
        {
            ("home", "/"),
            ("events", "/events"),
            ("event", $"/events/{slug}"),
            ("series", "/events/monthly-research-webinar"),
            ("session", $"/events/{slug}/sessions/{e.GetProperty("sessions")[0].GetProperty("id").GetString()}"),
            ("speakers", "/speakers"),
            ("speaker", e.GetProperty("speakers")[0].GetProperty("pageUrl").GetString()!),
            ("venues", "/venues"),
            ("venue", e.GetProperty("venue").GetProperty("pageUrl").GetString()!),
            ("agenda", "/agenda"),
        };

        var folder = ScreenshotFolder.For("");
        foreach (var (width, height) in new[] { (390, 844), (1280, 900) })
        {
            await using var tab = await browser.NewPageAsync(width, height);
            var page = tab.Page;
            foreach (var (name, url) in pages)
            {
                await page.GotoAsync(url);
                await Expect(page.Locator("h1")).ToBeVisibleAsync();
                var (scrollWidth, innerWidth) = (await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("innerWidth"));
                Assert.True(scrollWidth <= innerWidth, $"{url} is {scrollWidth}px wide on a {innerWidth}px screen.");
                if (name == "home")
                {
                    // "/" redirects to /events: checked above, not saved twice.
                    Assert.EndsWith("/events", page.Url, StringComparison.Ordinal);
                    continue;
                }

                // The first screenful only: what a reader sees first, and small files.
                var file = Path.Combine(folder, $"{name}-{width}.png");
                await page.ScreenshotAsync(new() { Path = file, Type = ScreenshotType.Png });
                Assert.True(new FileInfo(file).Length > 1_000, $"{file} is empty.");
            }

            tab.AssertNoErrors();
        }
    }
}
