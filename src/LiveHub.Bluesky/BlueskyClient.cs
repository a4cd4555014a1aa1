using System.Text.Json;

namespace LiveHub.Bluesky;

/// <summary>
/// AT Protocol client for one account. Thread-safe: share one instance per account. Sessions are persisted through
/// <see cref="ISessionStore"/> and resumed on start; createSession is only called when no usable session exists,
/// and never more often than the client-side login guard allows.
/// </summary>
public sealed class BlueskyClient : IDisposable
{
    private readonly HttpClient http;
    private readonly bool ownsHttpClient;
    private readonly XrpcTransport transport;
    private readonly ISessionStore store;
    private readonly LoginGuard loginGuard;
    private readonly SemaphoreSlim sessionLock = new(1, 1);
    private BlueskySession? session;
    private bool storeLoaded;
    private string? identifier;
    private string? password;
    private bool credentialsRejected;
    // A refresh token the server called expired or revoked: sending it again cannot work, so the next refresh logs in.
    private string? deadRefreshJwt;

    public BlueskyClient(
        BlueskyClientOptions? options = null,
        HttpClient? httpClient = null,
        ISessionStore? sessionStore = null,
        TimeProvider? timeProvider = null)
    {
        Options = options ?? new BlueskyClientOptions();
        Time = timeProvider ?? TimeProvider.System;
        ownsHttpClient = httpClient is null;
        // Per-request timeouts come from the options, so the HttpClient's own one must not cut blob uploads short.
        http = httpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        transport = new XrpcTransport(http, Options, Time);
        store = sessionStore ?? new InMemorySessionStore();
        loginGuard = new LoginGuard(Time, Options.MaxLoginsPerFiveMinutes, Options.MaxLoginsPerDay);
        identifier = Options.Identifier;
        password = Options.AppPassword;
        Tids = new TidGenerator(Time);
        Server = new ServerApi(this);
        Identity = new IdentityApi(this, http);
        Repo = new RepoApi(this);
        Feed = new FeedApi(this);
    }

    public BlueskyClientOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>com.atproto.server: sessions and server description.</summary>
    public ServerApi Server { get; }

    /// <summary>com.atproto.identity: handles and DID documents.</summary>
    public IdentityApi Identity { get; }

    /// <summary>com.atproto.repo: records and blobs.</summary>
    public RepoApi Repo { get; }

    /// <summary>app.bsky.feed.post helpers on top of <see cref="Repo"/>.</summary>
    public FeedApi Feed { get; }

    /// <summary>Record keys for new records, monotonic per client.</summary>
    public TidGenerator Tids { get; }

    public BlueskySession? Session => Volatile.Read(ref session);

    /// <summary>The most recent RateLimit-* headers seen on any response.</summary>
    public RateLimitInfo? LastRateLimit => transport.LastRateLimit;

    /// <summary>Raised after login, refresh, resume or logout, while the session lock is held: do not call the client from the handler.</summary>
    public event EventHandler<SessionChangedEventArgs>? SessionChanged;

