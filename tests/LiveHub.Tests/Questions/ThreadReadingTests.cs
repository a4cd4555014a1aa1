using System.Text.Json.Nodes;
using LiveHub.Bluesky;
using LiveHub.Testing.FakeBluesky;

namespace LiveHub.Tests.Questions;

/// <summary>BlueskyClient.Feed.GetPostThreadAsync against the fake PDS: the thread-view union as the AppView sends it.</summary>
public sealed class ThreadReadingTests : IAsyncLifetime, IDisposable
{
    private const string AliceDid = "did:plc:alice000000000000000000";
    private const string BobDid = "did:plc:bob00000000000000000000";
    private const string MalloryDid = "did:plc:mallory00000000000000000";
    private FakeBlueskyServer _pds = null!;
    private BlueskyClient _client = null!;

    public async Task InitializeAsync()
    {
        _pds = await FakeBlueskyServer.StartAsync();
        var account = _pds.DefaultAccount;
        _client = new BlueskyClient(new BlueskyClientOptions
        {
            ServiceUrl = _pds.BaseUrl,
            PlcDirectoryUrl = _pds.BaseUrl,
            Identifier = account.Handle,
            AppPassword = account.AppPassword,
        });
    }

    public async Task DisposeAsync() => await _pds.DisposeAsync();

    public void Dispose() => _client.Dispose();

    private async Task<string> RootAsync() =>
        (await _client.Feed.CreatePostAsync(new PostRecord { Text = "Live from the panel", CreatedAt = DateTimeOffset.UtcNow })).Uri;

    [Fact]
    public async Task Replies_come_nested_with_text_facets_and_images_and_blocked_taken_down_and_deleted_ones_as_the_appview_shows_them()
    {
        var root = await RootAsync();
        var link = new JsonArray(new JsonObject
        {
            ["index"] = new JsonObject { ["byteStart"] = 10, ["byteEnd"] = 27 },
            ["features"] = new JsonArray(new JsonObject { ["$type"] = "app.bsky.richtext.facet#link", ["uri"] = "https://example.org/paper" }),
        });
        var alice = _pds.AddReply("alice.test", AliceDid, root, "See also: example.org/paper – is it peer reviewed?", facets: link, imageAlts: ["chart", "table"]);
        var bob = _pds.AddReply("bob.test", BobDid, alice, "Good question");
        var mallory = _pds.AddReply("mallory.test", MalloryDid, root, "You will not see this");
        var gone = _pds.AddReply("bob.test", BobDid, root, "Deleted soon");
        var below = _pds.AddReply("alice.test", AliceDid, gone, "Below a deleted post");
        var removed = _pds.AddReply("alice.test", AliceDid, root, "Taken down");
        _pds.Block(MalloryDid);
        _pds.TakeDown(removed);
        _pds.DeletePost(gone);

        var thread = Assert.IsType<ThreadViewPost>((await _client.Feed.GetPostThreadAsync(root, depth: 10, parentHeight: 0))!.Thread);
        Assert.Equal(root, thread.Post.Uri);
        Assert.Equal(3, thread.Replies.Count);
        var first = Assert.IsType<ThreadViewPost>(thread.Replies[0]);
        Assert.Equal(alice, first.Post.Uri);
        Assert.Equal("alice.test", first.Post.Author.Handle);
        Assert.Equal(AliceDid, first.Post.Author.Did);
        Assert.Equal(2, first.Post.ImageCount);
        var facet = Assert.Single(first.Post.Facets);
        Assert.Equal("https://example.org/paper", Assert.IsType<LinkFeature>(Assert.Single(facet.Features)).Uri);
        Assert.Equal(bob, Assert.IsType<ThreadViewPost>(Assert.Single(first.Replies)).Post.Uri);
        var blocked = Assert.IsType<BlockedPost>(thread.Replies[1]);
        Assert.Equal((mallory, MalloryDid), (blocked.Uri, blocked.AuthorDid));
        Assert.Equal(removed, Assert.IsType<NotFoundPost>(thread.Replies[2]).Uri);
        Assert.DoesNotContain(Flatten(thread), n => n.Uri == gone || n.Uri == below);
    }

    [Fact]
    public async Task Depth_and_parent_height_are_honoured_and_a_missing_root_is_null()
    {
        var root = await RootAsync();
        var one = _pds.AddReply("alice.test", AliceDid, root, "one");
        var two = _pds.AddReply("bob.test", BobDid, one, "two");
        _pds.AddReply("alice.test", AliceDid, two, "three");

        var shallow = Assert.IsType<ThreadViewPost>((await _client.Feed.GetPostThreadAsync(root, depth: 1))!.Thread);
        Assert.Empty(Assert.IsType<ThreadViewPost>(Assert.Single(shallow.Replies)).Replies);

        var fromTwo = Assert.IsType<ThreadViewPost>((await _client.Feed.GetPostThreadAsync(two, depth: 0, parentHeight: 1))!.Thread);
        Assert.Empty(fromTwo.Replies);
        var parent = Assert.IsType<ThreadViewPost>(fromTwo.Parent);
        Assert.Equal(one, parent.Post.Uri);
        Assert.Null(parent.Parent);

        Assert.Null(await _client.Feed.GetPostThreadAsync(root.Replace(root.Split('/')[^1], "3kzzzzzzzzzzz", StringComparison.Ordinal)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.Feed.GetPostThreadAsync(root, depth: 1001));
    }

    [Fact]
    public async Task A_429_carries_the_servers_wait()
    {
        var root = await RootAsync();
        _pds.Faults.Enqueue(new Fault(FaultKind.RateLimited, "app.bsky.feed.getPostThread") { RetryAfter = TimeSpan.FromSeconds(90) });
        var limited = await Assert.ThrowsAsync<XrpcException>(() => _client.Feed.GetPostThreadAsync(root));
        Assert.Equal(429, limited.StatusCode);
        Assert.True(limited.RetryAfter >= TimeSpan.FromSeconds(89), $"RetryAfter {limited.RetryAfter}");
        Assert.NotNull(await _client.Feed.GetPostThreadAsync(root));
    }

    private static IEnumerable<ThreadNode> Flatten(ThreadNode node) =>
        node is ThreadViewPost view ? view.Replies.SelectMany(Flatten).Prepend(node) : [node];
}
