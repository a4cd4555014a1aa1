using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Events;

/// <summary>/events?q=… and /api/events?q=…: words in titles, descriptions (English and Welsh), tags and speaker names; tag and month filters; pages.</summary>
public abstract class EventSearchTests(LiveHubApp app)
{
    private static readonly HtmlParser Parser = new();

    private sealed record Corpus(string Token, string Tag, string Title, string Described, string Spoken, string Tagged, string Accented, string Past);

    private async Task<Corpus> CreateAsync()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var token = "zq" + Guid.NewGuid().ToString("N")[..8];
        var tag = "t" + token;
        async Task<string> Event(string suffix, string title, string startsAt, string? description = null, string[]? tags = null)
        {
            var slug = $"{token}-{suffix}";
            var response = await editor.PostAsJsonAsync("/api/events", new
            {
                slug, title, description, startsAt, endsAt = startsAt.Replace("T09:00", "T17:00", StringComparison.Ordinal), timeZone = "Europe/London",
                venue = new { name = "Hall" }, tags = tags ?? [tag], isPublished = true,
            });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return slug;
        }

        var title = await Event("title", $"Skills Summit {token.ToUpperInvariant()}", "2031-03-05T09:00");
        var described = await Event("described", "Regional growth", "2031-04-05T09:00", description: $"Talks on housing and {token} transport.");
        var spoken = await Event("spoken", "Panel day", "2031-05-05T09:00");
        var speakerName = $"Speaker {token}son";
        var speaker = await (await editor.PostAsJsonAsync("/api/speakers", new { name = speakerName })).Content.ReadFromJsonAsync<JsonElement>();
        (await editor.PostAsJsonAsync($"/api/events/{spoken}/sessions", new
        {
            title = "Talk", startsAt = "2031-05-05T10:00", endsAt = "2031-05-05T11:00", speakerIds = new[] { speaker.GetProperty("id").GetGuid() },
        })).EnsureSuccessStatusCode();
        var tagged = await Event("tagged", "Tagged only", "2031-06-05T09:00", tags: [tag, $"{token}-topic"]);
        var accented = await Event("accented", $"Café Zürich {token}", "2031-07-05T09:00");
        var past = await Event("past", $"Old {token} meeting", "2020-03-05T09:00");
        return new Corpus(token, tag, title, described, spoken, tagged, accented, past);
    }

    private async Task<List<string>> SearchApiAsync(string query)
    {
        var response = await app.AnonymousClient().GetAsync("/api/events?" + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {body}");
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("slug").GetString()!)];
    }

    [Fact]
    public async Task Search_finds_words_in_titles_descriptions_tags_and_speaker_names_whatever_their_case()
    {
        var c = await CreateAsync();
        Assert.Equal([c.Past, c.Title, c.Described, c.Spoken, c.Tagged, c.Accented], await SearchApiAsync($"q={c.Token}&pageSize=100"));
        Assert.Equal([c.Title], await SearchApiAsync($"q=skills+{c.Token.ToUpperInvariant()}"));
        Assert.Equal([c.Described], await SearchApiAsync($"q=HOUSING+{c.Token}"));
        Assert.Equal([c.Spoken], await SearchApiAsync($"q={c.Token}son"));
        Assert.Equal([c.Tagged], await SearchApiAsync($"q={c.Token}-topic"));
        Assert.Empty(await SearchApiAsync($"q={c.Token}+nowhere-else"));

        // Accents: found as typed on both databases; other cases and odd characters never fail.
        Assert.Equal([c.Accented], await SearchApiAsync($"q={Uri.EscapeDataString("Café")}+{c.Token}"));
        Assert.Equal([c.Accented], await SearchApiAsync($"q={Uri.EscapeDataString("zürich")}+{c.Token}"));
        foreach (var odd in new[] { "CAFÉ", "ÆØÅ ß", "100%", "_", "'; DROP TABLE events; --", "\u0301", "🎉" })
        {
            await SearchApiAsync("q=" + Uri.EscapeDataString(odd));
            var page = await app.AnonymousClient().GetAsync("/events?q=" + Uri.EscapeDataString(odd));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
    }

    [Fact]
    public async Task Search_finds_words_in_the_welsh_title_summary_and_description_in_either_language()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var token = "zw" + Guid.NewGuid().ToString("N")[..8];
        var slug = $"{token}-cymraeg";
        var response = await editor.PostAsJsonAsync("/api/events", new
        {
            slug, title = "Rural broadband", summary = "How villages get connected.", description = "A day on connectivity.",
            titleCy = $"Band eang gwledig {token}", summaryCy = "Sut mae pentrefi’n cael eu cysylltu.", descriptionCy = "Diwrnod am gysylltedd a thrafnidiaeth.",
            startsAt = "2031-08-05T09:00", endsAt = "2031-08-05T17:00", timeZone = "Europe/London", venue = new { name = "Neuadd" }, isPublished = true,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        Assert.Equal([slug], await SearchApiAsync($"q=GWLEDIG+{token}"));
        Assert.Equal([slug], await SearchApiAsync($"q=pentrefi+{token}"));
        Assert.Equal([slug], await SearchApiAsync($"q=thrafnidiaeth+{token}"));
        Assert.Equal([slug], await SearchApiAsync($"q=broadband+{token}"));
        Assert.Empty(await SearchApiAsync($"q=trenau+{token}"));

        // The page finds it whatever the reader's language, and shows the title in that language.
        foreach (var (culture, shown) in new[] { ("cy", $"Band eang gwledig {token}"), ("en", "Rural broadband") })
        {
            var document = await Parser.ParseDocumentAsync(await app.AnonymousClient().GetStringAsync($"/events?q=gwledig+{token}&culture={culture}"));
            var link = Assert.Single(document.QuerySelectorAll(".event-card h3 a"));
            Assert.Equal($"/events/{slug}", link.GetAttribute("href"));
            Assert.Equal(shown, link.TextContent.Trim());
        }
    }

    [Fact]
    public async Task Filters_and_pages_work_the_same_on_the_page_and_the_api()
    {
        var c = await CreateAsync();
        Assert.Equal([c.Described], await SearchApiAsync($"tag={c.Tag}&month=2031-04"));
        Assert.Equal([c.Title, c.Described, c.Spoken], await SearchApiAsync($"q={c.Token}&tag={c.Tag}&when=upcoming&pageSize=3"));
        Assert.Equal([c.Tagged, c.Accented], await SearchApiAsync($"q={c.Token}&tag={c.Tag}&when=upcoming&pageSize=3&page=2"));
        Assert.Equal([c.Past], await SearchApiAsync($"q={c.Token}&when=past"));

        var document = await Parser.ParseDocumentAsync(await app.AnonymousClient().GetStringAsync($"/events?q={c.Token}&pageSize=2"));
        var upcoming = document.QuerySelectorAll(".event-list:not(.past) .event-card h3 a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal([$"/events/{c.Title}", $"/events/{c.Described}"], upcoming);
        Assert.Equal([$"/events/{c.Past}"], document.QuerySelectorAll(".event-list.past .event-card h3 a").Select(a => a.GetAttribute("href")));
        Assert.Equal(c.Token, document.QuerySelector("input[name=q]")!.GetAttribute("value"));
        var next = document.QuerySelector("nav.pagination a[rel=next]")!.GetAttribute("href")!;
        Assert.Contains("page=2", next, StringComparison.Ordinal);
        Assert.Contains($"q={c.Token}", next, StringComparison.Ordinal);

        var second = await Parser.ParseDocumentAsync(await app.AnonymousClient().GetStringAsync(next.Split('#')[0] + "&pageSize=2"));
        Assert.Equal([$"/events/{c.Spoken}", $"/events/{c.Tagged}"], second.QuerySelectorAll(".event-list:not(.past) .event-card h3 a").Select(a => a.GetAttribute("href")));

        var month = await Parser.ParseDocumentAsync(await app.AnonymousClient().GetStringAsync($"/events?tag={c.Tag}&month=2031-06"));
        Assert.Equal([$"/events/{c.Tagged}"], month.QuerySelectorAll(".event-card h3 a").Select(a => a.GetAttribute("href")));
    }

    [Fact]
    public async Task Bad_parameters_get_problem_details_naming_the_field()
    {
        var client = app.AnonymousClient();
        await (await client.GetAsync("/api/events?month=2031-13")).AssertProblemAsync(HttpStatusCode.BadRequest, "month");
        await (await client.GetAsync("/api/events?month=next")).AssertProblemAsync(HttpStatusCode.BadRequest, "month");
        await (await client.GetAsync("/api/events?when=soon")).AssertProblemAsync(HttpStatusCode.BadRequest, "when");
        await (await client.GetAsync("/api/events?q=" + new string('a', 201))).AssertProblemAsync(HttpStatusCode.BadRequest, "q");
        await (await client.GetAsync("/api/events?q=a+b+c+d+e+f+g+h+i")).AssertProblemAsync(HttpStatusCode.BadRequest, "q");
        await (await client.GetAsync("/api/events?pageSize=0")).AssertProblemAsync(HttpStatusCode.BadRequest, "pageSize");
        await (await client.GetAsync("/api/events?page=abc")).AssertProblemAsync(HttpStatusCode.BadRequest, "page");

        var page = await client.GetAsync("/events?month=2031-13");
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        var document = await Parser.ParseDocumentAsync(await page.Content.ReadAsStringAsync());
        Assert.StartsWith("month ", document.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/events?pastPage=0")).StatusCode);
    }
}

public sealed class EventSearchOnSqlite(SqliteApp app) : EventSearchTests(app), IClassFixture<SqliteApp>;

public sealed class EventSearchOnPostgres(PostgresApp app) : EventSearchTests(app), IClassFixture<PostgresApp>;
