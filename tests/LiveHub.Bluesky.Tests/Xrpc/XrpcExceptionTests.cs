using System.Net;
using System.Net.Sockets;
using System.Text;
using LiveHub.Testing.FakeBluesky;

namespace LiveHub.Bluesky.Tests.Xrpc;

public sealed class XrpcExceptionTests
{
    [Theory]
    [InlineData(400, "InvalidRequest", false)]
    [InlineData(400, "ExpiredToken", true)]
    [InlineData(400, "InvalidSwap", false)]
    [InlineData(401, "AuthenticationRequired", false)]
    [InlineData(413, "PayloadTooLarge", false)]
    [InlineData(429, "RateLimitExceeded", true)]
    [InlineData(500, "InternalServerError", true)]
    [InlineData(501, "MethodNotImplemented", false)]
    [InlineData(502, null, true)]
    [InlineData(503, "NotEnoughResources", true)]
    [InlineData(504, "UpstreamTimeout", true)]
    public void Retryability_follows_the_error_table(int status, string? error, bool retryable) =>
        Assert.Equal(retryable, XrpcException.IsRetryableStatus(status, error));

    [Fact]
    public void Html_error_bodies_are_tolerated_and_5xx_on_writes_are_ambiguous()
    {
        var html = Encoding.UTF8.GetBytes("<html><body><h1>502 Bad Gateway</h1></body></html>");

        var write = XrpcException.FromResponse("com.atproto.repo.putRecord", isWrite: true, HttpStatusCode.BadGateway, html, null, DateTimeOffset.UnixEpoch);
        var read = XrpcException.FromResponse("com.atproto.repo.getRecord", isWrite: false, HttpStatusCode.BadGateway, html, null, DateTimeOffset.UnixEpoch);

        Assert.Null(write.Error);
        Assert.Equal(502, write.StatusCode);
        Assert.True(write.IsRetryable);
        Assert.True(write.IsAmbiguous);
        Assert.False(read.IsAmbiguous);
    }

    [Fact]
    public async Task Validation_errors_are_typed_and_not_retryable()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        var json = $$"""{"$type":"app.bsky.feed.post","text":"{{new string('a', 301)}}","createdAt":"2026-11-21T13:40:00.000Z"}""";

        var ex = await Assert.ThrowsAsync<XrpcException>(() => client.Repo.CreateRecordAsync("app.bsky.feed.post", json, client.Tids.Next()));

        Assert.Equal(400, ex.StatusCode);
        Assert.Equal(XrpcErrors.InvalidRequest, ex.Error);
        Assert.Equal("Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text", ex.ErrorMessage);
        Assert.False(ex.IsRetryable);
        Assert.False(ex.IsAmbiguous);
        Assert.Equal("com.atproto.repo.createRecord", ex.Nsid);
    }

    [Fact]
    public async Task A_502_with_an_html_body_surfaces_as_a_retryable_error_without_a_name()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        await client.EnsureSessionAsync();
        server.Faults.Enqueue(FaultKind.BadGateway, "com.atproto.server.getSession");

        var ex = await Assert.ThrowsAsync<XrpcException>(() => client.Server.GetSessionAsync());

        Assert.Equal(502, ex.StatusCode);
        Assert.Null(ex.Error);
        Assert.True(ex.IsRetryable);
        Assert.False(ex.IsAmbiguous);
    }

    [Fact]
    public async Task A_429_carries_the_rate_limit_headers()
    {
        var time = new ManualTimeProvider();
        await using var server = await FakeBlueskyServer.StartAsync(o => o.TimeProvider = time);
        using var client = TestClients.Create(server, time: time);
        await client.EnsureSessionAsync();
        server.Faults.Enqueue(new Fault(FaultKind.RateLimited, "com.atproto.repo.putRecord") { RetryAfter = TimeSpan.FromSeconds(42) });

        var ex = await Assert.ThrowsAsync<XrpcException>(() => client.Feed.CreatePostAsync(TestClients.Post("limited")));

        Assert.Equal(429, ex.StatusCode);
        Assert.True(ex.IsRetryable);
        Assert.False(ex.IsAmbiguous);
        Assert.Equal(TimeSpan.FromSeconds(42), ex.RetryAfter);
        Assert.Equal(3000, ex.RateLimit!.Limit);
        Assert.Equal(time.GetUtcNow().AddSeconds(42), ex.RateLimit.Reset);
        Assert.Equal(ex.RateLimit, client.LastRateLimit);
        Assert.Empty(server.GetRecords());
    }

    [Fact]
    public async Task Network_failures_are_retryable_and_ambiguous_only_for_writes()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new BlueskyClientOptions { ServiceUrl = new Uri($"http://127.0.0.1:{port}"), Identifier = "a.test", AppPassword = "x" };
        using var client = new BlueskyClient(options);

        var read = await Assert.ThrowsAsync<XrpcException>(() => client.Identity.ResolveHandleAsync("a.test"));
        var write = await Assert.ThrowsAsync<XrpcException>(() => client.LoginAsync("a.test", "x"));

        Assert.Equal(0, read.StatusCode);
        Assert.Equal(XrpcErrors.NetworkError, read.Error);
        Assert.True(read.IsRetryable);
        Assert.False(read.IsAmbiguous);
        Assert.True(write.IsAmbiguous);
    }

    [Fact]
    public async Task A_slow_response_becomes_a_timeout_error()
    {
        // The client's timeout runs on a clock that only the test moves, and the server never answers on its own: the
        // call ends in a timeout because the clock passed it, however slow the machine (a wall-clock second was not
        // always enough for signing in first on a loaded machine).
        var timeout = TimeSpan.FromSeconds(30);
        var clock = new SteppedTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server, time: clock, configure: o => o.JsonTimeout = timeout);
        await client.EnsureSessionAsync();
        server.Faults.Enqueue(new Fault(FaultKind.SlowResponse, "com.atproto.server.getSession") { Delay = Timeout.InfiniteTimeSpan });

        var timeoutSet = clock.TimerSetAsync(timeout);
        var call = client.Server.GetSessionAsync();
        Assert.Same(timeoutSet, await Task.WhenAny(timeoutSet, call));
        clock.Advance(timeout);
        var ex = await Assert.ThrowsAsync<XrpcException>(() => call);

        Assert.True(ex.IsTimeout);
        Assert.True(ex.IsRetryable);
    }

    [Fact]
    public async Task Missing_records_and_unknown_handles_are_reported_as_absent()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);

        Assert.Null(await client.Repo.GetRecordAsync("app.bsky.feed.post", "3n2t7rsfrjctg"));
        Assert.Null(await client.Identity.TryResolveHandleAsync("nobody.test"));
        var ex = await Assert.ThrowsAsync<XrpcException>(() => client.Identity.ResolveHandleAsync("nobody.test"));
        Assert.Equal(XrpcErrors.HandleNotFound, ex.Error);
        Assert.Equal(server.DefaultAccount.Did, await client.Identity.ResolveHandleAsync("@confbot.test"));
    }
}
