using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Tests.Live;

public abstract class LivePostsApiTests(LiveHubApp app)
{
    // 1×1 PNG with a tEXt chunk (metadata that must be stripped).
    private static readonly byte[] PngWithText = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAE3RFWHRDb21tZW50AHNlY3JldCBnZW8hGT5cCgAAAA1JREFUeJxj+M/A8B8ABQAB/4mZPR0AAAAASUVORK5CYII=");

    private static async Task<HttpResponseMessage> UploadAsync(LiveScenario live, byte[] bytes, string? altText, string fileName = "photo.png", string contentType = "image/png")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        if (altText is not null)
        {
            form.Add(new StringContent(altText), "altText");
        }

        return await live.Editor.PostAsync($"/api/streams/{live.StreamId}/images", form);
    }

    [Fact]
    public async Task Html_in_a_post_is_rendered_inert_and_links_hashtags_mentions_are_linked()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var post = await live.PostAsync("<script>alert('x')</script> see https://example.org/a?b=1. #PlaceLeadership @lpiphub.bsky.social");
        var html = post.GetProperty("html").GetString()!;
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.org/a?b=1\" rel=\"nofollow noopener ugc\">https://example.org/a?b=1</a>.", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://bsky.app/hashtag/PlaceLeadership\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://bsky.app/profile/lpiphub.bsky.social\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markdown_subset_renders_without_raw_html_and_refuses_script_links()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var response = await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "**Key point** with <b onclick=x>html</b> and [report](https://example.org/r)", format = "markdown" });
        var post = await response.Content.ReadFromJsonAsync<JsonElement>();
        var html = post.GetProperty("html").GetString()!;
        Assert.Contains("<strong>Key point</strong>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b onclick", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b onclick=x&gt;", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.org/r\"", html, StringComparison.Ordinal);

        var script = await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "[click](javascript:alert(1))", format = "markdown" });
        await script.AssertProblemAsync(HttpStatusCode.BadRequest, "body");
    }

    public static TheoryData<string, string> InvalidPosts => new()
    {
        { """{"body":""}""", "body" },
        { """{"body":"   \n  "}""", "body" },
        { $$"""{"body":"{{new string('x', 5001)}}"}""", "body" },
        { """{"body":"x","kind":"quote"}""", "speakerId" },
        { """{"body":"x","kind":"quote","speakerId":"00000000-0000-0000-0000-000000000001"}""", "speakerId" },
        { """{"body":"x","kind":"sessionStarted"}""", "kind" },
        { """{"body":"x","kind":"shout"}""", "$.kind" },
        { """{"body":"x","linkUrl":"javascript:alert(1)"}""", "linkUrl" },
        { """{"body":"x","imageIds":["00000000-0000-0000-0000-000000000001"]}""", "imageIds[0]" },
        { """{"body":"x","format":"html"}""", "$.format" },
    };

    [Theory]
    [MemberData(nameof(InvalidPosts))]
    public async Task Invalid_posts_are_refused_with_the_field(string json, string field)
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var response = await live.Editor.PostAsync($"/api/streams/{live.StreamId}/posts", new StringContent(json, Encoding.UTF8, "application/json"));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Posting_to_an_ended_or_unknown_stream_and_editing_another_streams_post_are_refused()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var other = await LiveTestSupport.LiveSessionAsync(app);
        var post = await live.PostAsync("Mine");

        var crossEdit = await other.Editor.PutAsJsonAsync($"/api/streams/{other.StreamId}/posts/{post.GetProperty("id").GetGuid()}", new { body = "Hijacked" });
        await crossEdit.AssertProblemAsync(HttpStatusCode.NotFound);

        var unknown = await live.Editor.PostAsJsonAsync($"/api/streams/{Guid.NewGuid()}/posts", new { body = "Lost" });
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);

        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/end", null)).EnsureSuccessStatusCode();
        var ended = await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "Too late" });
        await ended.AssertProblemAsync(HttpStatusCode.Conflict);

        var session = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/events/{live.Slug}/sessions/{live.SessionId}");
        Assert.Equal("ended", session.GetProperty("coverage").GetString());
    }

    [Fact]
    public async Task Images_need_alt_text_a_real_image_type_and_lose_their_metadata()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await (await UploadAsync(live, PngWithText, altText: null)).AssertProblemAsync(HttpStatusCode.BadRequest, "altText");
        await (await UploadAsync(live, Encoding.UTF8.GetBytes("<svg onload=alert(1)></svg> padding padding"), "An SVG", "x.png")).AssertProblemAsync(HttpStatusCode.BadRequest, "file");
        await (await UploadAsync(live, [.. PngWithText.Take(40)], "Truncated")).AssertProblemAsync(HttpStatusCode.BadRequest, "file");

        var uploaded = await UploadAsync(live, PngWithText, "A one-pixel test image");
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var image = await uploaded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, image.GetProperty("width").GetInt32());

        // Not attached yet, so only staff may fetch it (the console previews it).
        var served = await live.Editor.GetByteArrayAsync(image.GetProperty("url").GetString());
        Assert.True(served.Length < PngWithText.Length);
        Assert.DoesNotContain("secret geo", Encoding.Latin1.GetString(served), StringComparison.Ordinal);

        var post = await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "Photo", imageIds = new[] { image.GetProperty("id").GetGuid() } });
        var created = await post.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("A one-pixel test image", created.GetProperty("images")[0].GetProperty("altText").GetString());
        var reused = await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "Again", imageIds = new[] { image.GetProperty("id").GetGuid() } });
        await reused.AssertProblemAsync(HttpStatusCode.BadRequest, "imageIds[0]");
    }

    [Fact]
    public async Task A_coverage_marker_can_be_reworded_but_keeps_its_kind()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var changes = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/posts");
        var marker = changes.GetProperty("posts").EnumerateArray().Single(p => p.GetProperty("kind").GetString() == "sessionStarted");
        var url = $"/api/streams/{live.StreamId}/posts/{marker.GetProperty("id").GetGuid()}";

        var reworded = await live.Editor.PutAsJsonAsync(url, new { body = "We are live from the main hall." });
        Assert.Equal("sessionStarted", (await reworded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kind").GetString());
        await (await live.Editor.PutAsJsonAsync(url, new { body = "x", kind = "update" })).AssertProblemAsync(HttpStatusCode.BadRequest, "kind");
    }

    [Fact]
    public async Task Every_change_is_audited_with_who_and_when()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var post = await live.PostAsync("Audited");
        (await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{post.GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();
        var audit = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/audit");
        var actions = audit.EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToList();
        Assert.Equal(["CoverageStarted", "PostCreated", "PostDeleted"], actions);
        Assert.All(audit.EnumerateArray(), a => Assert.False(string.IsNullOrEmpty(a.GetProperty("actorId").GetString())));
    }

    [Fact]
    public async Task A_post_retried_with_its_idempotency_key_is_stored_once_even_when_the_retries_race()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var image = await (await UploadAsync(live, PngWithText, "The panel on stage")).Content.ReadFromJsonAsync<JsonElement>();

        async Task<HttpResponseMessage> SendAsync(string key, string body, bool withImage = false)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/streams/{live.StreamId}/posts")
            {
                Content = JsonContent.Create(new { body, imageIds = withImage ? new[] { image.GetProperty("id").GetGuid() } : [] }),
            };
            request.Headers.Add("Idempotency-Key", key);
            return await live.Editor.SendAsync(request);
        }

        var first = await SendAsync("post-1", "Opening remarks", withImage: true);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        var created = await first.Content.ReadFromJsonAsync<JsonElement>();

        // A client that never saw the answer sends the same request again: it gets the same post, with its image.
        var retry = await SendAsync("post-1", "Opening remarks", withImage: true);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        var replayed = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(created.GetProperty("id").GetGuid(), replayed.GetProperty("id").GetGuid());
        Assert.Equal(1, replayed.GetProperty("images").GetArrayLength());

        // Eight copies of one request at once: one post.
        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync("post-2", "Racing retry")));
        Assert.All(racing, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(racing.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()));
        Assert.Single(ids.Distinct());

        // The key belongs to its stream and does not stop a new post with a new key.
        var other = await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "No key" });
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        var posts = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/posts");
        Assert.Equal(["Live coverage of Panel has started.", "Opening remarks", "Racing retry", "No key"],
            posts.GetProperty("posts").EnumerateArray().OrderBy(p => p.GetProperty("sequence").GetInt32()).Select(p => p.GetProperty("body").GetString()));

        var badKey = await SendAsync(new string('k', 101), "Too long a key");
        await badKey.AssertProblemAsync(HttpStatusCode.BadRequest, "Idempotency-Key");
    }

    private static async Task<HttpResponseMessage> SendWithKeyAsync(HttpClient client, Guid streamId, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/streams/{streamId}/posts") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }

    private static async Task<List<string?>> BodiesAsync(LiveScenario live)
    {
        var posts = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/posts");
        return [.. posts.GetProperty("posts").EnumerateArray().OrderBy(p => p.GetProperty("sequence").GetInt32()).Select(p => p.GetProperty("body").GetString())];
    }

    [Fact]
    public async Task Two_editors_who_pick_the_same_idempotency_key_each_get_their_own_post()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var other = await app.BearerClientAsync(LiveHub.Staff.StaffRoles.Editor);

        var first = await SendWithKeyAsync(live.Editor, live.StreamId, "shared-key", new { body = "From the first editor" });
        var second = await SendWithKeyAsync(other, live.StreamId, "shared-key", new { body = "From the second editor" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.False(second.Headers.Contains("Idempotent-Replayed"), "the second editor was answered with the first editor's post");
        var firstPost = await first.Content.ReadFromJsonAsync<JsonElement>();
        var secondPost = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("From the second editor", secondPost.GetProperty("body").GetString());
        Assert.NotEqual(firstPost.GetProperty("id").GetGuid(), secondPost.GetProperty("id").GetGuid());

        // Each editor's retry still finds their own post.
        var retry = await SendWithKeyAsync(other, live.StreamId, "shared-key", new { body = "From the second editor" });
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(secondPost.GetProperty("id").GetGuid(), (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        Assert.Equal(["Live coverage of Panel has started.", "From the first editor", "From the second editor"], await BodiesAsync(live));

        // Four editors sending one key at the same moment: four posts (the unique index is per author).
        var editors = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.BearerClientAsync(LiveHub.Staff.StaffRoles.Editor)));
        var racing = await Task.WhenAll(editors.Select((e, i) => SendWithKeyAsync(e, live.StreamId, "racing-key", new { body = $"Editor {i}" })));
        Assert.All(racing, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(["Editor 0", "Editor 1", "Editor 2", "Editor 3"], (await BodiesAsync(live)).Skip(3).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_same_key_with_a_different_request_is_refused_with_422_and_nothing_is_stored()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var image = await (await UploadAsync(live, PngWithText, "The panel on stage")).Content.ReadFromJsonAsync<JsonElement>();
        var imageId = image.GetProperty("id").GetGuid();
        var created = await SendWithKeyAsync(live.Editor, live.StreamId, "post-1", new { body = "Opening remarks", imageIds = new[] { imageId } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var post = await created.Content.ReadFromJsonAsync<JsonElement>();
        var stream = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}");

        object[] different =
        [
            new { body = "Opening remarks, corrected", imageIds = new[] { imageId } },
            new { body = "Opening remarks" },
            new { body = "Opening remarks", imageIds = new[] { imageId }, kind = "keyMoment" },
            new { body = "Opening remarks", imageIds = new[] { imageId }, format = "markdown" },
            new { body = "Opening remarks", imageIds = new[] { imageId }, linkUrl = "https://example.org/" },
        ];
        foreach (var body in different)
        {
            var refused = await SendWithKeyAsync(live.Editor, live.StreamId, "post-1", body);
            var problem = await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
            Assert.Equal("this key was used with a different request.", problem.GetProperty("errors").GetProperty("Idempotency-Key")[0].GetString());
            Assert.False(refused.Headers.Contains("Idempotent-Replayed"));
        }

        // Nothing was stored or changed by the refusals.
        Assert.Equal(["Live coverage of Panel has started.", "Opening remarks"], await BodiesAsync(live));
        var after = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}");
        Assert.Equal(stream.GetProperty("lastChange").GetInt64(), after.GetProperty("lastChange").GetInt64());

        // The same request, spelled as the canonical form sees it (defaults given, line ends and outer spaces aside), is a replay.
        var same = await SendWithKeyAsync(live.Editor, live.StreamId, "post-1",
            new { body = "  Opening remarks\r\n", kind = "update", format = "plainText", imageIds = new[] { imageId }, linkUrl = " " });
        Assert.Equal(HttpStatusCode.Created, same.StatusCode);
        Assert.Equal("true", Assert.Single(same.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(post.GetProperty("id").GetGuid(), (await same.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Racing_requests_with_one_key_and_different_bodies_store_one_post_and_refuse_the_rest()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => SendWithKeyAsync(live.Editor, live.StreamId, "race", new { body = $"Version {i}" })));
        var created = Assert.Single(racing, r => r.StatusCode == HttpStatusCode.Created);
        Assert.False(created.Headers.Contains("Idempotent-Replayed"));
        foreach (var refused in racing.Where(r => r != created))
        {
            await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
        }

        var stored = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("body").GetString();
        Assert.Equal(["Live coverage of Panel has started.", stored], await BodiesAsync(live));
    }

    [Fact]
    public async Task A_key_stored_before_fingerprints_were_kept_still_replays_its_post()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var created = await SendWithKeyAsync(live.Editor, live.StreamId, "old-key", new { body = "Posted before the upgrade" });
        var post = await created.Content.ReadFromJsonAsync<JsonElement>();
        var postId = post.GetProperty("id").GetGuid();
        // As the migration leaves a post created before it: a key, no fingerprint.
        await app.WithDbAsync(db => db.LivePosts.Where(p => p.Id == postId).ExecuteUpdateAsync(p => p.SetProperty(x => x.IdempotencyFingerprint, (string?)null)));

        var retry = await SendWithKeyAsync(live.Editor, live.StreamId, "old-key", new { body = "Posted before the upgrade, as the client remembers it" });
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(postId, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        Assert.Equal(["Live coverage of Panel has started.", "Posted before the upgrade"], await BodiesAsync(live));
    }
}

public sealed class LivePostsApiOnSqlite(SqliteApp app) : LivePostsApiTests(app), IClassFixture<SqliteApp>;

public sealed class LivePostsApiOnPostgres(PostgresApp app) : LivePostsApiTests(app), IClassFixture<PostgresApp>;
