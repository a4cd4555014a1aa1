using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Localisation;

/// <summary>The language of the pages: the remembered cookie, then ?culture=, then Accept-Language; English by default.</summary>
public sealed class CultureSwitchTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly HtmlParser Parser = new();

    private static async Task<IHtmlDocument> GetAsync(HttpClient client, string path, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptLanguage is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());
    }

    private static string Nav(IHtmlDocument page) => string.Join("|", page.QuerySelectorAll("header nav:not(.language-switch) a").Select(a => a.TextContent));

    [Fact]
    public async Task English_is_the_default()
    {
        var page = await GetAsync(app.AnonymousClient(), "/events");

        Assert.Equal("en-GB", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Events", page.QuerySelector("main h1")!.TextContent);
        Assert.Contains("Speakers", Nav(page), StringComparison.Ordinal);
        var switchLink = page.QuerySelector("#language-switch")!;
        Assert.Equal("Cymraeg", switchLink.TextContent);
        Assert.Equal("cy", switchLink.GetAttribute("lang"));
    }

    [Theory]
    [InlineData("cy")]
    [InlineData("cy-GB")]
    [InlineData("cy-GB,cy;q=0.9,en-GB;q=0.8")]
    public async Task Accept_language_welsh_gives_welsh_pages(string acceptLanguage)
    {
        var page = await GetAsync(app.AnonymousClient(), "/events", acceptLanguage);

        Assert.Equal("cy", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Digwyddiadau", page.QuerySelector("main h1")!.TextContent);
        Assert.Equal("Digwyddiadau|Siaradwyr|Lleoliadau|Fy agenda|Staff", Nav(page));
        Assert.Equal("English", page.QuerySelector("#language-switch")!.TextContent);
        Assert.Equal("Neidio i’r cynnwys", page.QuerySelector(".skip-link")!.TextContent);
    }

    [Fact]
    public async Task An_unsupported_language_falls_back_to_english()
    {
        var page = await GetAsync(app.AnonymousClient(), "/events", "fr-FR,de;q=0.8");

        Assert.Equal("en-GB", page.DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task The_culture_query_switches_and_is_remembered_over_accept_language()
    {
        var client = app.AnonymousClient();

        var switched = await GetAsync(client, "/speakers?culture=cy", "en-GB");
        Assert.Equal("Siaradwyr", switched.QuerySelector("main h1")!.TextContent);

        var later = await GetAsync(client, "/venues", "en-GB");
        Assert.Equal("cy", later.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Lleoliadau", later.QuerySelector("main h1")!.TextContent);

        var back = await GetAsync(client, "/venues?culture=en", "cy");
        Assert.Equal("Venues", back.QuerySelector("main h1")!.TextContent);
        var afterSwitchingBack = await GetAsync(client, "/speakers", "cy");
        Assert.Equal("Speakers", afterSwitchingBack.QuerySelector("main h1")!.TextContent);
    }

    [Fact]
    public async Task The_cookie_wins_over_accept_language()
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events");
        request.Headers.TryAddWithoutValidation("Accept-Language", "en-GB");
        request.Headers.TryAddWithoutValidation("Cookie", ".AspNetCore.Culture=c%3Dcy%7Cuic%3Dcy");

        var page = await Parser.ParseDocumentAsync(await (await client.SendAsync(request)).Content.ReadAsStringAsync());

        Assert.Equal("Digwyddiadau", page.QuerySelector("main h1")!.TextContent);
    }

    [Fact]
    public async Task The_switch_sets_a_lasting_cookie_and_keeps_the_rest_of_the_address()
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });

        var english = await Parser.ParseDocumentAsync(await client.GetStringAsync("/events?q=policy&page=1"));
        var href = english.QuerySelector("#language-switch")!.GetAttribute("href")!;
        Assert.StartsWith("/events?", href, StringComparison.Ordinal);
        Assert.Contains("q=policy", href, StringComparison.Ordinal);
        Assert.EndsWith("culture=cy", href, StringComparison.Ordinal);

        var response = await client.GetAsync(href);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal));
        Assert.Contains("uic%3Dcy", cookie, StringComparison.Ordinal);
        Assert.Contains("max-age=31536000", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Accept-Language", string.Join(",", response.Headers.Vary), StringComparison.Ordinal);
        Assert.Contains("Cookie", string.Join(",", response.Headers.Vary), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_culture_in_the_query_is_ignored()
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        var response = await client.GetAsync("/events?culture=xx-nope");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".AspNetCore.Culture", StringComparison.Ordinal)));
        Assert.Contains("lang=\"en-GB\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_carry_the_script_strings_in_the_readers_language()
    {
        var welsh = await GetAsync(app.AnonymousClient(), "/agenda", "cy");
        var english = await GetAsync(app.AnonymousClient(), "/agenda", "en");

        var cy = JsonSerializer.Deserialize<Dictionary<string, string>>(welsh.GetElementById("livehub-strings")!.TextContent)!;
        var en = JsonSerializer.Deserialize<Dictionary<string, string>>(english.GetElementById("livehub-strings")!.TextContent)!;
        Assert.Equal("Yn fyw nawr", cy["stateLive"]);
        Assert.Equal("Live now", en["stateLive"]);
        Assert.Equal("Wedi tynnu “{title}” o’ch agenda.", cy["agendaRemoved"]);
        Assert.Equal(en.Keys.Order(), cy.Keys.Order());
        Assert.Equal("application/json", welsh.GetElementById("livehub-strings")!.GetAttribute("type"));
    }

    [Fact]
    public async Task Dates_and_time_zones_use_the_readers_language()
    {
        var slug = "dates-" + Guid.NewGuid().ToString("N")[..10];
        var editor = await app.BearerClientAsync(LiveHub.Staff.StaffRoles.Editor);
        var created = await editor.PostAsJsonAsync("/api/events", EventsTestData.Event(slug, "2030-07-09T18:30", "2030-07-09T20:30"));
        created.EnsureSuccessStatusCode();

        var english = await GetAsync(app.AnonymousClient(), $"/events/{slug}", "en-GB");
        var welsh = await GetAsync(app.AnonymousClient(), $"/events/{slug}", "cy");

        Assert.Equal("Tue 9 Jul 2030, 18:30–20:30", english.QuerySelector(".facts time")!.TextContent);
        Assert.Equal("Maw 9 Gorff 2030, 18:30–20:30", welsh.QuerySelector(".facts time")!.TextContent);
        Assert.Contains("Amser Haf Prydain (Europe/London)", welsh.QuerySelector(".facts .zone")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Pryd", welsh.QuerySelector(".facts dt")!.TextContent);
    }

    [Fact]
    public async Task Not_found_pages_are_welsh_too()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events/no-such-event-anywhere");
        request.Headers.TryAddWithoutValidation("Accept-Language", "cy");
        var response = await app.AnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var page = await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal("Heb ei ganfod", page.QuerySelector("main h1")!.TextContent);
        Assert.Equal("Does dim digwyddiad wedi’i gyhoeddi o’r enw 'no-such-event-anywhere'.", page.QuerySelector("main p")!.TextContent);
    }
}
