using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using LiveHub.Embed;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;

namespace LiveHub.Tests.Embed;

/// <summary>The embeddable widget and oEmbed, on both databases.</summary>
public abstract class EmbedTests(LiveHubApp app)
{
    private static Dictionary<string, List<string>> Csp(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Content-Security-Policy"))
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToList(), StringComparer.OrdinalIgnoreCase);

    private static async Task<JsonElement> OEmbedAsync(HttpClient client, string url, HttpStatusCode expected, string query = "")
    {
        var response = await client.GetAsync("/oembed?url=" + Uri.EscapeDataString(url) + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{url}{query}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task The_embed_shows_the_newest_posts_links_back_and_only_it_may_be_framed()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await live.PostAsync("First from the panel");
        await live.PostAsync("Second <b>not bold</b> </script><script>alert(1)</script>");
        var anonymous = app.AnonymousClient();

        foreach (var path in new[] { $"/embed/live/{live.Slug}", $"/embed/live/{live.Slug}/sessions/{live.SessionId}" })
        {
            var response = await anonymous.GetAsync(path + "?theme=dark");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(["*"], Csp(response)["frame-ancestors"]);
            Assert.False(response.Headers.Contains("X-Frame-Options"), $"{path} sends X-Frame-Options, which forbids every framing site");
            var document = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
            Assert.Equal("dark", document.DocumentElement.GetAttribute("data-theme"));
            var bodies = document.QuerySelectorAll("#embed-feed .live-post .post-body").Select(b => b.TextContent.Trim()).ToList();
            Assert.Equal("Second <b>not bold</b> </script><script>alert(1)</script>", bodies[0]);
            Assert.Contains("First from the panel", bodies);
            Assert.Empty(document.QuerySelectorAll("#embed-feed b"));
            Assert.Equal($"http://localhost/live/{live.Slug}/sessions/{live.SessionId}", document.QuerySelector("#embed-full-link")!.GetAttribute("href"));
            Assert.Equal(live.StreamId.ToString(), document.QuerySelector("#embed")!.GetAttribute("data-stream-id"));
            Assert.Contains(document.QuerySelectorAll("script"), s => s.GetAttribute("src") == "/js/live-embed.js");
        }

        // Every other page keeps forbidding framing, the live page included.
        foreach (var path in new[] { $"/live/{live.Slug}", $"/events/{live.Slug}", "/oembed", "/api/events", "/embed/nothing-here" })
        {
            var response = await anonymous.GetAsync(path);
            Assert.Equal(["'none'"], Csp(response)["frame-ancestors"]);
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        }
    }

    [Fact]
    public async Task A_flood_of_posts_shows_only_the_newest_few_and_bad_input_is_refused()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        for (var i = 1; i <= 25; i++)
        {
            await live.PostAsync($"Update {i}");
        }

        var anonymous = app.AnonymousClient();
        var document = await new HtmlParser().ParseDocumentAsync(await anonymous.GetStringAsync($"/embed/live/{live.Slug}/sessions/{live.SessionId}"));
        var bodies = document.QuerySelectorAll("#embed-feed .live-post .post-body").Select(b => b.TextContent.Trim()).ToList();
        Assert.Equal(Enumerable.Range(6, 20).Reverse().Select(i => $"Update {i}"), bodies);
        Assert.Equal("auto", document.DocumentElement.GetAttribute("data-theme"));

        var badTheme = await anonymous.GetAsync($"/embed/live/{live.Slug}?theme=" + Uri.EscapeDataString("dark\"><script>"));
        await badTheme.AssertProblemAsync(HttpStatusCode.BadRequest, "theme");
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync($"/embed/live/{live.Slug}?theme=2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/embed/live/no-such-event")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/embed/live/{live.Slug}/sessions/{Guid.NewGuid()}")).StatusCode);

        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var draft = "embed-draft-" + Guid.NewGuid().ToString("N")[..8];
        (await editor.PostAsJsonAsync("/api/events", EventsTestData.Event(draft, published: false))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/embed/live/{draft}")).StatusCode);
    }

    [Fact]
    public async Task OEmbed_answers_for_event_session_and_live_urls_of_this_site_only()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var anonymous = app.AnonymousClient();
        var site = "http://localhost";
        var cases = new (string Url, string Src)[]
        {
            ($"{site}/events/{live.Slug}", $"{site}/embed/live/{live.Slug}"),
            ($"{site}/live/{live.Slug}", $"{site}/embed/live/{live.Slug}"),
            ($"{site}/live/{live.Slug}#post-2", $"{site}/embed/live/{live.Slug}"),
            ($"{site}/events/{live.Slug}/sessions/{live.SessionId}", $"{site}/embed/live/{live.Slug}/sessions/{live.SessionId}"),
            ($"{site}/live/{live.Slug}/sessions/{live.SessionId}/", $"{site}/embed/live/{live.Slug}/sessions/{live.SessionId}"),
        };
        foreach (var (url, src) in cases)
        {
            var oembed = await OEmbedAsync(anonymous, url, HttpStatusCode.OK, "&format=json");
            Assert.Equal("1.0", oembed.GetProperty("version").GetString());
            Assert.Equal("rich", oembed.GetProperty("type").GetString());
            Assert.Equal("LiveHub", oembed.GetProperty("provider_name").GetString());
            Assert.Equal(OEmbedEndpoint.DefaultWidth, oembed.GetProperty("width").GetInt32());
            Assert.Equal(OEmbedEndpoint.DefaultHeight, oembed.GetProperty("height").GetInt32());
            var frame = Assert.Single((await new HtmlParser().ParseDocumentAsync(oembed.GetProperty("html").GetString()!)).Body!.Children);
            Assert.Equal("IFRAME", frame.TagName);
            Assert.Equal(src, frame.GetAttribute("src"));
            Assert.Equal(OEmbedEndpoint.DefaultWidth.ToString(System.Globalization.CultureInfo.InvariantCulture), frame.GetAttribute("width"));
        }

        // maxwidth/maxheight are upper bounds: never exceeded, never grown into.
        var small = await OEmbedAsync(anonymous, $"{site}/live/{live.Slug}", HttpStatusCode.OK, "&maxwidth=320&maxheight=240");
        Assert.Equal(320, small.GetProperty("width").GetInt32());
        Assert.Equal(240, small.GetProperty("height").GetInt32());
        var large = await OEmbedAsync(anonymous, $"{site}/live/{live.Slug}", HttpStatusCode.OK, "&maxwidth=5000");
        Assert.Equal(OEmbedEndpoint.DefaultWidth, large.GetProperty("width").GetInt32());

        foreach (var unknown in new[]
        {
            "https://elsewhere.example.org/live/" + live.Slug, $"{site}:8080/live/{live.Slug}", $"https://localhost/live/{live.Slug}", $"{site}/live/no-such-event",
            $"{site}/events/{live.Slug}/sessions/{Guid.NewGuid()}", $"{site}/speakers/someone", $"{site}/live/{live.Slug}/feed.atom", "javascript:alert(1)", "not a url",
        })
        {
            await OEmbedAsync(anonymous, unknown, HttpStatusCode.NotFound);
        }

        Assert.Equal(HttpStatusCode.NotImplemented, (await anonymous.GetAsync($"/oembed?url={Uri.EscapeDataString($"{site}/live/{live.Slug}")}&format=xml")).StatusCode);
        await (await anonymous.GetAsync("/oembed?format=json")).AssertProblemAsync(HttpStatusCode.BadRequest, "url");
        await (await anonymous.GetAsync("/oembed?url=" + Uri.EscapeDataString($"{site}/live/{new string('a', 3_000)}"))).AssertProblemAsync(HttpStatusCode.BadRequest, "url");
        await (await anonymous.GetAsync($"/oembed?url={Uri.EscapeDataString(site + "/live/" + live.Slug)}&maxwidth=-5")).AssertProblemAsync(HttpStatusCode.BadRequest, "maxwidth");
        await (await anonymous.GetAsync($"/oembed?url={Uri.EscapeDataString(site + "/live/" + live.Slug)}&maxheight=1e9")).AssertProblemAsync(HttpStatusCode.BadRequest, "maxheight");
    }

