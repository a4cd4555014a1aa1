using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Live;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Live;

/// <summary>
/// A stream follows its event and session: once the event is unpublished or deleted, or the session deleted,
/// connected clients are told and dropped from the stream at once, re-joins are refused, reads by id 404 and
/// staff writes are refused with nothing stored.
/// </summary>
public abstract class StreamVisibilityTests(LiveHubApp app)
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    internal static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAE3RFWHRDb21tZW50AHNlY3JldCBnZW8hGT5cCgAAAA1JREFUeJxj+M/A8B8ABQAB/4mZPR0AAAAASUVORK5CYII=");

    [Fact]
    public async Task Unpublishing_closes_every_stream_of_the_event_for_its_clients_and_refuses_rejoins()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await using var sessionClient = await LiveClient.ConnectAsync(app);
        await using var eventClient = await LiveClient.ConnectAsync(app);
        await sessionClient.JoinAsync(live.StreamId.ToString(), 0);
        var eventStream = (await eventClient.JoinAsync($"event:{live.Slug}", 0)).GetProperty("streamId").GetGuid();

        (await live.Editor.PutAsJsonAsync($"/api/events/{live.Slug}", EventsTestData.Event(live.Slug, published: false))).EnsureSuccessStatusCode();

        var closed = await sessionClient.NextAsync(LiveCoverageHub.ClosedMethod, Wait);
        Assert.Equal(live.StreamId, closed.GetProperty("streamId").GetGuid());
        Assert.Contains("no longer available", closed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(eventStream, (await eventClient.NextAsync(LiveCoverageHub.ClosedMethod, Wait)).GetProperty("streamId").GetGuid());
        Assert.Equal(0, app.Services.GetRequiredService<LiveSubscriptions>().ListenerCount(live.StreamId));

        var refused = await Assert.ThrowsAsync<HubException>(() => sessionClient.JoinAsync(live.StreamId.ToString(), 0));
        Assert.Contains(LiveCoverageHub.UnavailablePrefix, refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HubException>(() => eventClient.JoinAsync($"session:{live.SessionId}", 0));

        // Published again: a new client joins and gets the next post; the closed ones, still connected but out of the
        // group, get nothing (one group send would have reached them together with the new client).
        (await live.Editor.PutAsJsonAsync($"/api/events/{live.Slug}", EventsTestData.Event(live.Slug))).EnsureSuccessStatusCode();
        await using var newcomer = await LiveClient.ConnectAsync(app);
        await newcomer.JoinAsync(live.StreamId.ToString(), 0);
        await live.PostAsync("After publishing again");
        Assert.Equal("After publishing again", (await newcomer.NextAsync(LiveCoverageHub.ChangesMethod, Wait)).GetProperty("posts")[0].GetProperty("body").GetString());
        Assert.False(await sessionClient.ReceivesWithinAsync(LiveCoverageHub.ChangesMethod, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Deleting_a_session_closes_its_stream_only_and_its_posts_are_gone_everywhere()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var post = await live.PostAsync("Said in the session");
        var postId = post.GetProperty("id").GetGuid();
        var image = await (await UploadAsync(live.Editor, live.StreamId)).Content.ReadFromJsonAsync<JsonElement>();
        await using var sessionClient = await LiveClient.ConnectAsync(app);
        await using var eventClient = await LiveClient.ConnectAsync(app);
        await sessionClient.JoinAsync(live.StreamId.ToString(), 0);
        var eventStream = (await eventClient.JoinAsync($"event:{live.Slug}", 0)).GetProperty("streamId").GetGuid();

        (await live.Editor.DeleteAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}")).EnsureSuccessStatusCode();

        Assert.Equal(live.StreamId, (await sessionClient.NextAsync(LiveCoverageHub.ClosedMethod, Wait)).GetProperty("streamId").GetGuid());
        await Assert.ThrowsAsync<HubException>(() => sessionClient.JoinAsync(live.StreamId.ToString(), 0));

        var anonymous = app.AnonymousClient();
        foreach (var url in ReadUrls(live))
        {
            Assert.True(HttpStatusCode.NotFound == (await anonymous.GetAsync(url)).StatusCode, url);
            Assert.True(HttpStatusCode.NotFound == (await live.Editor.GetAsync(url)).StatusCode, $"{url} (editor)");
        }

        await AssertWritesRefusedAsync(live, postId, image.GetProperty("id").GetGuid(), HttpStatusCode.NotFound, "session has been deleted");
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/end", null)).EnsureNotSuccess(HttpStatusCode.NotFound);

        // The event's own stream is untouched.
        var eventPost = await live.Editor.PostAsJsonAsync($"/api/streams/{eventStream}/posts", new { body = "Event-wide" });
        Assert.Equal(HttpStatusCode.Created, eventPost.StatusCode);
        Assert.Equal("Event-wide", (await eventClient.NextAsync(LiveCoverageHub.ChangesMethod, Wait)).GetProperty("posts")[0].GetProperty("body").GetString());
    }

    [Fact]
    public async Task Deleting_the_event_closes_its_streams_and_hides_them_from_everyone()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var postId = (await live.PostAsync("Before the event was deleted")).GetProperty("id").GetGuid();
        var image = await (await UploadAsync(live.Editor, live.StreamId)).Content.ReadFromJsonAsync<JsonElement>();
        await using var client = await LiveClient.ConnectAsync(app);
        await client.JoinAsync($"session:{live.SessionId}", 0);

        (await live.Editor.DeleteAsync($"/api/events/{live.Slug}")).EnsureSuccessStatusCode();

        Assert.Equal(live.StreamId, (await client.NextAsync(LiveCoverageHub.ClosedMethod, Wait)).GetProperty("streamId").GetGuid());
        await Assert.ThrowsAsync<HubException>(() => client.JoinAsync(live.StreamId.ToString(), 0));
        foreach (var url in ReadUrls(live))
        {
            Assert.True(HttpStatusCode.NotFound == (await app.AnonymousClient().GetAsync(url)).StatusCode, url);
            Assert.True(HttpStatusCode.NotFound == (await live.Editor.GetAsync(url)).StatusCode, $"{url} (editor)");
        }

        await AssertWritesRefusedAsync(live, postId, image.GetProperty("id").GetGuid(), HttpStatusCode.NotFound, "event has been deleted");
    }

    [Fact]
    public async Task A_draft_events_streams_are_hidden_from_the_public_readable_by_editors_and_closed_to_writes()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var postId = (await live.PostAsync("Published while public")).GetProperty("id").GetGuid();
        var image = await (await UploadAsync(live.Editor, live.StreamId)).Content.ReadFromJsonAsync<JsonElement>();
        (await live.Editor.PutAsJsonAsync($"/api/events/{live.Slug}", EventsTestData.Event(live.Slug, published: false))).EnsureSuccessStatusCode();

        foreach (var url in ReadUrls(live))
        {
            Assert.True(HttpStatusCode.NotFound == (await app.AnonymousClient().GetAsync(url)).StatusCode, url);
        }

        // Editors may still read a draft's streams by id (to prepare); the public pages stay 404 for everyone.
        Assert.Equal(HttpStatusCode.OK, (await live.Editor.GetAsync($"/api/streams/{live.StreamId}")).StatusCode);
        var posts = await live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/posts");
        Assert.Contains("Published while public", posts.GetProperty("posts").EnumerateArray().Select(p => p.GetProperty("body").GetString()));

        await AssertWritesRefusedAsync(live, postId, image.GetProperty("id").GetGuid(), HttpStatusCode.Conflict, "publish the event");
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/end", null)).EnsureNotSuccess(HttpStatusCode.Conflict);
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/coverage/start", null)).EnsureNotSuccess(HttpStatusCode.Conflict);
    }

    private static IEnumerable<string> ReadUrls(LiveScenario live) =>
    [
        $"/api/streams/{live.StreamId}",
        $"/api/streams/{live.StreamId}/posts",
        $"/api/streams/{live.StreamId}/posts?after=1",
        $"/api/streams/{live.StreamId}/posts?before=100",
        $"/live/{live.Slug}/sessions/{live.SessionId}",
        $"/live/{live.Slug}/sessions/{live.SessionId}/feed.atom",
    ];

    private async Task AssertWritesRefusedAsync(LiveScenario live, Guid postId, Guid imageId, HttpStatusCode status, string reason)
    {
        var before = await CountAsync(live.StreamId);
        var attempts = new List<HttpResponseMessage>
        {
            await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "Should not be stored" }),
            await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { body = "With the image", imageIds = new[] { imageId } }),
            await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{postId}", new { body = "Edited" }),
            await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{postId}/pin", new { pinned = true }),
            await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{postId}/key-moment", new { keyMoment = true }),
            await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{postId}"),
            await UploadAsync(live.Editor, live.StreamId),
        };
        foreach (var response in attempts)
        {
            var problem = await response.AssertProblemAsync(status);
            Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(before, await CountAsync(live.StreamId));
    }

    private async Task<(int Posts, long LastChange, int Images, int Changed)> CountAsync(Guid streamId)
    {
        (int, long, int, int) result = default;
        await app.WithDbAsync(async db =>
        {
            var stream = await db.LiveStreams.IgnoreQueryFilters().AsNoTracking().SingleAsync(s => s.Id == streamId);
            result = (await db.LivePosts.CountAsync(p => p.StreamId == streamId), stream.LastChange, await db.LiveImages.CountAsync(i => i.StreamId == streamId),
                await db.LivePosts.CountAsync(p => p.StreamId == streamId && (p.Version > 0 || p.DeletedAtUtc != null || p.IsPinned)));
        });
        return result;
    }

    internal static async Task<HttpResponseMessage> UploadAsync(HttpClient client, Guid streamId, string altText = "A test image")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "photo.png");
        form.Add(new StringContent(altText), "altText");
        return await client.PostAsync($"/api/streams/{streamId}/images", form);
    }
}