    /// <summary>Logs in with createSession (always a new session) and remembers the credentials for re-login.</summary>
    public async Task<BlueskySession> LoginAsync(string identifier, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(identifier);
        ArgumentException.ThrowIfNullOrWhiteSpace(password);
        await sessionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            this.identifier = identifier;
            this.password = password;
            credentialsRejected = false;
            storeLoaded = true;
            var created = await CreateSessionCoreAsync(cancellationToken).ConfigureAwait(false);
            await CommitAsync(created, SessionChangeReason.LoggedIn, cancellationToken).ConfigureAwait(false);
            return created;
        }
        finally
        {
            sessionLock.Release();
        }
    }

    /// <summary>The current session: in memory, else from the store, else a login with the configured credentials.</summary>
    public async Task<BlueskySession> EnsureSessionAsync(CancellationToken cancellationToken = default)
    {
        if (Session is { } current)
        {
            return current;
        }
        await sessionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Session is { } raced)
            {
                return raced;
            }
            if (!storeLoaded)
            {
                var stored = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
                storeLoaded = true;
                if (stored is not null)
                {
                    Volatile.Write(ref session, stored);
                    SessionChanged?.Invoke(this, new SessionChangedEventArgs(stored, SessionChangeReason.Resumed));
                    return stored;
                }
            }
            var created = await CreateSessionCoreAsync(cancellationToken).ConfigureAwait(false);
            await CommitAsync(created, SessionChangeReason.LoggedIn, cancellationToken).ConfigureAwait(false);
            return created;
        }
        finally
        {
            sessionLock.Release();
        }
    }

    /// <summary>Forces a refreshSession (falls back to createSession if the refresh token is expired or revoked).</summary>
    public Task<BlueskySession> RefreshSessionAsync(CancellationToken cancellationToken = default) =>
        RefreshAsync(failedAccessJwt: null, cancellationToken);

    /// <summary>Revokes the session on the server (best effort) and clears the store.</summary>
    public async Task LogoutAsync(CancellationToken cancellationToken = default)
    {
        await sessionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Session is { } current)
            {
                try
                {
                    var call = new XrpcCall(HttpMethod.Post, "com.atproto.server.deleteSession") { Auth = XrpcAuth.Refresh };
                    await transport.SendAsync(call, new Uri(current.PdsUrl), current.RefreshJwt, cancellationToken).ConfigureAwait(false);
                }
                catch (XrpcException)
                {
                    // The tokens are forgotten locally either way; an unrevoked one expires on its own.
                }
            }
            Volatile.Write(ref session, null);
            storeLoaded = true;
            await store.ClearAsync(cancellationToken).ConfigureAwait(false);
            SessionChanged?.Invoke(this, new SessionChangedEventArgs(null, SessionChangeReason.LoggedOut));
        }
        finally
        {
            sessionLock.Release();
        }
    }

    public void Dispose()
    {
        sessionLock.Dispose();
        if (ownsHttpClient)
        {
            http.Dispose();
        }
    }

    internal async Task<XrpcResponse> SendAsync(XrpcCall call, CancellationToken cancellationToken)
    {
        if (call.Auth == XrpcAuth.None)
        {
            var baseUrl = call.Host == XrpcHost.Pds && Session is { } known ? new Uri(known.PdsUrl) : Options.ServiceUrl;
            return await transport.SendAsync(call, baseUrl, null, cancellationToken).ConfigureAwait(false);
        }
        var current = await EnsureSessionAsync(cancellationToken).ConfigureAwait(false);
        current = await RefreshIfExpiringAsync(current, cancellationToken).ConfigureAwait(false);
        try
        {
            return await transport.SendAsync(call, BaseUrlFor(call, current), current.AccessJwt, cancellationToken).ConfigureAwait(false);
        }
        catch (XrpcException ex) when (ex.IsExpiredAuthentication)
        {
            var refreshed = await RefreshAsync(current.AccessJwt, cancellationToken).ConfigureAwait(false);
            return await transport.SendAsync(call, BaseUrlFor(call, refreshed), refreshed.AccessJwt, cancellationToken).ConfigureAwait(false);
        }
    }

    private Uri BaseUrlFor(XrpcCall call, BlueskySession current) =>
        call.Host == XrpcHost.Pds ? new Uri(current.PdsUrl) : Options.ServiceUrl;

    private async Task<BlueskySession> RefreshIfExpiringAsync(BlueskySession current, CancellationToken cancellationToken)
    {
        if (Options.ProactiveRefreshMargin is not { } margin || JwtClaims.TryReadExpiry(current.AccessJwt) is not { } expiry)
        {
            return current;
        }
        var now = Time.GetUtcNow();
        if (expiry - now >= margin)
        {
            return current;
        }
        try
        {
            return await RefreshAsync(current.AccessJwt, cancellationToken).ConfigureAwait(false);
        }
        catch (XrpcException ex) when (ex.IsRetryable && expiry > now)
        {
            // Early refresh is an optimisation: the token still works, so try with it.
            return current;
        }
    }

    /// <summary>
    /// Single-flight refresh. Callers pass the access token their request failed with; if the session has moved on
    /// since (another caller, or another process through the store, already refreshed), that session is reused.
    /// </summary>
    private async Task<BlueskySession> RefreshAsync(string? failedAccessJwt, CancellationToken cancellationToken)
    {
        await sessionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = Session;
            if (failedAccessJwt is not null && current is not null && current.AccessJwt != failedAccessJwt)
            {
                return current;
            }
            if (failedAccessJwt is not null)
            {
                var stored = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
                if (stored is not null && stored.AccessJwt != failedAccessJwt && (current is null || stored.Did == current.Did))
                {
                    Volatile.Write(ref session, stored);
                    SessionChanged?.Invoke(this, new SessionChangedEventArgs(stored, SessionChangeReason.Resumed));
                    return stored;
                }
            }
            if (current is null || current.RefreshJwt == deadRefreshJwt)
            {
                var created = await CreateSessionCoreAsync(cancellationToken).ConfigureAwait(false);
                await CommitAsync(created, SessionChangeReason.LoggedIn, cancellationToken).ConfigureAwait(false);
                return created;
            }
            BlueskySession next;
            var reason = SessionChangeReason.Refreshed;
            try
            {
                var call = new XrpcCall(HttpMethod.Post, "com.atproto.server.refreshSession") { Auth = XrpcAuth.Refresh };
                var response = await transport.SendAsync(call, new Uri(current.PdsUrl), current.RefreshJwt, cancellationToken).ConfigureAwait(false);
                var dto = response.ReadJson<SessionResponse>();
                var pds = dto.DidDoc is { ValueKind: JsonValueKind.Object } doc && Options.UseDidDocumentPds
                    ? DidDocument.Parse(doc).PdsEndpoint ?? current.PdsUrl
                    : current.PdsUrl;
                next = new BlueskySession(dto.Did, dto.Handle, pds, dto.AccessJwt, dto.RefreshJwt);
            }
            catch (XrpcException ex) when (ex.Error is XrpcErrors.ExpiredToken or XrpcErrors.InvalidToken)
            {
                deadRefreshJwt = current.RefreshJwt;
                next = await CreateSessionCoreAsync(cancellationToken).ConfigureAwait(false);
                reason = SessionChangeReason.LoggedIn;
            }
            await CommitAsync(next, reason, cancellationToken).ConfigureAwait(false);
            return next;
        }
        finally
        {
            sessionLock.Release();
        }
    }

    private async Task CommitAsync(BlueskySession next, SessionChangeReason reason, CancellationToken cancellationToken)
    {
        Volatile.Write(ref session, next);
        await store.SaveAsync(next, cancellationToken).ConfigureAwait(false);
        SessionChanged?.Invoke(this, new SessionChangedEventArgs(next, reason));
    }

    /// <summary>createSession with the remembered credentials. Callers hold <see cref="sessionLock"/>.</summary>
    private async Task<BlueskySession> CreateSessionCoreAsync(CancellationToken cancellationToken)
    {
        const string nsid = "com.atproto.server.createSession";
        if (identifier is null || password is null)
        {
            throw new InvalidOperationException("No Bluesky session is stored and no identifier/app password is configured.");
        }
        if (credentialsRejected)
        {
            throw new XrpcException(nsid, 401, XrpcErrors.AuthenticationRequired,
                "The configured credentials were rejected earlier; log in again with new ones.", isRetryable: false, isAmbiguous: false);
        }
        loginGuard.Acquire();
        XrpcResponse response;
        try
        {
            var body = BlueskyJson.Write(w =>
            {
                w.WriteString("identifier", identifier);
                w.WriteString("password", password);
            });
            var call = XrpcCall.PostJson(nsid, body) with { Auth = XrpcAuth.None, Host = XrpcHost.Service };
            response = await transport.SendAsync(call, Options.ServiceUrl, null, cancellationToken).ConfigureAwait(false);
        }
        catch (XrpcException ex) when (ex.StatusCode == 429)
        {
            loginGuard.BlockFor(ex.RetryAfter ?? TimeSpan.FromMinutes(5));
            throw;
        }
        catch (XrpcException ex) when (ex.StatusCode == 401 || ex.Error == XrpcErrors.AuthFactorTokenRequired)
        {
            credentialsRejected = true;
            throw;
        }
        var dto = response.ReadJson<SessionResponse>();
        var pdsUrl = await DiscoverPdsAsync(dto, cancellationToken).ConfigureAwait(false);
        return new BlueskySession(dto.Did, dto.Handle, pdsUrl, dto.AccessJwt, dto.RefreshJwt);
    }

    private async Task<string> DiscoverPdsAsync(SessionResponse dto, CancellationToken cancellationToken)
    {
        var fallback = Options.ServiceUrl.ToString().TrimEnd('/');
        if (!Options.UseDidDocumentPds)
        {
            return fallback;
        }
        if (dto.DidDoc is { ValueKind: JsonValueKind.Object } embedded)
        {
            try
            {
                return DidDocument.Parse(embedded).PdsEndpoint ?? fallback;
            }
            catch (JsonException)
            {
                // fall through to resolving the DID
            }
        }
        try
        {
            var document = await Identity.ResolveDidDocumentAsync(dto.Did, cancellationToken).ConfigureAwait(false);
            return document.PdsEndpoint ?? fallback;
        }
        catch (XrpcException)
        {
            // The entryway also serves repo calls (one extra hop), so a PLC outage must not fail the login.
            return fallback;
        }
    }

    internal sealed record SessionResponse(string AccessJwt, string RefreshJwt, string Handle, string Did, JsonElement? DidDoc,
        string? Email, bool? Active, string? Status);
}