    [Fact]
    public async Task Hostile_titles_stay_text_in_the_oembed_html_and_pages_carry_discovery_links()
    {
        var editor = await app.BearerClientAsync(StaffRoles.Editor);
        var slug = "embed-xss-" + Guid.NewGuid().ToString("N")[..8];
        const string Title = "Panel \"><script>alert(1)</script><iframe src=javascript:alert(2)> & more";
        (await editor.PostAsJsonAsync("/api/events", new
        {
            slug, title = Title, startsAt = "2030-06-01T09:00", endsAt = "2030-06-01T17:00", timeZone = "Europe/London", venue = new { name = "The Exchange" }, isPublished = true,
        })).EnsureSuccessStatusCode();
        var session = await (await editor.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title = Title, startsAt = "2030-06-01T14:00", endsAt = "2030-06-01T15:00" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = session.GetProperty("id").GetGuid();
        var anonymous = app.AnonymousClient();

        var oembed = await OEmbedAsync(anonymous, $"http://localhost/events/{slug}/sessions/{sessionId}", HttpStatusCode.OK);
        Assert.Equal($"Live: {Title} ({Title})", oembed.GetProperty("title").GetString());
        var fragment = await new HtmlParser().ParseDocumentAsync(oembed.GetProperty("html").GetString()!);
        var frame = Assert.Single(fragment.Body!.Children);
        Assert.Equal("IFRAME", frame.TagName);
        Assert.Equal($"Live: {Title} ({Title})", frame.GetAttribute("title"));
        Assert.Empty(frame.Children);
        Assert.Single(fragment.QuerySelectorAll("iframe"));

        foreach (var page in new[] { $"/events/{slug}", $"/events/{slug}/sessions/{sessionId}", $"/live/{slug}", $"/live/{slug}/sessions/{sessionId}" })
        {
            var document = await new HtmlParser().ParseDocumentAsync(await anonymous.GetStringAsync(page));
            var link = Assert.Single(document.QuerySelectorAll("link[rel=alternate][type='application/json+oembed']"));
            var discovery = new Uri(link.GetAttribute("href")!);
            Assert.Equal("/oembed", discovery.AbsolutePath);
            var query = System.Web.HttpUtility.ParseQueryString(discovery.Query);
            Assert.Equal("json", query["format"]);
            Assert.Equal("http://localhost" + page, query["url"]);
            var response = await anonymous.GetAsync(discovery.PathAndQuery);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Pages that cannot be embedded have no discovery link.
        var list = await new HtmlParser().ParseDocumentAsync(await anonymous.GetStringAsync("/events"));
        Assert.Empty(list.QuerySelectorAll("link[type='application/json+oembed']"));
    }
}

public sealed class EmbedOnSqlite(SqliteApp app) : EmbedTests(app), IClassFixture<SqliteApp>;

public sealed class EmbedOnPostgres(PostgresApp app) : EmbedTests(app), IClassFixture<PostgresApp>;
