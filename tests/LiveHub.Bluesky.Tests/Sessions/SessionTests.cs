using LiveHub.Testing.FakeBluesky;

namespace LiveHub.Bluesky.Tests.Sessions;

public sealed class SessionTests
{
    private const string CreateSession = "com.atproto.server.createSession";
    private const string RefreshSession = "com.atproto.server.refreshSession";
    private const string GetSession = "com.atproto.server.getSession";

    [Fact]
    public async Task Login_persists_the_session_and_repo_calls_go_to_the_pds_from_the_did_document()
    {
        await using var server = await FakeBlueskyServer.StartAsync(o => o.AdvertisePdsAsLocalhost = true);
        var store = new InMemorySessionStore();
        using var client = TestClients.Create(server, store);
        var changes = new List<SessionChangeReason>();
        client.SessionChanged += (_, e) => changes.Add(e.Reason);

        var session = await client.LoginAsync(server.DefaultAccount.Handle, server.DefaultAccount.AppPassword);
        await client.Feed.CreatePostAsync(TestClients.Post("hello"));

        Assert.Equal(server.DefaultAccount.Did, session.Did);
        Assert.Equal("confbot.test", session.Handle);
        // The fake lists a labeler and a "#atproto_pds_backup" service before the real #atproto_pds.
        Assert.Equal(server.PdsUrl.GetLeftPart(UriPartial.Authority), session.PdsUrl);
        Assert.Equal(session, store.Current);
        Assert.Equal([SessionChangeReason.LoggedIn], changes);
        Assert.Single(server.Requests, r => r.Path == $"/{server.DefaultAccount.Did}");
        Assert.Equal($"127.0.0.1:{server.BaseUrl.Port}", server.RequestsFor(CreateSession).Single().Host);
        Assert.Equal($"localhost:{server.BaseUrl.Port}", server.RequestsFor("com.atproto.repo.putRecord").Single().Host);
    }

    [Fact]
    public async Task A_did_document_in_the_session_response_is_used_without_resolving_the_did()
    {
        await using var server = await FakeBlueskyServer.StartAsync(o => o.IncludeDidDocInSession = true);
        using var client = TestClients.Create(server);

        var session = await client.EnsureSessionAsync();

        Assert.Equal(server.PdsUrl.GetLeftPart(UriPartial.Authority), session.PdsUrl);
        Assert.DoesNotContain(server.Requests, r => r.Path.StartsWith("/did:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stored_session_is_resumed_after_a_restart_without_logging_in()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        var store = new InMemorySessionStore();
        using (var first = TestClients.Create(server, store))
        {
            await first.Server.GetSessionAsync();
        }

        using var restarted = TestClients.Create(server, store);
        var resumed = new List<SessionChangeReason>();
        restarted.SessionChanged += (_, e) => resumed.Add(e.Reason);
        var info = await restarted.Server.GetSessionAsync();

        Assert.Equal(server.DefaultAccount.Did, info.Did);
        Assert.Equal(1, server.CountRequests(CreateSession));
        Assert.Equal([SessionChangeReason.Resumed], resumed);
    }

    [Fact]
    public async Task An_expired_access_token_causes_one_refresh_and_one_retry_with_the_new_token()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        var store = new InMemorySessionStore();
        using var client = TestClients.Create(server, store);
        var before = await client.EnsureSessionAsync();
        server.ExpireAccessTokens();

        await client.Server.GetSessionAsync();

        var calls = server.RequestsFor(GetSession);
        Assert.Equal(2, calls.Count);
        Assert.Equal(400, calls[0].StatusCode);
        Assert.Equal(200, calls[1].StatusCode);
        Assert.Equal(1, server.CountRequests(RefreshSession));
        Assert.Equal(1, server.CountRequests(CreateSession));
        var after = store.Current!;
        Assert.NotEqual(before.AccessJwt, after.AccessJwt);
        Assert.NotEqual(before.RefreshJwt, after.RefreshJwt);
        Assert.Equal(after.AccessJwt, calls[1].Token);
        Assert.Equal(before.RefreshJwt, server.RequestsFor(RefreshSession).Single().Token);
    }

    [Fact]
    public async Task An_injected_ExpiredToken_answer_is_handled_like_expiry()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        await client.EnsureSessionAsync();
        server.Faults.Enqueue(FaultKind.ExpiredToken, GetSession);

        await client.Server.GetSessionAsync();

        Assert.Equal(2, server.CountRequests(GetSession));
        Assert.Equal(1, server.CountRequests(RefreshSession));
    }