public sealed class StreamVisibilityOnSqlite(SqliteApp app) : StreamVisibilityTests(app), IClassFixture<SqliteApp>;

public sealed class StreamVisibilityOnPostgres(PostgresApp app) : StreamVisibilityTests(app), IClassFixture<PostgresApp>
{
    /// <summary>Two instances share the database: unpublishing on one closes the stream for clients of the other, through NOTIFY.</summary>
    [Fact]
    public async Task Unpublishing_on_one_instance_closes_the_stream_for_clients_of_another()
    {
        await using var second = new SecondInstance(app.ConnectionString);
        await second.InitializeAsync();
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await using var client = await LiveClient.ConnectAsync(second);
        await client.JoinAsync(live.StreamId.ToString(), 0);
        await live.PostAsync("Reaches the other instance");
        await client.NextAsync(LiveCoverageHub.ChangesMethod, Wait);

        (await live.Editor.PutAsJsonAsync($"/api/events/{live.Slug}", EventsTestData.Event(live.Slug, published: false))).EnsureSuccessStatusCode();

        Assert.Equal(live.StreamId, (await client.NextAsync(LiveCoverageHub.ClosedMethod, Wait)).GetProperty("streamId").GetGuid());
        Assert.Equal(0, second.Services.GetRequiredService<LiveSubscriptions>().ListenerCount(live.StreamId));
        var refused = await Assert.ThrowsAsync<HubException>(() => client.JoinAsync(live.StreamId.ToString(), 0));
        Assert.Contains(LiveCoverageHub.UnavailablePrefix, refused.Message, StringComparison.Ordinal);
    }

    private sealed class SecondInstance(string connectionString) : PostgresApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Database:ConnectionString"] = connectionString };

        protected override bool OwnsDatabase => false;
    }
}

internal static class ResponseAssertions
{
    public static void EnsureNotSuccess(this HttpResponseMessage response, HttpStatusCode expected) => Assert.Equal(expected, response.StatusCode);
}
