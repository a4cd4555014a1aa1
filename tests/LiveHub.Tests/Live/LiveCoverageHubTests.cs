using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace LiveHub.Tests.Live;

/// <summary>The real-time contract over the SignalR JSON protocol: join, receive, catch up, never lose or double.</summary>
public abstract class LiveCoverageHubTests(LiveHubApp app)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Joining_returns_the_current_state_then_pushes_new_posts()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await live.PostAsync("Before anyone joined");
        await using var client = await LiveClient.ConnectAsync(app);
        var mirror = new LiveMirror();

        Assert.True(mirror.Apply(await client.JoinAsync($"session:{live.SessionId}", 0)));
        Assert.Equal(["Live coverage of Panel has started.", "Before anyone joined"], mirror.Visible.Select(p => p.Body));

        await live.PostAsync("While connected");
        var push = await client.NextAsync("changes", Wait);
        Assert.True(mirror.Apply(push));
        Assert.Equal("While connected", mirror.Visible[^1].Body);
        Assert.Equal(3, mirror.Visible[^1].Sequence);
    }

    [Fact]
    public async Task Edits_deletes_and_pins_reach_connected_clients()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var first = await live.PostAsync("Fisrt draft");
        await using var client = await LiveClient.ConnectAsync(app);
        var mirror = new LiveMirror();
        mirror.Apply(await client.JoinAsync(live.StreamId.ToString(), 0));
        var postId = first.GetProperty("id").GetGuid();

        (await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{postId}", new { body = "First draft" })).EnsureSuccessStatusCode();
        Assert.True(mirror.Apply(await client.NextAsync("changes", Wait)));
        Assert.Contains("First draft", mirror.Visible.Select(p => p.Body));

        (await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{postId}/pin", new { pinned = true })).EnsureSuccessStatusCode();
        var pinned = await client.NextAsync("changes", Wait);
        Assert.True(mirror.Apply(pinned));
        Assert.True(pinned.GetProperty("posts")[0].GetProperty("pinned").GetBoolean());

        (await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{postId}")).EnsureSuccessStatusCode();
        var deleted = await client.NextAsync("changes", Wait);
        Assert.True(mirror.Apply(deleted));
        var tombstone = deleted.GetProperty("posts")[0];
        Assert.True(tombstone.GetProperty("deleted").GetBoolean());
        Assert.Equal(JsonValueKind.Null, tombstone.GetProperty("body").ValueKind);
        Assert.DoesNotContain("First draft", mirror.Visible.Select(p => p.Body));
    }

    [Fact]
    public async Task A_dropped_client_catches_up_with_exactly_what_it_missed()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        var mirror = new LiveMirror();
        Guid firstId;
        await using (var client = await LiveClient.ConnectAsync(app))
        {
            mirror.Apply(await client.JoinAsync(live.StreamId.ToString(), 0));
            firstId = (await live.PostAsync("One")).GetProperty("id").GetGuid();
            Assert.True(mirror.Apply(await client.NextAsync("changes", Wait)));
            client.Abort();
            await client.Closed.WaitAsync(Wait);
        }

        // While the client is away: two posts, an edit of the first and a delete of the second.
        var second = await live.PostAsync("Two");
        await live.PostAsync("Three");
        (await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/posts/{firstId}", new { body = "One (corrected)" })).EnsureSuccessStatusCode();
        (await live.Editor.DeleteAsync($"/api/streams/{live.StreamId}/posts/{second.GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();

        await using var back = await LiveClient.ConnectAsync(app);
        var catchUp = await back.JoinAsync(live.StreamId.ToString(), mirror.LastApplied);
        Assert.Equal(mirror.LastApplied, catchUp.GetProperty("after").GetInt64());
        // Exactly the three posts that changed while away, each once.
        Assert.Equal(3, catchUp.GetProperty("posts").GetArrayLength());
        Assert.True(mirror.Apply(catchUp));

        var fresh = new LiveMirror();
        await using var newcomer = await LiveClient.ConnectAsync(app);
        fresh.Apply(await newcomer.JoinAsync(live.StreamId.ToString(), 0));
        Assert.Equal(fresh.Visible, mirror.Visible);
        Assert.Equal(["Live coverage of Panel has started.", "One (corrected)", "Three"], mirror.Visible.Select(p => p.Body));
        Assert.Equal(fresh.LastApplied, mirror.LastApplied);
    }

    [Fact]
    public async Task Http_catch_up_matches_the_hub()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await live.PostAsync("A");
        var afterA = (await live.Editor.GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}")).GetProperty("lastChange").GetInt64();
        await live.PostAsync("B");
        var changes = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/posts?after={afterA}");
        Assert.Equal(["B"], changes.GetProperty("posts").EnumerateArray().Select(p => p.GetProperty("body").GetString()));
        Assert.Equal(afterA + 1, changes.GetProperty("through").GetInt64());

        var history = await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/posts?before=3&limit=1");
        Assert.Equal(2, history.GetProperty("posts")[0].GetProperty("sequence").GetInt32());
        Assert.Equal(2, history.GetProperty("nextBefore").GetInt32());
    }

    [Fact]
    public async Task Concurrent_posts_get_unique_gapless_numbers_and_each_arrives_once()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await using var client = await LiveClient.ConnectAsync(app);
        var mirror = new LiveMirror();
        mirror.Apply(await client.JoinAsync(live.StreamId.ToString(), 0));

        var posts = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => live.PostAsync($"Burst {i}")));
        Assert.Equal(Enumerable.Range(2, 20), posts.Select(p => p.GetProperty("sequence").GetInt32()).Order());

        var deadline = DateTime.UtcNow + Wait;
        while (mirror.Visible.Count < 21 && DateTime.UtcNow < deadline)
        {
            var push = await client.NextAsync("changes", Wait);
            if (!mirror.Apply(push))
            {
                mirror.Apply(await app.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/streams/{live.StreamId}/posts?after={mirror.LastApplied}"));
            }
        }

        Assert.Equal(Enumerable.Range(1, 21), mirror.Visible.Select(p => p.Sequence));
        Assert.Equal(21, mirror.Visible.Select(p => p.Body).Distinct().Count());
    }

    [Fact]
    public async Task A_client_ahead_of_the_server_is_told_to_reset_and_gets_the_whole_state()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await live.PostAsync("Only post");
        await using var client = await LiveClient.ConnectAsync(app);
        // As after a database restore: the client applied changes the stream no longer has.
        var changes = await client.JoinAsync(live.StreamId.ToString(), 10_000);
        Assert.True(changes.GetProperty("reset").GetBoolean());
        Assert.Equal(0, changes.GetProperty("after").GetInt64());
        Assert.Equal(2, changes.GetProperty("posts").GetArrayLength());
    }

    [Fact]
    public async Task Joining_an_unknown_stream_is_an_error_not_a_hang()
    {
        await using var client = await LiveClient.ConnectAsync(app);
        var error = await Assert.ThrowsAsync<HubException>(() => client.JoinAsync("event:no-such-event", 0));
        Assert.Contains("no live stream", error.Message, StringComparison.Ordinal);
    }
}

