using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Events;

/// <summary>With LiveHub:PublicBaseUrl set, canonical links, sharing tags, JSON-LD, the sitemap and robots.txt use it, not the request's host.</summary>
public sealed class CanonicalUrlTests(CanonicalUrlTests.ConfiguredApp app) : IClassFixture<CanonicalUrlTests.ConfiguredApp>
{
    private const string PublicBase = "https://hub.example.org/livehub";

    public sealed class ConfiguredApp : SqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["LiveHub:PublicBaseUrl"] = PublicBase + "/" };
    }

    [Fact]
    public async Task Every_absolute_url_starts_with_the_configured_public_base_url()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = "canonical-" + Guid.NewGuid().ToString("N")[..8];
        var speaker = await (await editor.PostAsJsonAsync("/api/speakers", new { name = "Canonical Speaker" })).Content.ReadFromJsonAsync<JsonElement>();
        (await editor.PostAsJsonAsync("/api/events", new
        {
            slug, title = "Canonical", startsAt = "2031-05-01T09:00", endsAt = "2031-05-01T17:00", timeZone = "Europe/London",
            venue = new { name = "Hall" }, isPublished = true,
        })).EnsureSuccessStatusCode();
        var session = await (await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new
        {
            title = "Talk", startsAt = "2031-05-01T10:00", endsAt = "2031-05-01T11:00", speakerIds = new[] { speaker.GetProperty("id").GetGuid() },
        })).Content.ReadFromJsonAsync<JsonElement>();

        var client = app.AnonymousClient();
        var page = await new HtmlParser().ParseDocumentAsync(await client.GetStringAsync($"/events/{slug}"));
        Assert.Equal($"{PublicBase}/events/{slug}", page.QuerySelector("link[rel=canonical]")!.GetAttribute("href"));
        Assert.Equal($"{PublicBase}/events/{slug}", page.QuerySelector("meta[property='og:url']")!.GetAttribute("content"));
        var data = JsonDocument.Parse(page.QuerySelector("script[type='application/ld+json']")!.TextContent).RootElement;
        Assert.Equal($"{PublicBase}/events/{slug}", data.GetProperty("url").GetString());
        Assert.Equal($"{PublicBase}{speaker.GetProperty("pageUrl").GetString()}", data.GetProperty("performer")[0].GetProperty("url").GetString());
        Assert.Equal($"{PublicBase}/events/{slug}/sessions/{session.GetProperty("id").GetGuid()}", data.GetProperty("subEvent")[0].GetProperty("url").GetString());

        var speakerPage = await new HtmlParser().ParseDocumentAsync(await client.GetStringAsync(speaker.GetProperty("pageUrl").GetString()));
        Assert.Equal($"{PublicBase}{speaker.GetProperty("pageUrl").GetString()}", speakerPage.QuerySelector("link[rel=canonical]")!.GetAttribute("href"));

        var sitemap = await client.GetStringAsync("/sitemap.xml");
        var locations = System.Xml.Linq.XDocument.Parse(sitemap).Descendants().Where(e => e.Name.LocalName == "loc").Select(e => e.Value).ToList();
        Assert.Contains($"{PublicBase}/events/{slug}", locations);
        Assert.All(locations, l => Assert.StartsWith(PublicBase + "/", l, StringComparison.Ordinal));
        Assert.Contains($"Sitemap: {PublicBase}/sitemap.xml", await client.GetStringAsync("/robots.txt"), StringComparison.Ordinal);
    }
}