    [Fact]
    public async Task Concurrent_callers_with_an_expired_token_share_exactly_one_refresh()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        await client.EnsureSessionAsync();
        server.ExpireAccessTokens();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => client.Server.GetSessionAsync())));

        Assert.Equal(1, server.CountRequests(RefreshSession));
        Assert.Equal(1, server.CountRequests(CreateSession));
        Assert.All(server.RequestsFor(GetSession).Where(r => r.StatusCode == 200), r => Assert.Equal(client.Session!.AccessJwt, r.Token));
    }

    [Fact]
    public async Task A_revoked_refresh_token_leads_to_exactly_one_new_login()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server);
        await client.EnsureSessionAsync();
        server.RevokeSessions();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => client.Server.GetSessionAsync())));

        Assert.Equal(1, server.CountRequests(RefreshSession));
        Assert.Equal(2, server.CountRequests(CreateSession));
        Assert.Equal(400, server.RequestsFor(RefreshSession).Single().StatusCode);
    }

    [Fact]
    public async Task A_refresh_token_refused_once_is_not_sent_again_while_logins_are_rate_limited()
    {
        // Server and client share a clock that moves only when told: the second call comes within the 429's
        // Retry-After however slow the machine is (on the wall clock, a second between the calls let it through).
        var time = new ManualTimeProvider();
        await using var server = await FakeBlueskyServer.StartAsync(o => o.TimeProvider = time);
        using var client = TestClients.Create(server, time: time);
        await client.EnsureSessionAsync();
        server.RevokeSessions();
        server.Faults.StartOutage(FaultKind.RateLimited, methods: [CreateSession]);

        var first = await Assert.ThrowsAsync<XrpcException>(() => client.Server.GetSessionAsync());
        var second = await Assert.ThrowsAsync<XrpcException>(() => client.Server.GetSessionAsync());
        server.Faults.StopOutages();
        // The guard honoured the 429's Retry-After (1 s here); once it has passed, one login replaces the dead session.
        time.Advance(TimeSpan.FromSeconds(2));
        await client.Server.GetSessionAsync();

        Assert.Equal(429, first.StatusCode);
        Assert.Equal(XrpcErrors.LoginThrottled, second.Error);
        Assert.Equal(1, server.CountRequests(RefreshSession));
        Assert.Equal(3, server.CountRequests(CreateSession)); // the first login, the refused one, the one that worked
    }

    [Fact]
    public async Task A_session_refreshed_by_another_process_is_taken_from_the_store_instead_of_refreshing_again()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        var store = new InMemorySessionStore();
        using var first = TestClients.Create(server, store);
        using var second = TestClients.Create(server, store);
        await first.EnsureSessionAsync();
        await second.EnsureSessionAsync();
        server.ExpireAccessTokens();

        await first.Server.GetSessionAsync();
        await second.Server.GetSessionAsync();

        Assert.Equal(1, server.CountRequests(RefreshSession));
        Assert.Equal(first.Session, second.Session);
    }

    [Fact]
    public async Task A_wrong_password_is_not_retried_automatically()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        using var client = TestClients.Create(server, configure: o => o.AppPassword = "wrong-pass-word-1234");

        var first = await Assert.ThrowsAsync<XrpcException>(() => client.Server.GetSessionAsync());
        var second = await Assert.ThrowsAsync<XrpcException>(() => client.Server.GetSessionAsync());

        Assert.Equal(401, first.StatusCode);
        Assert.Equal(XrpcErrors.AuthenticationRequired, first.Error);
        Assert.True(first.RequiresAttention);
        Assert.False(first.IsRetryable);
        Assert.Equal(XrpcErrors.AuthenticationRequired, second.Error);
        Assert.Equal(1, server.CountRequests(CreateSession));
    }

    [Fact]
    public async Task The_client_side_login_guard_refuses_logins_beyond_its_limit_until_the_window_passes()
    {
        var time = new ManualTimeProvider();
        await using var server = await FakeBlueskyServer.StartAsync(o => o.TimeProvider = time);
        using var client = TestClients.Create(server, time: time, configure: o => o.MaxLoginsPerFiveMinutes = 3);
        var account = server.DefaultAccount;

        for (var i = 0; i < 3; i++)
        {
            await client.LoginAsync(account.Handle, account.AppPassword);
        }
        var refused = await Assert.ThrowsAsync<XrpcException>(() => client.LoginAsync(account.Handle, account.AppPassword));
        time.Advance(TimeSpan.FromMinutes(5));
        await client.LoginAsync(account.Handle, account.AppPassword);

        Assert.Equal(XrpcErrors.LoginThrottled, refused.Error);
        Assert.True(refused.IsRetryable);
        Assert.Equal(TimeSpan.FromMinutes(5), refused.RetryAfter);
        Assert.Equal(4, server.CountRequests(CreateSession));
    }

    [Fact]
    public async Task A_429_on_login_blocks_further_logins_client_side_until_the_reset()
    {
        var time = new ManualTimeProvider();
        await using var server = await FakeBlueskyServer.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.EnforceLoginRateLimit = true;
            o.LoginRateLimit = 2;
        });
        using var client = TestClients.Create(server, time: time);
        var account = server.DefaultAccount;
        await client.LoginAsync(account.Handle, account.AppPassword);
        await client.LoginAsync(account.Handle, account.AppPassword);

        var limited = await Assert.ThrowsAsync<XrpcException>(() => client.LoginAsync(account.Handle, account.AppPassword));
        var guarded = await Assert.ThrowsAsync<XrpcException>(() => client.LoginAsync(account.Handle, account.AppPassword));

        Assert.Equal(429, limited.StatusCode);
        Assert.Equal(XrpcErrors.RateLimitExceeded, limited.Error);
        Assert.True(limited.IsRetryable);
        Assert.Equal(2, limited.RateLimit!.Limit);
        Assert.Equal(0, limited.RateLimit.Remaining);
        Assert.Equal("2;w=300", limited.RateLimit.Policy);
        Assert.Equal(time.GetUtcNow().AddMinutes(5), limited.RateLimit.Reset);
        Assert.Equal(TimeSpan.FromMinutes(5), limited.RetryAfter);
        Assert.Equal(XrpcErrors.LoginThrottled, guarded.Error);
        Assert.Equal(3, server.CountRequests(CreateSession));
    }

    [Fact]
    public async Task An_access_token_about_to_expire_is_refreshed_before_the_request()
    {
        var time = new ManualTimeProvider();
        await using var server = await FakeBlueskyServer.StartAsync(o => o.TimeProvider = time);
        using var client = TestClients.Create(server, time: time);
        await client.EnsureSessionAsync();
        time.Advance(TimeSpan.FromMinutes(117));

        await client.Server.GetSessionAsync();

        Assert.Equal(1, server.CountRequests(RefreshSession));
        Assert.Equal(200, server.RequestsFor(GetSession).Single().StatusCode);
    }

    [Fact]
    public async Task Logout_revokes_the_session_and_clears_the_store()
    {
        await using var server = await FakeBlueskyServer.StartAsync();
        var store = new InMemorySessionStore();
        using var client = TestClients.Create(server, store);
        await client.EnsureSessionAsync();

        await client.LogoutAsync();

        Assert.Null(store.Current);
        Assert.Null(client.Session);
        Assert.Equal(200, server.RequestsFor("com.atproto.server.deleteSession").Single().StatusCode);
    }
}