public sealed class LiveCoverageHubOnSqlite(SqliteApp app) : LiveCoverageHubTests(app), IClassFixture<SqliteApp>;

public sealed class LiveCoverageHubOnPostgres(PostgresApp app) : LiveCoverageHubTests(app), IClassFixture<PostgresApp>
{
    /// <summary>Two instances behind a load balancer share one database; a post made on one reaches clients of the other.</summary>
    [Fact]
    public async Task Posts_fan_out_to_clients_of_another_instance()
    {
        await using var second = new SecondInstance(app.ConnectionString);
        await second.InitializeAsync();
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await using var client = await LiveClient.ConnectAsync(second);
        var mirror = new LiveMirror();
        mirror.Apply(await client.JoinAsync(live.StreamId.ToString(), 0));

        for (var i = 1; i <= 5; i++)
        {
            await live.PostAsync($"From instance one, #{i}");
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (mirror.Visible.Count < 6 && DateTime.UtcNow < deadline)
        {
            Assert.True(mirror.Apply(await client.NextAsync("changes", TimeSpan.FromSeconds(15))), "A push arrived after a gap.");
        }

        Assert.Equal(Enumerable.Range(1, 6), mirror.Visible.Select(p => p.Sequence));
    }

    /// <summary>Another app on an existing database (it does not create or drop it).</summary>
    private sealed class SecondInstance(string connectionString) : PostgresApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Database:ConnectionString"] = connectionString };

        protected override bool OwnsDatabase => false;
    }
}
