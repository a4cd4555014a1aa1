using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Bluesky;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Testing.FakeBluesky;
using Microsoft.EntityFrameworkCore;
using static LiveHub.Tests.CrossPosting.CrossPostTestSupport;

namespace LiveHub.Tests.CrossPosting;

/// <summary>Cross-posting end to end: the real app, a real database, the fake PDS.</summary>
public abstract class CrossPostingTests(DatabaseProvider provider) : IAsyncLifetime
{
    private FakeBlueskyServer _pds = null!;
    private CrossPostingDatabase _database = null!;
    private CrossPostingHost _host = null!;

    public async Task InitializeAsync()
    {
        _pds = await FakeBlueskyServer.StartAsync();
        _database = await CrossPostingDatabase.CreateAsync(provider);
        _host = _database.Host(_pds);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
        await _pds.DisposeAsync();
    }

    [Fact]
    public async Task Outbox_rows_commit_with_the_post_and_a_failed_post_transaction_leaves_none()
    {
        var live = await ScenarioAsync(_host, _pds);
        await live.PostAsync("First update from the hall");
        var failed = await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { kind = "update", body = CrossPostingHost.FailingBody });
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);

        await _pds.WaitForPostsAsync(2);
        var rows = await _host.WithDbAsync(db => db.Set<CrossPostItem>().AsNoTracking().Where(i => i.StreamId == live.StreamId).ToListAsync());
        Assert.Equal(2, rows.Count); // the coverage-started marker and the first update
        Assert.DoesNotContain(rows, r => r.Text!.Contains(CrossPostingHost.FailingBody, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.True(Tid.IsValid(r.Rkey), r.Rkey));
        Assert.False(await _host.WithDbAsync(db => db.LivePosts.AnyAsync(p => p.Body == CrossPostingHost.FailingBody)));
        await Task.Delay(300);
        Assert.DoesNotContain(_pds.Posts(), p => p.Text!.Contains(CrossPostingHost.FailingBody, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Posts_form_one_thread_in_order_with_a_link_card_on_the_root_and_facets()
    {
        var live = await ScenarioAsync(_host, _pds, hashtags: "ConfLive");
        await live.PostAsync("Speakers: @confbot.test and @nobody-here.test on stage. Slides: https://example.com/slides");
        var longText = string.Join(" ", Enumerable.Range(1, 60).Select(i => $"word{i}")) + ".";
        await live.PostAsync(longText);
        await live.PostAsync("Questions are open now", "questionsOpen");

        await _pds.WaitForPostsAsync(5);
        await Task.Delay(200);
        var posts = _pds.Posts();
        Assert.Equal(5, posts.Count);
        AssertOneThread(posts);

        var root = posts[0].Value;
        Assert.StartsWith("Live coverage of Panel on live posting has started.", posts[0].Text, StringComparison.Ordinal);
        var card = root.GetProperty("embed");
        Assert.Equal("app.bsky.embed.external", card.GetProperty("$type").GetString());
        Assert.Equal($"{CrossPostingHost.PublicBaseUrl}/live/{live.Slug}/sessions/{live.SessionId}", card.GetProperty("external").GetProperty("uri").GetString());

        var mentions = posts[1].Value.GetProperty("facets").EnumerateArray()
            .SelectMany(f => f.GetProperty("features").EnumerateArray()).ToList();
        Assert.Contains(mentions, f => f.GetProperty("$type").GetString() == "app.bsky.richtext.facet#mention" && f.GetProperty("did").GetString() == _pds.DefaultAccount.Did);
        Assert.Single(mentions, f => f.GetProperty("$type").GetString() == "app.bsky.richtext.facet#mention");
        Assert.Contains(mentions, f => f.GetProperty("$type").GetString() == "app.bsky.richtext.facet#link" && f.GetProperty("uri").GetString() == "https://example.com/slides");
        Assert.Contains(mentions, f => f.GetProperty("$type").GetString() == "app.bsky.richtext.facet#tag" && f.GetProperty("tag").GetString() == "ConfLive");

        // The long update became a chain of two posts, numbered, inside the same thread.
        Assert.EndsWith("(1/2)", posts[2].Text, StringComparison.Ordinal);
        Assert.EndsWith("(2/2)", posts[3].Text, StringComparison.Ordinal);
        Assert.Equal("Questions are open now\n\n#ConfLive", posts[4].Text);
    }

    [Fact]
    public async Task Images_are_uploaded_with_their_alt_text()
    {
        var live = await ScenarioAsync(_host, _pds);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Png);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "stage.png");
        form.Add(new StringContent("The panel on stage in Hall A"), "altText");
        var upload = await live.Editor.PostAsync($"/api/streams/{live.StreamId}/images", form);
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        var imageId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await live.PostAsync("", extra: new { kind = "update", body = "The stage", imageIds = new[] { imageId } });

        await _pds.WaitForPostsAsync(2);
        var embed = _pds.Posts()[1].Value.GetProperty("embed");
        Assert.Equal("app.bsky.embed.images", embed.GetProperty("$type").GetString());
        var image = Assert.Single(embed.GetProperty("images").EnumerateArray());
        Assert.Equal("The panel on stage in Hall A", image.GetProperty("alt").GetString());
        Assert.Single(_pds.GetBlobs());
    }

    [Fact]
    public async Task Deleting_a_post_deletes_it_on_Bluesky_and_pins_and_key_moments_do_not_repost()
    {
        var live = await ScenarioAsync(_host, _pds);
        var post = await live.PostAsync("A post that will be deleted");
        var kept = await live.PostAsync("A post that stays");
        await _pds.WaitForPostsAsync(3);
        var writes = _pds.CountRequests("com.atproto.repo.putRecord");

        var postId = post.GetProperty("id").GetGuid();
        (await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{kept.GetProperty("id").GetGuid()}/pin", new { pinned = true })).EnsureSuccessStatusCode();
        (await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{kept.GetProperty("id").GetGuid()}/key-moment", new { keyMoment = true })).EnsureSuccessStatusCode();
        (await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{postId}")).EnsureSuccessStatusCode();

        await _host.WaitForThreadSettledAsync(live.StreamId);
        Assert.Equal(2, _pds.Posts().Count);
        Assert.DoesNotContain(_pds.Posts(), p => p.Text == "A post that will be deleted");
        // One write: the later post, re-threaded to reply to the root (the pin and the key moment wrote nothing).
        Assert.Equal(writes + 1, _pds.CountRequests("com.atproto.repo.putRecord"));
        AssertOneThread(_pds.Posts());

        // The thread goes on from its last post.
        await live.PostAsync("After the deletion");
        await _pds.WaitForPostsAsync(3);
        var posts = _pds.Posts();
        Assert.Equal(posts[1].Uri, posts[2].ReplyParentUri);
        Assert.Equal(posts[0].Uri, posts[2].ReplyRootUri);
    }

    [Fact]
    public async Task Editing_posts_a_correction_reply_by_default()
    {
        var live = await ScenarioAsync(_host, _pds);
        var post = await live.PostAsync("The keynote starts at 10:00");
        await _pds.WaitForPostsAsync(2);

        var edit = await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{post.GetProperty("id").GetGuid()}", new { kind = "update", body = "The keynote starts at 10:30" });
        Assert.True(edit.IsSuccessStatusCode, await edit.Content.ReadAsStringAsync());

        await _pds.WaitForPostsAsync(3);
        var posts = _pds.Posts();
        Assert.Equal("The keynote starts at 10:00", posts[1].Text);
        Assert.Equal("Correction: The keynote starts at 10:30", posts[2].Text);
        Assert.Equal(posts[1].Uri, posts[2].QuotedUri());
        AssertOneThread(posts);
    }

    [Fact]
    public async Task Editing_in_delete_and_repost_mode_replaces_the_post_in_its_place()
    {
        var live = await ScenarioAsync(_host, _pds, editMode: CrossPostEditMode.DeleteAndRepost);
        var post = await live.PostAsync("Typo in this pots");
        await _pds.WaitForPostsAsync(2);

        (await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{post.GetProperty("id").GetGuid()}", new { kind = "update", body = "Typo in this post fixed" })).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => _pds.Posts().Any(p => p.Text == "Typo in this post fixed"), "the repost arrives");
        var posts = _pds.Posts();
        Assert.Equal(2, posts.Count);
        Assert.DoesNotContain(posts, p => p.Text == "Typo in this pots");
        AssertOneThread(posts);
    }

    [Fact]
    public async Task A_rate_limited_write_is_not_retried_before_the_reset()
    {
        var live = await ScenarioAsync(_host, _pds);
        await _pds.WaitForPostsAsync(1);
        _pds.Faults.Enqueue(new Fault(FaultKind.RateLimited, "com.atproto.repo.putRecord") { RetryAfter = TimeSpan.FromSeconds(2) });
        await live.PostAsync("Sent after the rate limit resets");

        await _pds.WaitForPostsAsync(2);
        var puts = _pds.RequestsFor("com.atproto.repo.putRecord").Skip(1).ToList();
        var limited = Assert.Single(puts, r => r.StatusCode == 429);
        var next = puts.First(r => r.Sequence > limited.Sequence);
        Assert.True(next.Timestamp - limited.Timestamp >= TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(50),
            $"retried {(next.Timestamp - limited.Timestamp).TotalMilliseconds} ms after a 429 that said 2 s");
    }

    [Theory]
    [InlineData("unpublished")]
    [InlineData("session deleted")]
    public async Task Updates_still_queued_when_coverage_is_withdrawn_never_reach_bluesky(string withdrawal)
    {
        // Retries at most 2 s apart, so the queued update is tried again soon after the withdrawal.
        await _host.DisposeAsync();
        _host = _database.Host(_pds, new Dictionary<string, string?> { ["CrossPosting:RetryMaxDelay"] = "00:00:02" });
        var live = await ScenarioAsync(_host, _pds);
        await _pds.WaitForPostsAsync(1);
        _pds.Faults.StartOutage(FaultKind.BadGateway, methods: ["com.atproto.repo.putRecord"]);
        await live.PostAsync("Queued while Bluesky is down, then withdrawn");
        await WaitUntilAsync(() => _pds.RequestsFor("com.atproto.repo.putRecord").Any(r => r.StatusCode == 502), "a write of the queued update fails");

        var withdrawn = withdrawal == "unpublished"
            ? await live.Admin.PutAsJsonAsync($"/api/events/{live.Slug}", new { slug = live.Slug, title = $"Event {live.Slug}", startsAt = "2030-06-01T09:00", endsAt = "2030-06-01T17:00", timeZone = "Europe/London", venue = new { name = "The Exchange" }, isPublished = false })
            : await live.Admin.DeleteAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}");
        Assert.True(withdrawn.IsSuccessStatusCode, await withdrawn.Content.ReadAsStringAsync());

        // Bluesky stays down until the rows are skipped: a retry already past its "still public?" check when the
        // withdrawal committed could otherwise succeed just after it (a write in flight is not recalled), which a
        // clean-clone run on a loaded machine did. The retries that follow the withdrawal must skip.
        await WaitUntilAsync(() => _host.WithDbAsync(db => db.Set<CrossPostItem>().AsNoTracking()
            .AnyAsync(i => i.StreamId == live.StreamId && i.Text!.Contains("then withdrawn") && i.State == CrossPostState.Skipped)).GetAwaiter().GetResult(),
            "the withdrawn update is skipped");
        _pds.Faults.StopOutages();
        Assert.DoesNotContain(_pds.Posts(), p => p.Text!.Contains("then withdrawn", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_thread_whose_first_post_never_reached_bluesky_is_skipped_whole_when_coverage_is_withdrawn()
    {
        await _host.DisposeAsync();
        _host = _database.Host(_pds, new Dictionary<string, string?> { ["CrossPosting:RetryMaxDelay"] = "00:00:02" });
        _pds.Faults.StartOutage(FaultKind.BadGateway, methods: ["com.atproto.repo.putRecord"]);
        var failedBefore = _pds.RequestsFor("com.atproto.repo.putRecord").Count(r => r.StatusCode == 502);
        var live = await ScenarioAsync(_host, _pds);
        await live.PostAsync("Queued behind a first post that failed, then withdrawn");
        await WaitUntilAsync(() => _pds.RequestsFor("com.atproto.repo.putRecord").Count(r => r.StatusCode == 502) > failedBefore, "the first post's write fails");

        var withdrawn = await live.Admin.PutAsJsonAsync($"/api/events/{live.Slug}", new { slug = live.Slug, title = $"Event {live.Slug}", startsAt = "2030-06-01T09:00", endsAt = "2030-06-01T17:00", timeZone = "Europe/London", venue = new { name = "The Exchange" }, isPublished = false });
        Assert.True(withdrawn.IsSuccessStatusCode, await withdrawn.Content.ReadAsStringAsync());

        // As above: Bluesky stays down until the rows are skipped, so no write that began before the withdrawal lands.
        await WaitUntilAsync(() => _host.WithDbAsync(db => db.Set<CrossPostItem>().AsNoTracking()
            .Where(i => i.StreamId == live.StreamId).AllAsync(i => i.State == CrossPostState.Skipped)).GetAwaiter().GetResult(),
            "every row of the withdrawn stream is skipped");
        _pds.Faults.StopOutages();
        Assert.DoesNotContain(_pds.Posts(), p => p.Text!.Contains("then withdrawn", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_connected_account_rows_are_skipped_with_the_reason_and_nothing_is_sent()
    {
        var live = await ScenarioAsync(_host, _pds, connect: false);
        await live.PostAsync("Nobody will see this on Bluesky");
        var state = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/crosspost");
        Assert.False(state.GetProperty("connected").GetBoolean());
        var posts = state.GetProperty("posts").EnumerateArray().ToList();
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p =>
        {
            Assert.Equal("skipped", p.GetProperty("state").GetString());
            Assert.Equal(CrossPostEnqueuer.NoAccountReason, p.GetProperty("items")[0].GetProperty("lastError").GetString());
        });
        await Task.Delay(300);
        Assert.Empty(_pds.Posts());
    }

    [Fact]
    public async Task The_console_shows_each_posts_state_and_a_failed_one_can_be_retried()
    {
        await _host.DisposeAsync();
        _host = _database.Host(_pds, new Dictionary<string, string?> { ["CrossPosting:MaxAttempts"] = "1" });
        var live = await ScenarioAsync(_host, _pds);
        await _pds.WaitForPostsAsync(1);
        _pds.Faults.Enqueue(FaultKind.BadGateway, "com.atproto.repo.putRecord");
        var post = await live.PostAsync("This one fails once");

        JsonElement failed = default;
        await WaitUntilAsync(() =>
        {
            var state = live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/crosspost").GetAwaiter().GetResult();
            failed = state.GetProperty("posts").EnumerateArray().Single(p => p.GetProperty("postId").GetGuid() == post.GetProperty("id").GetGuid());
            return failed.GetProperty("state").GetString() == "failed";
        }, "the post is parked as failed");
        Assert.Contains("502", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var item = failed.GetProperty("items")[0];
        Assert.True(item.GetProperty("canRetry").GetBoolean());

        var retry = await live.Editor.PostAsync($"/api/crosspost/{item.GetProperty("id").GetGuid()}/retry", null);
        Assert.True(retry.IsSuccessStatusCode, await retry.Content.ReadAsStringAsync());
        await _pds.WaitForPostsAsync(2);
        await WaitUntilAsync(() =>
        {
            var state = live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/crosspost").GetAwaiter().GetResult();
            var p = state.GetProperty("posts").EnumerateArray().Single(x => x.GetProperty("postId").GetGuid() == post.GetProperty("id").GetGuid());
            return p.GetProperty("state").GetString() == "posted"
                && p.GetProperty("blueskyUrl").GetString() == $"https://bsky.app/profile/{_pds.DefaultAccount.Did}/post/{_pds.Posts()[1].Rkey}";
        }, "the console shows the post as posted with its Bluesky link");
        Assert.Single(_pds.Posts(), p => p.Text == "This one fails once");
        AssertOneThread(_pds.Posts());

        var again = await live.Editor.PostAsync($"/api/crosspost/{item.GetProperty("id").GetGuid()}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task The_jobs_page_data_lists_states_queues_recurring_jobs_and_scheduler_instances()
    {
        var live = await ScenarioAsync(_host, _pds);
        await live.PostAsync("Counted");
        await _pds.WaitForPostsAsync(2);
        await WaitUntilAsync(() => _host.WithDbAsync(db => db.Set<CrossPostItem>().CountAsync(i => i.State == CrossPostState.Posted)).GetAwaiter().GetResult() == 2, "both rows are marked posted");

        var jobs = await live.Admin.GetFromJsonAsync<JsonElement>("/api/crosspost/jobs");
        Assert.Equal(2, jobs.GetProperty("counts").GetProperty("posted").GetInt32());
        Assert.Contains(jobs.GetProperty("recurring").EnumerateArray(), r => r.GetProperty("key").GetString() == "crosspost-sweep");
        var instance = Assert.Single(jobs.GetProperty("instances").EnumerateArray());
        Assert.True(instance.GetProperty("isThisInstance").GetBoolean());
        Assert.Equal(provider == DatabaseProvider.Postgres, jobs.GetProperty("scheduler").GetProperty("clustered").GetBoolean());
        // PostgreSQL: Hangfire's storage is in the database; SQLite: in memory, the outbox being the durable part.
        Assert.Equal(provider == DatabaseProvider.Postgres, jobs.GetProperty("scheduler").GetProperty("persistent").GetBoolean());
        Assert.Equal(HttpStatusCode.Forbidden, (await live.Editor.GetAsync("/api/crosspost/jobs")).StatusCode);
    }

    // 1×1 PNG.
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAE3RFWHRDb21tZW50AHNlY3JldCBnZW8hGT5cCgAAAA1JREFUeJxj+M/A8B8ABQAB/4mZPR0AAAAASUVORK5CYII=");
}

public sealed class CrossPostingTestsOnSqlite() : CrossPostingTests(DatabaseProvider.Sqlite);

public sealed class CrossPostingTestsOnPostgres() : CrossPostingTests(DatabaseProvider.Postgres);
