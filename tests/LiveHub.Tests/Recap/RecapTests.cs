using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using AngleSharp.Html.Parser;
using LiveHub.Recap;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;

namespace LiveHub.Tests.Recap;

/// <summary>Recaps: the draft built when coverage ends, editing, publishing, and where a published recap shows.</summary>
public abstract class RecapTests(LiveHubApp app)
{
    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A session with plain updates, a key moment, a quote, a pinned update and a deleted key moment; then coverage ends.</summary>
    private async Task<LiveScenario> CoveredSessionAsync(bool end = true)
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var speaker = await OkAsync(await live.Editor.PostAsJsonAsync("/api/speakers", new { name = "Dr Ada Okafor" }));
        await live.PostAsync("Plain update one");
        await live.PostAsync("The panel agrees on *open* data", kind: "keyMoment");
        await OkAsync(await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts",
            new { kind = "quote", body = "Data without context is noise.", speakerId = speaker.GetProperty("id").GetGuid() }));
        var pinned = await live.PostAsync("Slides are online");
        await OkAsync(await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{pinned.GetProperty("id").GetGuid()}/pin", new { pinned = true }));
        var marked = await live.PostAsync("Marked later as key");
        await OkAsync(await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{marked.GetProperty("id").GetGuid()}/key-moment", new { keyMoment = true }));
        var deleted = await live.PostAsync("A key moment posted by mistake", kind: "keyMoment");
        (await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{deleted.GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();
        await live.PostAsync("Plain update two");
        if (end)
        {
            (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/end", null)).EnsureSuccessStatusCode();
        }

        return live;
    }

    [Fact]
    public async Task Ending_coverage_builds_a_draft_of_the_key_moments_quotes_and_pinned_post_in_order()
    {
        var live = await CoveredSessionAsync(end: false);
        await (await live.Editor.GetAsync($"/api/streams/{live.StreamId}/recap")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await live.Editor.PostAsync($"/api/streams/{live.StreamId}/recap", null)).AssertProblemAsync(HttpStatusCode.Conflict);

        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/end", null)).EnsureSuccessStatusCode();
        var recap = await OkAsync(await live.Editor.GetAsync($"/api/streams/{live.StreamId}/recap"));
        Assert.Equal("Recap: Panel", recap.GetProperty("title").GetString());
        Assert.False(recap.GetProperty("published").GetBoolean());
        var lines = recap.GetProperty("body").GetString()!.Split('\n');
        Assert.StartsWith("Recap of Panel at ", lines[0], StringComparison.Ordinal);
        var items = lines.Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, items.Count);
        Assert.EndsWith("The panel agrees on \\*open\\* data", items[0], StringComparison.Ordinal);
        Assert.EndsWith("“Data without context is noise.” — Dr Ada Okafor", items[1], StringComparison.Ordinal);
        Assert.EndsWith("(Pinned) Slides are online", items[2], StringComparison.Ordinal);
        Assert.EndsWith("Marked later as key", items[3], StringComparison.Ordinal);
        Assert.Matches(@"^- \*\*\d\d:\d\d\*\* ", items[0]);
        Assert.DoesNotContain("Plain update", recap.GetProperty("body").GetString()!, StringComparison.Ordinal);
        Assert.DoesNotContain("by mistake", recap.GetProperty("body").GetString()!, StringComparison.Ordinal);
        // The Markdown renders the escaped text as typed.
        Assert.Contains("The panel agrees on *open* data", recap.GetProperty("html").GetString()!, StringComparison.Ordinal);

        // The event-wide stream has no recap.
        var streams = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/events/{live.Slug}/streams");
        var eventStream = streams.EnumerateArray().Single(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.Null).GetProperty("id").GetGuid();
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/coverage/start", null)).EnsureSuccessStatusCode();
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/coverage/end", null)).EnsureSuccessStatusCode();
        await (await live.Editor.GetAsync($"/api/streams/{eventStream}/recap")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await live.Editor.PostAsync($"/api/streams/{eventStream}/recap", null)).AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Staff_edits_survive_a_second_end_of_coverage_and_a_rebuild_replaces_them()
    {
        var live = await CoveredSessionAsync();
        var recap = await OkAsync(await live.Editor.GetAsync($"/api/streams/{live.StreamId}/recap"));
        var edited = await OkAsync(await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/recap",
            new { title = "What the panel said", body = "Our own words.", version = recap.GetProperty("version").GetInt32() }));
        Assert.Equal("Our own words.", edited.GetProperty("body").GetString());

        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/start", null)).EnsureSuccessStatusCode();
        await live.PostAsync("A late key moment", kind: "keyMoment");
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/end", null)).EnsureSuccessStatusCode();
        Assert.Equal("Our own words.", (await OkAsync(await live.Editor.GetAsync($"/api/streams/{live.StreamId}/recap"))).GetProperty("body").GetString());

        var rebuilt = await OkAsync(await live.Editor.PostAsync($"/api/streams/{live.StreamId}/recap", null));
        Assert.Contains("A late key moment", rebuilt.GetProperty("body").GetString()!, StringComparison.Ordinal);
        Assert.Equal("What the panel said", rebuilt.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_published_recap_has_its_page_json_ld_feed_entries_and_a_link_from_the_live_page()
    {
        var live = await CoveredSessionAsync();
        var anonymous = app.AnonymousClient();
        var page = $"/live/{live.Slug}/sessions/{live.SessionId}/recap";
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(page)).StatusCode);
        Assert.DoesNotContain("live-recap-link", await anonymous.GetStringAsync($"/live/{live.Slug}/sessions/{live.SessionId}"), StringComparison.Ordinal);

        var recap = await OkAsync(await live.Editor.GetAsync($"/api/streams/{live.StreamId}/recap"));
        await OkAsync(await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/recap",
            new { title = "The panel in five minutes", body = "**Open data** won.\n\n- one\n- two", version = recap.GetProperty("version").GetInt32() }));
        var published = await OkAsync(await live.Editor.PostAsync($"/api/streams/{live.StreamId}/recap/publish", null));
        Assert.True(published.GetProperty("published").GetBoolean());
        Assert.Equal(page, published.GetProperty("pageUrl").GetString());
        // Publishing again with nothing changed changes nothing.
        var again = await OkAsync(await live.Editor.PostAsync($"/api/streams/{live.StreamId}/recap/publish", null));
        Assert.Equal(published.GetProperty("version").GetInt32(), again.GetProperty("version").GetInt32());
        // (PostgreSQL keeps microseconds: the first answer carries the clock's ticks, the second the stored value.)
        Assert.Equal(published.GetProperty("publishedAt").GetDateTimeOffset().ToUnixTimeMilliseconds(), again.GetProperty("publishedAt").GetDateTimeOffset().ToUnixTimeMilliseconds());

        var document = await new HtmlParser().ParseDocumentAsync(await anonymous.GetStringAsync(page));
        Assert.Equal("The panel in five minutes", document.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal("Open data", document.QuerySelector("#recap-body strong")!.TextContent);
        Assert.Equal(2, document.QuerySelectorAll("#recap-body li").Length);
        Assert.Equal($"/live/{live.Slug}/sessions/{live.SessionId}", document.QuerySelector(".recap-live-link a")!.GetAttribute("href"));
        var jsonLd = JsonDocument.Parse(document.QuerySelector("script[type='application/ld+json']")!.TextContent).RootElement;
        Assert.Equal("BlogPosting", jsonLd.GetProperty("@type").GetString());
        Assert.Equal("The panel in five minutes", jsonLd.GetProperty("headline").GetString());
        Assert.Equal("http://localhost" + page, jsonLd.GetProperty("url").GetString());
        Assert.Equal("Panel", jsonLd.GetProperty("about").GetProperty("name").GetString());
        Assert.Equal($"http://localhost/live/{live.Slug}/sessions/{live.SessionId}", jsonLd.GetProperty("isBasedOn").GetString());

        var livePage = await new HtmlParser().ParseDocumentAsync(await anonymous.GetStringAsync($"/live/{live.Slug}/sessions/{live.SessionId}"));
        Assert.Equal(page, livePage.QuerySelector("#live-recap-link a")!.GetAttribute("href"));

        XNamespace atom = "http://www.w3.org/2005/Atom";
        foreach (var feedUrl in new[] { $"/live/{live.Slug}/feed.atom", $"/live/{live.Slug}/sessions/{live.SessionId}/feed.atom" })
        {
            var feed = XDocument.Parse(await anonymous.GetStringAsync(feedUrl));
            var entry = Assert.Single(feed.Root!.Elements(atom + "entry"), e => e.Element(atom + "id")!.Value == $"urn:uuid:{published.GetProperty("id").GetGuid()}");
            Assert.Equal("The panel in five minutes", entry.Element(atom + "title")!.Value);
            Assert.Equal("http://localhost" + page, entry.Element(atom + "link")!.Attribute("href")!.Value);
            Assert.Contains("<strong>Open data</strong>", entry.Element(atom + "content")!.Value, StringComparison.Ordinal);
        }

        // The draft changes; the public text does not until it is published again.
        var current = await OkAsync(await live.Editor.GetAsync($"/api/streams/{live.StreamId}/recap"));
        var changed = await OkAsync(await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/recap",
            new { title = "The panel in five minutes", body = "Rewritten draft.", version = current.GetProperty("version").GetInt32() }));
        Assert.True(changed.GetProperty("draftDiffersFromPublished").GetBoolean());
        Assert.DoesNotContain("Rewritten draft.", await anonymous.GetStringAsync(page), StringComparison.Ordinal);
        await OkAsync(await live.Editor.PostAsync($"/api/streams/{live.StreamId}/recap/publish", null));
        Assert.Contains("Rewritten draft.", await anonymous.GetStringAsync(page), StringComparison.Ordinal);

        // Withdrawn: gone from the page, the feeds and the live page.
        await OkAsync(await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/recap/publish"));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(page)).StatusCode);
        Assert.DoesNotContain("Rewritten draft.", await anonymous.GetStringAsync($"/live/{live.Slug}/feed.atom"), StringComparison.Ordinal);
        Assert.DoesNotContain("live-recap-link", await anonymous.GetStringAsync($"/live/{live.Slug}/sessions/{live.SessionId}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_published_recap_of_a_deleted_session_leaves_the_event_feed_at_once()
    {
        var live = await CoveredSessionAsync();
        var anonymous = app.AnonymousClient();
        var recap = await OkAsync(await live.Editor.GetAsync($"/api/streams/{live.StreamId}/recap"));
        await OkAsync(await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/recap",
            new { title = "A recap that goes with its session", body = "Short.", version = recap.GetProperty("version").GetInt32() }));
        await OkAsync(await live.Editor.PostAsync($"/api/streams/{live.StreamId}/recap/publish", null));
        Assert.Contains("A recap that goes with its session", await anonymous.GetStringAsync($"/live/{live.Slug}/feed.atom"), StringComparison.Ordinal);

        (await live.Editor.DeleteAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}")).EnsureSuccessStatusCode();

        Assert.DoesNotContain("A recap that goes with its session", await anonymous.GetStringAsync($"/live/{live.Slug}/feed.atom"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/live/{live.Slug}/sessions/{live.SessionId}/recap")).StatusCode);
    }

    [Fact]
    public async Task Oversize_spam_unsafe_links_and_stale_versions_are_refused_and_html_stays_text()
    {
        var live = await CoveredSessionAsync();
        var url = $"/api/streams/{live.StreamId}/recap";
        var version = (await OkAsync(await live.Editor.GetAsync(url))).GetProperty("version").GetInt32();

        await (await live.Editor.PutAsJsonAsync(url, new { title = "T", body = new string('x', RecapLimits.Body + 1), version })).AssertProblemAsync(HttpStatusCode.BadRequest, "body");
        await (await live.Editor.PutAsJsonAsync(url, new { title = new string('t', RecapLimits.Title + 1), body = "ok", version })).AssertProblemAsync(HttpStatusCode.BadRequest, "title");
        var spam = string.Join(" ", Enumerable.Range(0, RecapLimits.Links + 1).Select(i => $"https://spam{i}.example.org"));
        await (await live.Editor.PutAsJsonAsync(url, new { title = "T", body = spam, version })).AssertProblemAsync(HttpStatusCode.BadRequest, "body");
        await (await live.Editor.PutAsJsonAsync(url, new { title = "T", body = "[click](javascript:alert(1))", version })).AssertProblemAsync(HttpStatusCode.BadRequest, "body");
        await (await live.Editor.PutAsJsonAsync(url, new { title = " ", body = " ", version })).AssertProblemAsync(HttpStatusCode.BadRequest, "title");
        await (await live.Editor.PutAsJsonAsync(url, new { title = "T", body = "B" })).AssertProblemAsync(HttpStatusCode.BadRequest, "version");
        await (await live.Editor.PutAsJsonAsync(url, new { title = "T", body = "B", version = version + 7 })).AssertProblemAsync(HttpStatusCode.Conflict, "version");
        Assert.Equal(version, (await OkAsync(await live.Editor.GetAsync(url))).GetProperty("version").GetInt32());

        const string Hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> [ok](https://example.org \"t\")";
        await OkAsync(await live.Editor.PutAsJsonAsync(url, new { title = "</title><script>alert(3)</script>", body = Hostile, version }));
        await OkAsync(await live.Editor.PostAsync($"{url}/publish", null));
        var html = await app.AnonymousClient().GetStringAsync($"/live/{live.Slug}/sessions/{live.SessionId}/recap");
        var document = await new HtmlParser().ParseDocumentAsync(html);
        Assert.Empty(document.QuerySelectorAll("#recap-body script, #recap-body img"));
        Assert.Contains("<script>alert(1)</script>", document.QuerySelector("#recap-body")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("</title><script>alert(3)</script>", document.QuerySelector("h1")!.TextContent.Trim());
        // Outside JSON-LD (where < is escaped, so it cannot end the element) no script carries the text.
        Assert.All(document.QuerySelectorAll("script:not([type='application/ld+json'])"), s => Assert.DoesNotContain("alert(", s.TextContent, StringComparison.Ordinal));
        Assert.All(document.QuerySelectorAll("script[type='application/ld+json']"), s => Assert.DoesNotContain("<", s.TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_flood_of_concurrent_edits_from_one_version_lets_exactly_one_through()
    {
        var live = await CoveredSessionAsync();
        var url = $"/api/streams/{live.StreamId}/recap";
        var version = (await OkAsync(await live.Editor.GetAsync(url))).GetProperty("version").GetInt32();
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => live.Editor.PutAsJsonAsync(url, new { title = "T", body = $"Edit {i}", version })));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.True(statuses.All(s => s is HttpStatusCode.OK or HttpStatusCode.Conflict), string.Join(", ", statuses));
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).Content.ReadFromJsonAsync<JsonElement>();
        var stored = await OkAsync(await live.Editor.GetAsync(url));
        Assert.Equal(winner.GetProperty("body").GetString(), stored.GetProperty("body").GetString());
        Assert.Equal(version + 1, stored.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task The_recap_of_an_unpublished_event_is_not_shown()
    {
        var live = await CoveredSessionAsync();
        var recap = await OkAsync(await live.Editor.GetAsync($"/api/streams/{live.StreamId}/recap"));
        await OkAsync(await live.Editor.PostAsync($"/api/streams/{live.StreamId}/recap/publish", null));
        Assert.Equal(HttpStatusCode.OK, (await app.AnonymousClient().GetAsync($"/live/{live.Slug}/sessions/{live.SessionId}/recap")).StatusCode);
        (await live.Editor.PutAsJsonAsync($"/api/events/{live.Slug}", EventsTestData.Event(live.Slug, published: false))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NotFound, (await app.AnonymousClient().GetAsync($"/live/{live.Slug}/sessions/{live.SessionId}/recap")).StatusCode);
        await (await live.Editor.GetAsync($"/api/streams/{live.StreamId}/recap")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.NotEqual(Guid.Empty, recap.GetProperty("id").GetGuid());
    }
}

public sealed class RecapOnSqlite(SqliteApp app) : RecapTests(app), IClassFixture<SqliteApp>;

public sealed class RecapOnPostgres(PostgresApp app) : RecapTests(app), IClassFixture<PostgresApp>;
