using System.Net;
using AngleSharp.Html.Parser;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using System.Net.Http.Json;

namespace LiveHub.Tests.Events;

public sealed class PublicPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly HtmlParser Parser = new();

    private async Task<string> CreateAsync(object body)
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var response = await editor.PostAsJsonAsync("/api/events", body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("slug").GetString()!;
    }

    [Fact]
    public async Task Event_page_shows_venue_time_with_the_zone_named_and_the_cancelled_banner()
    {
        var slug = "page-" + Guid.NewGuid().ToString("N")[..10];
        await CreateAsync(new
        {
            slug, title = "Place partnerships <script>alert(1)</script>", startsAt = "2030-07-09T18:30", endsAt = "2030-07-09T20:30",
            timeZone = "Europe/London", venue = new { name = "The Exchange", address = "Centenary Square" }, onlineUrl = "https://example.org/join",
            status = "cancelled", isPublished = true, tags = new[] { "lpip" },
        });

        var response = await app.AnonymousClient().GetAsync($"/events/{slug}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        var document = await Parser.ParseDocumentAsync(html);

        Assert.Equal("Place partnerships <script>alert(1)</script>", document.QuerySelector("h1")!.TextContent);
        Assert.Empty(document.QuerySelectorAll("main script"));
        Assert.Contains("Cancelled", document.QuerySelector(".banner-cancelled")!.TextContent, StringComparison.Ordinal);
        var when = document.QuerySelector(".facts time")!;
        Assert.Equal("2030-07-09T18:30:00+01:00", when.GetAttribute("datetime"));
        Assert.Contains("18:30–20:30", when.TextContent, StringComparison.Ordinal);
        Assert.Contains("British Summer Time (Europe/London)", document.QuerySelector(".facts .zone")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("https://example.org/join", document.QuerySelector("a.join-link")!.GetAttribute("href"));
        Assert.NotNull(document.QuerySelector("meta[name=viewport]"));
    }

    [Fact]
    public async Task The_map_link_puts_a_marker_at_the_venue()
    {
        var slug = "map-" + Guid.NewGuid().ToString("N")[..10];
        await CreateAsync(new
        {
            slug, title = "Map test", startsAt = "2030-07-09T18:30", endsAt = "2030-07-09T20:30", timeZone = "Europe/London",
            venue = new { name = "The Exchange", address = "Centenary Square", latitude = 52.4797, longitude = -1.9089 }, isPublished = true,
        });

        var document = await Parser.ParseDocumentAsync(await app.AnonymousClient().GetStringAsync($"/events/{slug}"));
        var href = document.QuerySelectorAll(".facts a").Select(a => a.GetAttribute("href")).Single(h => h!.Contains("openstreetmap", StringComparison.Ordinal));
        var map = new Uri(href!);
        var query = System.Web.HttpUtility.ParseQueryString(map.Query);
        Assert.Equal(["mlat", "mlon"], query.AllKeys.Select(k => k!));
        Assert.Equal("52.4797", query["mlat"]);
        Assert.Equal("-1.9089", query["mlon"]);
        Assert.Equal("#map=17/52.4797/-1.9089", map.Fragment);
    }

    [Fact]
    public async Task Events_list_puts_upcoming_first_and_filters_by_tag()
    {
        var tag = "tag" + Guid.NewGuid().ToString("N")[..8];
        var past = await CreateAsync(new { title = "Past one", startsAt = "2020-01-01T10:00", endsAt = "2020-01-01T11:00", timeZone = "Europe/London", onlineUrl = "https://e.org", tags = new[] { tag }, isPublished = true });
        var later = await CreateAsync(new { title = "Later one", startsAt = "2031-02-01T10:00", endsAt = "2031-02-01T11:00", timeZone = "Europe/London", onlineUrl = "https://e.org", tags = new[] { tag }, isPublished = true });
        var sooner = await CreateAsync(new { title = "Sooner one", startsAt = "2031-01-01T10:00", endsAt = "2031-01-01T11:00", timeZone = "Europe/London", onlineUrl = "https://e.org", tags = new[] { tag }, isPublished = true });
        await CreateAsync(new { title = "Other tag", startsAt = "2031-01-01T10:00", endsAt = "2031-01-01T11:00", timeZone = "Europe/London", onlineUrl = "https://e.org", isPublished = true });

        var document = await Parser.ParseDocumentAsync(await app.AnonymousClient().GetStringAsync($"/events?tag={tag}"));
        var upcoming = document.QuerySelectorAll("#upcoming-heading ~ ol .event-card h3 a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal([$"/events/{sooner}", $"/events/{later}"], upcoming);
        var pastLinks = document.QuerySelectorAll("#past-heading ~ ol .event-card h3 a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal([$"/events/{past}"], pastLinks);
    }

    [Fact]
    public async Task Unknown_event_page_is_an_html_404()
    {
        var response = await app.AnonymousClient().GetAsync("/events/no-such-event");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Pages_carry_security_headers_and_a_csp_without_inline_script()
    {
        var response = await app.AnonymousClient().GetAsync("/events");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }
}
