using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using AngleSharp.Html.Parser;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Live;

public sealed class LivePagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task The_live_page_shows_posts_without_javascript_and_carries_live_blog_json_ld()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await live.PostAsync("First update </script><script>alert(1)</script>");
        var pinned = await live.PostAsync("Pinned notice");
        (await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{pinned.GetProperty("id").GetGuid()}/pin", new { pinned = true })).EnsureSuccessStatusCode();

        var html = await app.AnonymousClient().GetStringAsync($"/live/{live.Slug}");
        var document = await new HtmlParser().ParseDocumentAsync(html);
        var feed = document.QuerySelector("[role=feed]")!;
        var bodies = feed.QuerySelectorAll(".live-post .post-body").Select(b => b.TextContent.Trim()).ToList();
        Assert.Equal("Pinned notice", bodies[0]);
        Assert.Contains("First update </script><script>alert(1)</script>", bodies);
        Assert.Equal("Pinned notice", document.QuerySelector("#live-pinned .post-body")!.TextContent.Trim());
        Assert.DoesNotContain(document.QuerySelectorAll("script"), s => s.TextContent.Contains("alert(1)", StringComparison.Ordinal) && s.GetAttribute("type") != "application/ld+json");

        var jsonLd = document.QuerySelector("script[type='application/ld+json']")!.TextContent;
        Assert.DoesNotContain("</script>", jsonLd, StringComparison.Ordinal);
        var data = JsonDocument.Parse(jsonLd).RootElement;
        Assert.Equal("LiveBlogPosting", data.GetProperty("@type").GetString());
        Assert.Equal(new DateTimeOffset(2030, 6, 1, 13, 0, 0, TimeSpan.Zero), data.GetProperty("coverageStartTime").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2030, 6, 1, 14, 0, 0, TimeSpan.Zero), data.GetProperty("coverageEndTime").GetDateTimeOffset());
        Assert.Equal(3, data.GetProperty("liveBlogUpdate").GetArrayLength());
    }

    [Fact]
    public async Task The_atom_feed_carries_edits_as_updated_and_deletions_as_tombstones()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var edited = await live.PostAsync("Typo here");
        var deleted = await live.PostAsync("Posted by mistake");
        (await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{edited.GetProperty("id").GetGuid()}", new { body = "No typo here" })).EnsureSuccessStatusCode();
        (await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{deleted.GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();

        var response = await app.AnonymousClient().GetAsync($"/live/{live.Slug}/sessions/{live.SessionId}/feed.atom");
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        var feed = XDocument.Parse(await response.Content.ReadAsStringAsync());
        XNamespace atom = "http://www.w3.org/2005/Atom";
        XNamespace tombstones = "http://purl.org/atompub/tombstones/1.0";
        var entry = feed.Root!.Elements(atom + "entry").Single(e => e.Element(atom + "id")!.Value == $"urn:uuid:{edited.GetProperty("id").GetGuid()}");
        Assert.Contains("No typo here", entry.Element(atom + "content")!.Value, StringComparison.Ordinal);
        Assert.True(DateTime.Parse(entry.Element(atom + "updated")!.Value, System.Globalization.CultureInfo.InvariantCulture) >=
                    DateTime.Parse(entry.Element(atom + "published")!.Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotEqual(entry.Element(atom + "updated")!.Value, entry.Element(atom + "published")!.Value);
        var tombstone = Assert.Single(feed.Root.Elements(tombstones + "deleted-entry"));
        Assert.Equal($"urn:uuid:{deleted.GetProperty("id").GetGuid()}", tombstone.Attribute("ref")!.Value);
    }

    [Fact]
    public async Task Unknown_live_page_is_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await app.AnonymousClient().GetAsync("/live/no-such-event")).StatusCode);
    }
}

public sealed class SeededLiveThreadTests(Seeding.SeedTests.SeededSqliteApp app) : IClassFixture<Seeding.SeedTests.SeededSqliteApp>
{
    [Fact]
    public async Task The_sample_panel_thread_is_loaded_in_order_and_shown_on_the_live_page()
    {
        var html = await app.AnonymousClient().GetStringAsync("/live/second-place-partnership-conference");
        var document = await new HtmlParser().ParseDocumentAsync(html);
        Assert.Contains("Panel: lessons learned", document.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        var posts = document.QuerySelectorAll("[role=feed] .live-post").ToList();
        Assert.True(posts.Count >= 20, $"Only {posts.Count} posts.");
        var sequences = posts.Select(p => int.Parse(p.GetAttribute("data-sequence")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(sequences.OrderDescending(), sequences);
        Assert.Contains(posts, p => p.QuerySelector(".post-quote figcaption")?.TextContent.Contains("Jo Allison", StringComparison.Ordinal) == true);
        Assert.Contains("Coverage has ended", document.QuerySelector("#live-state")!.TextContent, StringComparison.Ordinal);

        // The event page leads readers to the coverage, as a whole and per session.
        var eventPage = await new HtmlParser().ParseDocumentAsync(await app.AnonymousClient().GetStringAsync("/events/second-place-partnership-conference"));
        Assert.Equal("/live/second-place-partnership-conference", eventPage.QuerySelector(".live-link a")!.GetAttribute("href"));
        Assert.Contains(eventPage.QuerySelectorAll(".session-live a"), a => a.GetAttribute("href")!.StartsWith("/live/second-place-partnership-conference/sessions/", StringComparison.Ordinal));
    }
}
