using System.Net.Http.Json;
using LiveHub.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LiveHub.Tests.Browser;

/// <summary>The public and staff pages on a 360 × 740 phone screen: nothing wider than the screen, nothing the CSP refuses.</summary>
public sealed class PagesOnAPhoneTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const int PhoneWidth = 360;
    private const int PhoneHeight = 740;

    [Fact]
    public async Task Public_events_list_and_event_pages_fit_a_phone_without_csp_errors()
    {
        // A cancelled event with long unbroken text, the worst case for overflow.
        var client = await browser.App.BearerClientAsync(StaffRoles.Editor);
        var slug = "phone-" + Guid.NewGuid().ToString("N")[..8];
        var created = await client.PostAsJsonAsync("/api/events", new
        {
            slug,
            title = "Supercalifragilisticexpialidocious-regional-infrastructure-investment-roundtable",
            summary = "See https://example.org/a/very/long/path/that/does/not/break/anywhere/naturally/at/all/ok",
            startsAt = "2030-05-01T09:00",
            endsAt = "2030-05-02T17:00",
            timeZone = "Europe/London",
            venue = new { name = "The Exchange", address = "Centenary Square, Birmingham", latitude = 52.4797, longitude = -1.9082 },
            onlineUrl = "https://meet.example.org/j/12345678901234567890123456789012345678901234567890",
            status = "cancelled",
            tags = new[] { "a-very-long-tag-name-that-goes-on-and-on", "birmingham" },
            isPublished = true,
        });
        created.EnsureSuccessStatusCode();

        await using var tab = await browser.NewPageAsync(PhoneWidth, PhoneHeight);
        var page = tab.Page;
        await page.GotoAsync("/events");
        await Expect(page.Locator(".event-card").First).ToBeVisibleAsync();
        await AssertFitsTheScreenAsync(page);

        var eventPages = await page.Locator(".event-card h3 a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Contains("/events/" + slug, eventPages);
        Assert.True(eventPages.Length >= 4, $"Expected the seeded events too, found {eventPages.Length}.");
        foreach (var eventPage in eventPages)
        {
            await page.GotoAsync(eventPage);
            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            await AssertFitsTheScreenAsync(page);
        }

        await page.GotoAsync("/events/" + slug);
        await Expect(page.Locator(".banner-cancelled")).ToBeVisibleAsync();
        tab.AssertNoErrors();
    }

    [Fact]
    public async Task Staff_pages_fit_a_phone_without_csp_errors()
    {
        var admin = await browser.App.CreateStaffAsync(StaffRoles.Admin);
        await using var tab = await browser.NewPageAsync(PhoneWidth, PhoneHeight);
        var page = tab.Page;
        await page.SignInAsync(admin.Email!);
        await Expect(page.Locator("#events-body tr").First).ToBeVisibleAsync();
        await AssertFitsTheScreenAsync(page);

        await page.Locator("#events-body a.row-title").First.ClickAsync();
        await Expect(page.Locator("#session-list li").First).ToBeVisibleAsync();
        await AssertFitsTheScreenAsync(page);

        await page.GotoAsync("/staff/speakers");
        await Expect(page.Locator("#speakers-body tr").First).ToBeVisibleAsync();
        await AssertFitsTheScreenAsync(page);

        await page.GotoAsync("/staff/accounts");
        await Expect(page.Locator("#staff-body tr").First).ToBeVisibleAsync();
        await AssertFitsTheScreenAsync(page);
        tab.AssertNoErrors();
    }

    private static async Task AssertFitsTheScreenAsync(IPage page)
    {
        var (scrollWidth, innerWidth) = (
            await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth"),
            await page.EvaluateAsync<int>("innerWidth"));
        Assert.True(scrollWidth <= innerWidth, $"{page.Url} is {scrollWidth}px wide on a {innerWidth}px screen.");
    }
}
