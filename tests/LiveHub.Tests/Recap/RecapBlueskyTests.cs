using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.CrossPosting;
using LiveHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static LiveHub.Tests.CrossPosting.CrossPostTestSupport;

namespace LiveHub.Tests.Recap;

/// <summary>A published recap as one Bluesky post quoting the thread's root, through the cross-posting outbox.</summary>
public abstract class RecapBlueskyTests(DatabaseProvider provider) : IAsyncLifetime
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

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task Publishing_posts_one_quote_of_the_thread_root_once_even_when_the_first_write_is_lost()
    {
        var live = await ScenarioAsync(_host, _pds);
        await live.PostAsync("The panel agrees to ship it", "keyMoment");
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/end", null)).EnsureSuccessStatusCode();
        await _pds.WaitForPostsAsync(3);
        var thread = _pds.Posts().ToList();
        AssertOneThread(thread);
        var root = thread[0];

        // Bluesky stores the quote post but the answer is lost: the retry sends the same record again, not a second one.
        _pds.Faults.Enqueue(FaultKind.DropAfterCommit);
        var recap = await OkAsync(await live.Editor.GetAsync($"/api/streams/{live.StreamId}/recap"));
        Assert.Equal(JsonValueKind.Null, recap.GetProperty("bluesky").ValueKind);
        var published = await OkAsync(await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/recap/publish", new { postToBluesky = true }));
        Assert.True(published.GetProperty("published").GetBoolean());
        // Asked again (a double click, another editor): still one.
        await OkAsync(await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/recap/publish", new { postToBluesky = true }));

        await WaitUntilAsync(() => _pds.Posts().Count >= 4, "the recap's quote post is on the fake PDS");
        var quotePost = Assert.Single(_pds.Posts(), p => p.Text!.StartsWith("Recap: ", StringComparison.Ordinal));
        var lost = Assert.Single(_pds.Faults.Applied);
        Assert.Contains(lost.Nsid, new[] { "com.atproto.repo.createRecord", "com.atproto.repo.putRecord", "com.atproto.repo.applyWrites" });
        Assert.Null(quotePost.ReplyRootUri);
        Assert.Contains($"{CrossPostingHost.PublicBaseUrl}/live/{live.Slug}/sessions/{live.SessionId}/recap", quotePost.Text, StringComparison.Ordinal);
        var embed = quotePost.Value.GetProperty("embed");
        Assert.Equal("app.bsky.embed.record", embed.GetProperty("$type").GetString());
        Assert.Equal(root.Uri, embed.GetProperty("record").GetProperty("uri").GetString());
        Assert.Equal(root.Cid, embed.GetProperty("record").GetProperty("cid").GetString());
        Assert.Contains(quotePost.Value.GetProperty("facets").EnumerateArray(), f => f.GetProperty("features")[0].GetProperty("$type").GetString() == "app.bsky.richtext.facet#link");

        await Eventually.TrueAsync(() => _host.WithDbAsync(db => db.Set<CrossPostItem>().AnyAsync(i => i.Action == CrossPostAction.RecapQuote && i.State == CrossPostState.Posted)),
            "the outbox row is posted");
        var after = await OkAsync(await live.Editor.GetAsync($"/api/streams/{live.StreamId}/recap"));
        Assert.Equal("Posted", after.GetProperty("bluesky").GetProperty("state").GetString());
        Assert.Equal(quotePost.Uri, after.GetProperty("bluesky").GetProperty("uri").GetString());

        // Publishing an edit later, with or without asking again, posts nothing more.
        await OkAsync(await live.Editor.PutAsJsonAsync($"/api/streams/{live.StreamId}/recap", new { title = "Edited", body = "Edited text.", version = after.GetProperty("version").GetInt32() }));
        await OkAsync(await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/recap/publish", new { postToBluesky = true }));
        Assert.Equal(1, await _host.WithDbAsync(db => db.Set<CrossPostItem>().CountAsync(i => i.Action == CrossPostAction.RecapQuote)));
        Assert.Equal(4, _pds.Posts().Count);
    }

    [Fact]
    public async Task A_quote_post_queued_while_bluesky_is_down_goes_out_once_after_a_restart()
    {
        var live = await ScenarioAsync(_host, _pds);
        await live.PostAsync("A key moment", "keyMoment");
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/end", null)).EnsureSuccessStatusCode();
        await _pds.WaitForPostsAsync(3);
        _pds.Faults.StartOutage(FaultKind.BadGateway);
        await OkAsync(await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/recap/publish", new { postToBluesky = true }));
        await Eventually.TrueAsync(() => _host.WithDbAsync(db => db.Set<CrossPostItem>().AnyAsync(i => i.Action == CrossPostAction.RecapQuote && i.Attempts > 0)),
            "the quote post was tried during the outage");
        await _host.DisposeAsync();

        _pds.Faults.StopOutages();
        _host = _database.Host(_pds);
        await WaitUntilAsync(() => _pds.Posts().Count >= 4, "the quote post goes out after the restart");
        await Eventually.TrueAsync(() => _host.WithDbAsync(db => db.Set<CrossPostItem>().AnyAsync(i => i.Action == CrossPostAction.RecapQuote && i.State == CrossPostState.Posted)),
            "the outbox row is posted");
        Assert.Single(_pds.Posts(), p => p.Text!.StartsWith("Recap: ", StringComparison.Ordinal));
        Assert.Equal(4, _pds.Posts().Count);
    }

    /// <summary>The fake checks a quote's strongRef as the PDS's lexicon validation does, so a malformed quote cannot pass here.</summary>
    [Theory]
    [InlineData("https://bsky.app/profile/x/post/1", "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", "uri must be a valid at-uri")]
    [InlineData("at://did:plc:abc/app.bsky.feed.post/3kabc", "not a cid", "cid must be a cid string")]
    [InlineData("at://did:plc:abc/app.bsky.feed.post/3kabc", null, "Missing required key")]
    public async Task The_fake_pds_refuses_a_quote_whose_strong_ref_is_malformed(string uri, string? cid, string reason)
    {
        using var http = new HttpClient { BaseAddress = _pds.PdsUrl };
        var account = _pds.DefaultAccount;
        var session = await OkAsync(await http.PostAsJsonAsync("/xrpc/com.atproto.server.createSession", new { identifier = account.Handle, password = account.AppPassword }));
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", session.GetProperty("accessJwt").GetString());
        var strongRef = new System.Text.Json.Nodes.JsonObject { ["uri"] = uri };
        if (cid is not null)
        {
            strongRef["cid"] = cid;
        }

        var record = new System.Text.Json.Nodes.JsonObject
        {
            ["$type"] = "app.bsky.feed.post",
            ["text"] = "Recap",
            ["createdAt"] = "2030-06-01T15:00:00.000Z",
            ["embed"] = new System.Text.Json.Nodes.JsonObject { ["$type"] = "app.bsky.embed.record", ["record"] = strongRef },
        };
        var response = await http.PostAsJsonAsync("/xrpc/com.atproto.repo.createRecord", new System.Text.Json.Nodes.JsonObject
        {
            ["repo"] = account.Did,
            ["collection"] = "app.bsky.feed.post",
            ["record"] = record,
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Contains(reason, body, StringComparison.Ordinal);
        Assert.Contains("InvalidRequest", body, StringComparison.Ordinal);
        Assert.Empty(_pds.Posts());
    }

    [Fact]
    public async Task Without_a_connected_account_nothing_is_queued_and_the_recap_is_still_published()
    {
        var live = await ScenarioAsync(_host, _pds, connect: false);
        await live.PostAsync("A key moment", "keyMoment");
        (await live.Editor.PostAsync($"/api/events/{live.Slug}/sessions/{live.SessionId}/coverage/end", null)).EnsureSuccessStatusCode();
        var published = await OkAsync(await live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/recap/publish", new { postToBluesky = true }));
        Assert.True(published.GetProperty("published").GetBoolean());
        Assert.Equal(JsonValueKind.Null, published.GetProperty("bluesky").ValueKind);
        Assert.False(await _host.WithDbAsync(db => db.Set<CrossPostItem>().AnyAsync(i => i.Action == CrossPostAction.RecapQuote)));
    }
}

public sealed class RecapBlueskyOnSqlite() : RecapBlueskyTests(DatabaseProvider.Sqlite);

public sealed class RecapBlueskyOnPostgres() : RecapBlueskyTests(DatabaseProvider.Postgres);
