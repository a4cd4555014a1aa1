using LiveHub.Testing.FakeBluesky;

namespace LiveHub.Bluesky.Tests.Api;

public sealed class IdempotentWriteTests
{
    private const string PutRecord = "com.atproto.repo.putRecord";

    public static TheoryData<FaultKind> WriteFaults => new()
    {
        FaultKind.InternalErrorAfterCommit,
        FaultKind.InternalErrorBeforeCommit,
        FaultKind.DropAfterCommit,
        FaultKind.DropBeforeCommit,
        FaultKind.BadGateway,
        FaultKind.RateLimited,
        FaultKind.ExpiredToken,
        FaultKind.SlowResponse,
    };

    [Theory]
    [MemberData(nameof(WriteFaults))]
    public async Task Retrying_a_prepared_post_after_a_fault_yields_exactly_one_record(FaultKind fault)
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server, configure: o => o.JsonTimeout = TimeSpan.FromSeconds(1));
        await client.EnsureSessionAsync();
        var prepared = client.Feed.PreparePost(TestClients.Post($"Keynote starting now! #ConfLive ({fault})"));
        server.Faults.Enqueue(new Fault(fault, PutRecord) { Delay = TimeSpan.FromSeconds(10) });

        var result = await PublishWithRetriesAsync(client, prepared);

        var stored = Assert.Single(server.GetRecords());
        Assert.Equal(prepared.Rkey, stored.Rkey);
        Assert.Equal(stored.Cid, result.Cid);
        Assert.Equal(stored.Uri, result.Uri);
        Assert.Equal(1, server.CommitCount);
    }

    [Fact]
    public async Task A_500_after_commit_is_recovered_by_getRecord_in_the_same_call()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        var prepared = client.Feed.PreparePost(TestClients.Post("committed, then 500"));
        await client.EnsureSessionAsync();
        server.Faults.Enqueue(FaultKind.InternalErrorAfterCommit, PutRecord);

        var result = await client.Feed.PublishAsync(prepared);

        Assert.Equal(IdempotentWriteOutcome.Recovered, result.Outcome);
        Assert.Single(server.RequestsFor("com.atproto.repo.getRecord"));
        Assert.Single(server.GetRecords());
    }

    [Fact]
    public async Task A_failure_before_commit_is_reported_as_safe_to_retry()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        var prepared = client.Feed.PreparePost(TestClients.Post("502 first"));
        await client.EnsureSessionAsync();
        server.Faults.Enqueue(FaultKind.BadGateway, PutRecord);

        var ex = await Assert.ThrowsAsync<XrpcException>(() => client.Feed.PublishAsync(prepared));
        var result = await client.Feed.PublishAsync(prepared);

        Assert.True(ex.IsRetryable);
        Assert.False(ex.IsAmbiguous);
        Assert.Equal(502, ex.StatusCode);
        Assert.Equal(IdempotentWriteOutcome.Created, result.Outcome);
    }

    [Fact]
    public async Task Publishing_the_same_prepared_post_again_is_a_no_op()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        var prepared = client.Feed.PreparePost(TestClients.Post("once"));

        var first = await client.Feed.PublishAsync(prepared);
        var second = await client.Feed.PublishAsync(prepared);

        Assert.Equal(IdempotentWriteOutcome.Created, first.Outcome);
        Assert.Equal(IdempotentWriteOutcome.AlreadyExisted, second.Outcome);
        Assert.Equal(first.Cid, second.Cid);
        Assert.Equal(1, server.CommitCount);
        Assert.Contains("\"swapRecord\":null", server.RequestsFor(PutRecord)[0].BodyText, StringComparison.Ordinal);
        Assert.All(server.RequestsFor(PutRecord), r => Assert.Equal(200, r.StatusCode));
        Assert.Empty(server.RequestsFor("com.atproto.repo.getRecord"));
    }

    [Fact]
    public async Task Different_content_at_the_same_key_is_a_permanent_conflict()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        var rkey = client.Tids.Next();
        await client.Feed.PublishAsync(client.Feed.PreparePost(TestClients.Post("original"), rkey));

        var ex = await Assert.ThrowsAsync<XrpcException>(() => client.Feed.PublishAsync(client.Feed.PreparePost(TestClients.Post("edited"), rkey)));

        Assert.Equal(XrpcErrors.InvalidSwap, ex.Error);
        Assert.False(ex.IsRetryable);
        Assert.Equal("original", Assert.Single(server.GetRecords()).Text);
    }

    [Fact]
    public void Record_comparison_ignores_property_order_and_formatting()
    {
        using var stored = System.Text.Json.JsonDocument.Parse("""{"b":[1,2],"a":{"y":"é","x":null}}""");

        Assert.True(RepoApi.IsSameRecord(stored.RootElement, """{ "a": {"x": null, "y": "\u00e9"}, "b": [1, 2] }"""));
        Assert.False(RepoApi.IsSameRecord(stored.RootElement, """{"a":{"x":null,"y":"é"},"b":[2,1]}"""));
    }

    [Fact]
    public async Task A_thread_published_under_random_faults_arrives_once_and_in_order()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        await client.EnsureSessionAsync();
        server.Faults.EnableRandom(seed: 2026, probability: 0.35);

        StrongRef? root = null, parent = null;
        for (var i = 1; i <= 25; i++)
        {
            var reply = root is null ? null : new ReplyRef(root, parent!);
            var prepared = client.Feed.PreparePost(TestClients.Post($"Update {i}", reply));
            var result = await PublishWithRetriesAsync(client, prepared);
            root ??= result.Ref;
            parent = result.Ref;
        }

        server.Faults.DisableRandom();
        var posts = server.GetRecords(server.DefaultAccount.Did, PostRecord.Collection);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"Update {i}"), posts.Select(p => p.Text));
        Assert.Null(posts[0].ReplyParentUri);
        for (var i = 1; i < posts.Count; i++)
        {
            Assert.Equal(posts[0].Uri, posts[i].ReplyRootUri);
            Assert.Equal(posts[i - 1].Uri, posts[i].ReplyParentUri);
        }
        Assert.NotEmpty(server.Faults.Applied);
        Assert.Equal(1, server.CountRequests("com.atproto.server.createSession"));
    }

    private static async Task<IdempotentWriteResult> PublishWithRetriesAsync(BlueskyClient client, PreparedRecord prepared)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await client.Feed.PublishAsync(prepared);
            }
            catch (XrpcException ex) when (ex.IsRetryable && attempt < 20)
            {
                // Tests skip the backoff the outbox worker would apply.
            }
        }
    }
}
