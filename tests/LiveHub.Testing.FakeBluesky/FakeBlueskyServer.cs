using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Testing.FakeBluesky;

/// <summary>
/// In-process fake PDS on 127.0.0.1 with a dynamic port. It is also its own entryway and PLC directory: DID documents
/// are served at <c>/{did}</c> and point their <c>#atproto_pds</c> service back here. Thread-safe.
/// </summary>
public sealed partial class FakeBlueskyServer : IAsyncDisposable
{
    public const string PostCollection = "app.bsky.feed.post";

    private readonly WebApplication app;
    private readonly FakeBlueskyOptions options;
    private readonly TimeProvider time;
    private readonly Lock state = new();
    private readonly Dictionary<string, TokenState> tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<StoredRecord>> repos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredBlob> blobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DateTimeOffset>> loginAttempts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<ReceivedRequest> requestLog = new();
    private long requestSequence;
    private long commitSequence;
    private long lastTidMicroseconds;

    private FakeBlueskyServer(WebApplication app, FakeBlueskyOptions options)
    {
        this.app = app;
        this.options = options;
        time = options.TimeProvider;
        Accounts = options.Accounts.Count > 0 ? [.. options.Accounts] : [FakeBlueskyOptions.DefaultAccount];
        foreach (var account in Accounts)
        {
            repos[account.Did] = [];
        }
    }

    /// <summary>Base URL (<c>http://127.0.0.1:port</c>): use it as entryway, PDS and PLC directory URL.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The PDS endpoint written into DID documents.</summary>
    public Uri PdsUrl { get; private set; } = null!;

    public IReadOnlyList<FakeAccount> Accounts { get; }

    public FakeAccount DefaultAccount => Accounts[0];

    public FakeFaults Faults { get; } = new();

    public IReadOnlyList<ReceivedRequest> Requests => [.. requestLog];

    public static async Task<FakeBlueskyServer> StartAsync(Action<FakeBlueskyOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new FakeBlueskyOptions();
        configure?.Invoke(options);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = Math.Max(options.BlobUploadLimit * 2, 1024 * 1024);
        });
        var app = builder.Build();
        var server = new FakeBlueskyServer(app, options);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address);
        server.PdsUrl = options.AdvertisePdsAsLocalhost ? new Uri($"http://localhost:{server.BaseUrl.Port}") : server.BaseUrl;
        return server;
    }

    /// <summary>Every access and refresh token issued so far (for tests that look for them where they must not be).</summary>
    public IReadOnlyList<string> IssuedTokens
    {
        get
        {
            lock (state)
            {
                return [.. tokens.Keys];
            }
        }
    }

    public IReadOnlyList<ReceivedRequest> RequestsFor(string nsid) => [.. requestLog.Where(r => r.Nsid == nsid)];

    public int CountRequests(string nsid) => requestLog.Count(r => r.Nsid == nsid);

    public void ClearRequests() => requestLog.Clear();

    /// <summary>Records in commit order, optionally for one account and collection.</summary>
    public IReadOnlyList<StoredRecord> GetRecords(string? did = null, string? collection = null)
    {
        lock (state)
        {
            return [.. repos.Where(r => did is null || r.Key == did).SelectMany(r => r.Value)
                .Where(r => collection is null || r.Collection == collection)
                .OrderBy(r => r.CommitSequence)];
        }
    }

    public StoredRecord? GetRecord(string did, string collection, string rkey)
    {
        lock (state)
        {
            return Find(did, collection, rkey);
        }
    }

    /// <summary>
    /// The thread below <paramref name="rootUri"/> the way an AppView builds it: from the post down through the posts
    /// whose <c>reply.parent</c> names it. A deleted post is not there, so the walk stops at it and whatever replied to it
    /// is cut off; a reply the AppView marked invalid when it indexed it (<see cref="StoredRecord.InvalidReplyRoot"/>) is
    /// left out. Null when the post does not exist.
    /// </summary>
    public FakeThreadNode? GetThread(string rootUri)
    {
        lock (state)
        {
            var all = repos.Values.SelectMany(r => r).Where(r => r.Collection == PostCollection).ToList();
            var byParent = all.Where(r => !r.InvalidReplyRoot && r.ReplyParentUri is not null).GroupBy(r => r.ReplyParentUri!)
                .ToDictionary(g => g.Key, g => g.OrderBy(r => r.CommitSequence).ToList());
            var root = all.FirstOrDefault(r => r.Uri == rootUri);
            return root is null ? null : Node(root, 0);

            FakeThreadNode Node(StoredRecord record, int depth) => new(record,
                depth > 10_000 || !byParent.TryGetValue(record.Uri, out var replies) ? [] : [.. replies.Select(r => Node(r, depth + 1))]);
        }
    }

    /// <summary>
    /// The thread below <paramref name="rootUri"/> as one chain (see <see cref="GetThread"/>): each post and its only
    /// reply, down to a post nobody replied to. Throws when a post has more than one reply: the thread forked.
    /// </summary>
    public IReadOnlyList<StoredRecord> WalkThread(string rootUri)
    {
        var chain = new List<StoredRecord>();
        for (var node = GetThread(rootUri); node is not null; node = node.Replies.Count == 0 ? null : node.Replies[0])
        {
            chain.Add(node.Record);
            if (node.Replies.Count > 1)
            {
                throw new InvalidOperationException($"The thread forks at {node.Record.Uri} (\"{node.Record.Text}\"): replies {string.Join(", ", node.Replies.Select(r => $"\"{r.Record.Text}\""))}.");
            }
        }

        return chain;
    }

    public IReadOnlyList<StoredBlob> GetBlobs()
    {
        lock (state)
        {
            return [.. blobs.Values];
        }
    }

    /// <summary>Number of repo commits (creates, updates, deletes) so far; no-op writes do not count.</summary>
    public long CommitCount => Interlocked.Read(ref commitSequence);

    /// <summary>Every access token issued so far now answers 400 ExpiredToken; refresh tokens keep working.</summary>
    public void ExpireAccessTokens()
    {
        lock (state)
        {
            foreach (var token in tokens.Values.Where(t => !t.IsRefresh))
            {
                token.ForcedExpired = true;
            }
        }
    }

    /// <summary>Revokes all tokens (of one account, or all): they answer 400 ExpiredToken "Token has been revoked".</summary>
    public void RevokeSessions(string? did = null)
    {
        lock (state)
        {
            foreach (var token in tokens.Values.Where(t => did is null || t.Did == did))
            {
                token.Revoked = true;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var path = request.Path.Value ?? "/";
        var nsid = path.StartsWith("/xrpc/", StringComparison.Ordinal) ? path["/xrpc/".Length..] : null;
        var entry = new ReceivedRequest(Interlocked.Increment(ref requestSequence), time.GetUtcNow(), request.Method, path,
            request.QueryString.Value ?? "", nsid, Header(request, "Authorization"), request.ContentType, request.Host.Value,
            Header(request, "User-Agent"), buffer.ToArray());
        requestLog.Enqueue(entry);

        FakeResponse response;
        if (nsid is null)
        {
            response = HandleNonXrpc(request, path);
        }
        else
        {
            var fault = Faults.Take(entry.Sequence, nsid, entry.Authorization is not null, entry.Timestamp);
            entry.Fault = fault?.Kind;
            switch (fault?.Kind)
            {
                case FaultKind.DropBeforeCommit:
                    context.Abort();
                    return;
                case FaultKind.BadGateway:
                    response = new FakeResponse(502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>", "text/html");
                    break;
                case FaultKind.InternalErrorBeforeCommit:
                    response = Error(500, "InternalServerError", "Internal Server Error");
                    break;
                case FaultKind.RateLimited:
                    // The headers describe the tightest limit: the login limit for createSession, else the per-IP one.
                    response = nsid == "com.atproto.server.createSession"
                        ? RateLimited(options.LoginRateLimit, $"{options.LoginRateLimit};w={(int)options.LoginRateWindow.TotalSeconds}", fault.RetryAfter)
                        : RateLimited(3000, "3000;w=300", fault.RetryAfter);
                    break;
                case FaultKind.ExpiredToken:
                    response = Error(400, "ExpiredToken", "Token has expired");
                    break;
                default:
                    response = HandleXrpc(nsid, request, entry.Body);
                    break;
            }
            switch (fault?.Kind)
            {
                case FaultKind.InternalErrorAfterCommit:
                    response = Error(500, "InternalServerError", "Internal Server Error");
                    break;
                case FaultKind.DropAfterCommit:
                    context.Abort();
                    return;
                case FaultKind.SlowResponse:
                    try
                    {
                        await Task.Delay(fault.Delay, context.RequestAborted).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return; // the client timed out and went away
                    }
                    break;
            }
        }
        entry.StatusCode = response.Status;
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        foreach (var (name, value) in response.Headers ?? [])
        {
            context.Response.Headers[name] = value;
        }
        try
        {
            await context.Response.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client gave up (timeout); the request was handled all the same.
        }
    }

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    private FakeResponse HandleNonXrpc(HttpRequest request, string path)
    {
        if (request.Method != "GET")
        {
            return Error(404, "NotFound", "Not Found");
        }
        if (path.StartsWith("/did:", StringComparison.Ordinal))
        {
            var did = Uri.UnescapeDataString(path[1..]);
            var account = Accounts.FirstOrDefault(a => a.Did == did);
            return account is null
                ? new FakeResponse(404, Json(new JsonObject { ["message"] = $"DID not registered: {did}" }))
                : new FakeResponse(200, Json(DidDocument(account)));
        }
        if (path == "/.well-known/did.json")
        {
            var did = "did:web:" + Uri.EscapeDataString(request.Host.Value ?? "");
            var account = Accounts.FirstOrDefault(a => a.Did == did);
            return account is null ? Error(404, "NotFound", "Not Found") : new FakeResponse(200, Json(DidDocument(account)));
        }
        if (path == "/.well-known/atproto-did")
        {
            var host = request.Host.Host;
            var handle = request.Query["handle"].ToString();
            var account = Accounts.FirstOrDefault(a => a.Handle.Equals(host, StringComparison.OrdinalIgnoreCase))
                ?? Accounts.FirstOrDefault(a => a.Handle.Equals(handle, StringComparison.OrdinalIgnoreCase))
                ?? (Accounts.Count == 1 ? Accounts[0] : null);
            return account is null ? new FakeResponse(404, "not found", "text/plain") : new FakeResponse(200, account.Did, "text/plain");
        }
        return Error(404, "NotFound", "Not Found");
    }

    private FakeResponse HandleXrpc(string nsid, HttpRequest request, byte[] body)
    {
        var isGet = request.Method == "GET";
        try
        {
            return (nsid, isGet) switch
            {
                ("_health", true) => new FakeResponse(200, """{"version":"fake"}"""),
                ("com.atproto.server.describeServer", true) => new FakeResponse(200, Json(new JsonObject
                {
                    ["did"] = "did:web:localhost",
                    ["availableUserDomains"] = new JsonArray(".test"),
                    ["inviteCodeRequired"] = false,
                })),
                ("com.atproto.server.createSession", false) => CreateSession(body),
                ("com.atproto.server.refreshSession", false) => RefreshSession(request),
                ("com.atproto.server.getSession", true) => GetSession(request),
                ("com.atproto.server.deleteSession", false) => DeleteSession(request),
                ("com.atproto.identity.resolveHandle", true) => ResolveHandle(request),
                ("com.atproto.repo.uploadBlob", false) => UploadBlob(request, body),
                ("com.atproto.repo.createRecord", false) => WriteRecord(request, body, put: false),
                ("com.atproto.repo.putRecord", false) => WriteRecord(request, body, put: true),
                ("com.atproto.repo.deleteRecord", false) => DeleteRecord(request, body),
                ("com.atproto.repo.getRecord", true) => GetRecordResponse(request),
                ("com.atproto.repo.listRecords", true) => ListRecords(request),
                ("app.bsky.feed.getPostThread", true) => GetPostThread(request),
                _ => Error(400, "InvalidRequest", $"No service configured for {nsid}"),
            };
        }
        catch (JsonException ex)
        {
            return Error(400, "SyntaxError", ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return Error(400, "InvalidRequest", ex.Message);
        }
    }

    // ---- sessions ----

    private FakeResponse CreateSession(byte[] body)
    {
        var input = ParseObject(body);
        var identifier = input["identifier"]?.GetValue<string>() ?? "";
        var password = input["password"]?.GetValue<string>() ?? "";
        if (options.EnforceLoginRateLimit && RecordLoginAttempt(identifier) is { } limited)
        {
            return limited;
        }
        var account = Accounts.FirstOrDefault(a =>
            a.Handle.Equals(identifier, StringComparison.OrdinalIgnoreCase) || a.Did == identifier
            || (a.Email is not null && a.Email.Equals(identifier, StringComparison.OrdinalIgnoreCase)));
        if (account is null || account.AppPassword != password)
        {
            return Error(401, "AuthenticationRequired", "Invalid identifier or password");
        }
        lock (state)
        {
            var refresh = IssueToken(account.Did, isRefresh: true);
            var access = IssueToken(account.Did, isRefresh: false);
            return new FakeResponse(200, Json(SessionBody(account, access, refresh.Token)));
        }
    }

    private FakeResponse? RecordLoginAttempt(string identifier)
    {
        lock (state)
        {
            var now = time.GetUtcNow();
            if (!loginAttempts.TryGetValue(identifier, out var attempts))
            {
                loginAttempts[identifier] = attempts = [];
            }
            attempts.RemoveAll(a => now - a >= options.LoginRateWindow);
            if (attempts.Count >= options.LoginRateLimit)
            {
                var retryAfter = attempts[0] + options.LoginRateWindow - now;
                return RateLimited(options.LoginRateLimit,
                    $"{options.LoginRateLimit};w={(int)options.LoginRateWindow.TotalSeconds}", retryAfter);
            }
            attempts.Add(now);
            return null;
        }
    }

    private FakeResponse RefreshSession(HttpRequest request)
    {
        lock (state)
        {
            var (token, error) = Authenticate(request, refresh: true);
            if (token is null)
            {
                return error!;
            }
            var account = Accounts.First(a => a.Did == token.Did);
            var now = time.GetUtcNow();
            string refreshToken;
            if (token.Successor is { } successor)
            {
                // Reuse within the grace period returns the same successor, so a crash before persisting is recoverable.
                refreshToken = successor;
            }
            else
            {
                refreshToken = IssueToken(account.Did, isRefresh: true).Token;
                token.Successor = refreshToken;
                token.RotatedAt = now;
            }
            var access = IssueToken(account.Did, isRefresh: false);
            return new FakeResponse(200, Json(SessionBody(account, access, refreshToken)));
        }
    }

    private FakeResponse GetSession(HttpRequest request)
    {
        lock (state)
        {
            var (token, error) = Authenticate(request, refresh: false);
            if (token is null)
            {
                return error!;
            }
            var account = Accounts.First(a => a.Did == token.Did);
            return new FakeResponse(200, Json(new JsonObject
            {
                ["handle"] = account.Handle,
                ["did"] = account.Did,
                ["email"] = account.Email,
                ["active"] = true,
            }));
        }
    }

    private FakeResponse DeleteSession(HttpRequest request)
    {
        lock (state)
        {
            var (token, error) = Authenticate(request, refresh: true);
            if (token is null)
            {
                return error!;
            }
            token.Revoked = true;
            return new FakeResponse(200, "");
        }
    }

    private FakeResponse ResolveHandle(HttpRequest request)
    {
        var handle = request.Query["handle"].ToString();
        if (string.IsNullOrEmpty(handle))
        {
            return Error(400, "InvalidRequest", "Error: Params must have the property \"handle\"");
        }
        var account = Accounts.FirstOrDefault(a => a.Handle.Equals(handle, StringComparison.OrdinalIgnoreCase));
        return account is null
            ? Error(400, "HandleNotFound", "Unable to resolve handle")
            : new FakeResponse(200, Json(new JsonObject { ["did"] = account.Did }));
    }

    private JsonObject SessionBody(FakeAccount account, TokenState access, string refreshToken)
    {
        var body = new JsonObject
        {
            ["accessJwt"] = access.Token,
            ["refreshJwt"] = refreshToken,
            ["handle"] = account.Handle,
            ["did"] = account.Did,
            ["email"] = account.Email,
            ["emailConfirmed"] = false,
            ["active"] = true,
        };
        if (options.IncludeDidDocInSession)
        {
            body["didDoc"] = DidDocument(account);
        }
        return body;
    }

    private JsonObject DidDocument(FakeAccount account)
    {
        var services = new JsonArray();
        if (options.ListOtherServicesFirst)
        {
            services.Add(new JsonObject { ["id"] = "#atproto_labeler", ["type"] = "AtprotoLabeler", ["serviceEndpoint"] = "http://labeler.invalid" });
            services.Add(new JsonObject { ["id"] = "#atproto_pds_backup", ["type"] = "AtprotoPersonalDataServer", ["serviceEndpoint"] = "http://wrong-pds.invalid" });
        }
        services.Add(new JsonObject
        {
            ["id"] = "#atproto_pds",
            ["type"] = "AtprotoPersonalDataServer",
            ["serviceEndpoint"] = PdsUrl.GetLeftPart(UriPartial.Authority),
        });
        return new JsonObject
        {
            ["@context"] = new JsonArray("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"),
            ["id"] = account.Did,
            ["alsoKnownAs"] = new JsonArray($"at://{account.Handle}"),
            ["verificationMethod"] = new JsonArray(new JsonObject
            {
                ["id"] = $"{account.Did}#atproto",
                ["type"] = "Multikey",
                ["controller"] = account.Did,
                ["publicKeyMultibase"] = "zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF",
            }),
            ["service"] = services,
        };
    }

    /// <summary>Validates the bearer token. Callers hold <see cref="state"/>.</summary>
    private (TokenState? Token, FakeResponse? Error) Authenticate(HttpRequest request, bool refresh)
    {
        var header = Header(request, "Authorization");
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return (null, Error(401, "AuthMissing", "Authentication Required"));
        }
        if (!tokens.TryGetValue(header["Bearer ".Length..], out var token) || token.IsRefresh != refresh)
        {
            return (null, Error(400, "InvalidToken", "Token could not be verified"));
        }
        var now = time.GetUtcNow();
        if (token.Revoked || (token.RotatedAt is { } rotated && now - rotated > options.RefreshGracePeriod))
        {
            return (null, Error(400, "ExpiredToken", "Token has been revoked"));
        }
        if (token.ForcedExpired || now >= token.ExpiresAt)
        {
            return (null, Error(400, "ExpiredToken", "Token has expired"));
        }
        return (token, null);
    }

    private TokenState IssueToken(string did, bool isRefresh)
    {
        var now = time.GetUtcNow();
        var expires = now + (isRefresh ? options.RefreshTokenLifetime : options.AccessTokenLifetime);
        var header = new JsonObject { ["typ"] = isRefresh ? "refresh+jwt" : "at+jwt", ["alg"] = "HS256" };
        var claims = new JsonObject
        {
            ["scope"] = isRefresh ? "com.atproto.refresh" : "com.atproto.appPass",
            ["aud"] = "did:web:localhost",
            ["sub"] = did,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        };
        var jwt = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()))}.{Base64Url(RandomNumberGenerator.GetBytes(32))}";
        var token = new TokenState(jwt, did, isRefresh, expires);
        tokens[jwt] = token;
        return token;
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // ---- repo ----

    private FakeResponse UploadBlob(HttpRequest request, byte[] body)
    {
        lock (state)
        {
            var (token, error) = Authenticate(request, refresh: false);
            if (token is null)
            {
                return error!;
            }
            if (body.Length > options.BlobUploadLimit)
            {
                return Error(413, "PayloadTooLarge", "request entity too large");
            }
            var mimeType = SniffMimeType(body) ?? request.ContentType ?? "application/octet-stream";
            var cid = FakeCid.ForBlob(body);
            blobs[$"{token.Did} {cid}"] = new StoredBlob(token.Did, cid, mimeType, body);
            return new FakeResponse(200, Json(new JsonObject
            {
                ["blob"] = new JsonObject
                {
                    ["$type"] = "blob",
                    ["ref"] = new JsonObject { ["$link"] = cid },
                    ["mimeType"] = mimeType,
                    ["size"] = body.Length,
                },
            }));
        }
    }

    private static string? SniffMimeType(byte[] data) => data switch
    {
        [0x89, 0x50, 0x4E, 0x47, ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x47, 0x49, 0x46, 0x38, ..] => "image/gif",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => "image/webp",
        _ => null,
    };

    private FakeResponse WriteRecord(HttpRequest request, byte[] body, bool put)
    {
        lock (state)
        {
            var (token, error) = Authenticate(request, refresh: false);
            if (token is null)
            {
                return error!;
            }
            var input = ParseObject(body);
            var did = ResolveRepo(input["repo"]?.GetValue<string>());
            if (did != token.Did)
            {
                return Error(400, "InvalidRequest", "Invalid repo: must be the authenticated account");
            }
            var collection = input["collection"]?.GetValue<string>() ?? throw new InvalidOperationException("Input must have the property \"collection\"");
            if (input["record"] is not JsonObject record)
            {
                return Error(400, "InvalidRequest", "Input must have the property \"record\"");
            }
            var rkey = input["rkey"]?.GetValue<string>();
            if (rkey is null)
            {
                if (put)
                {
                    return Error(400, "InvalidRequest", "Input must have the property \"rkey\"");
                }
                rkey = NextTid();
            }
            if (!RkeyPattern().IsMatch(rkey) || rkey is "." or "..")
            {
                return Error(400, "InvalidRequest", $"Invalid record key (got \"{rkey}\") at $.rkey");
            }
            if (collection == PostCollection && !TidPattern().IsMatch(rkey))
            {
                return Error(400, "InvalidRequest", $"Invalid record key for {PostCollection}: Invalid TID string: {rkey}");
            }
            var type = record["$type"]?.GetValue<string>();
            if (type is null)
            {
                record["$type"] = collection;
            }
            else if (type != collection)
            {
                return Error(400, "InvalidRequest", $"Invalid $type: expected {collection}, got {type}");
            }
            var validate = input["validate"]?.GetValue<bool>() ?? true;
            if (validate && collection == PostCollection
                && PostValidator.Validate(record, cid => blobs.TryGetValue($"{did} {cid}", out var blob) ? (blob.MimeType, blob.Data.LongLength) : null) is { } invalid)
            {
                return Error(invalid.Status, invalid.Error, invalid.Message);
            }
            var cid = FakeCid.ForRecord(record);
            var existing = Find(did, collection, rkey);
            if (!put)
            {
                if (existing is not null)
                {
                    // The reference PDS's MST throws a plain error on a duplicate key, which surfaces as a 500.
                    return Error(500, "InternalServerError", "Internal Server Error");
                }
                return Committed(did, collection, rkey, record, cid, replacing: null);
            }
            var hasSwap = input.ContainsKey("swapRecord");
            var swapRecord = input["swapRecord"]?.GetValue<string>();
            // Identical content is a no-op without a commit, also under "swapRecord": null (verified on the reference PDS).
            var identical = existing is not null && existing.Cid == cid && (swapRecord is null || swapRecord == cid);
            if (hasSwap && swapRecord != existing?.Cid && !identical)
            {
                return Error(400, "InvalidSwap", $"Record was at {existing?.Cid ?? "null"}");
            }
            if (identical)
            {
                return new FakeResponse(200, Json(new JsonObject
                {
                    ["uri"] = existing!.Uri,
                    ["cid"] = existing.Cid,
                    ["validationStatus"] = "valid",
                }));
            }
            return Committed(did, collection, rkey, record, cid, replacing: existing);
        }
    }

    private FakeResponse Committed(string did, string collection, string rkey, JsonObject record, string cid, StoredRecord? replacing)
    {
        var sequence = Interlocked.Increment(ref commitSequence);
        var stored = new StoredRecord(did, collection, rkey, cid, record.ToJsonString(), sequence, time.GetUtcNow());
        stored = stored with { InvalidReplyRoot = collection == PostCollection && IsInvalidReply(stored) };
        var repo = repos[did];
        if (replacing is not null)
        {
            repo.Remove(replacing);
            DeleteDereferencedBlobs(did, replacing, keep: stored);
        }
        repo.Add(stored);
        return new FakeResponse(200, Json(new JsonObject
        {
            ["uri"] = stored.Uri,
            ["cid"] = cid,
            ["commit"] = CommitBody(did, sequence),
            ["validationStatus"] = "valid",
        }));
    }

    private JsonObject CommitBody(string did, long sequence) => new()
    {
        ["cid"] = FakeCid.ForRecord(new JsonObject { ["did"] = did, ["seq"] = sequence }),
        ["rev"] = NextTid(),
    };

    private FakeResponse DeleteRecord(HttpRequest request, byte[] body)
    {
        lock (state)
        {
            var (token, error) = Authenticate(request, refresh: false);
            if (token is null)
            {
                return error!;
            }
            var input = ParseObject(body);
            var did = ResolveRepo(input["repo"]?.GetValue<string>());
            if (did != token.Did)
            {
                return Error(400, "InvalidRequest", "Invalid repo: must be the authenticated account");
            }
            var collection = input["collection"]?.GetValue<string>() ?? "";
            var rkey = input["rkey"]?.GetValue<string>() ?? "";
            var existing = Find(did, collection, rkey);
            if (input.ContainsKey("swapRecord") && input["swapRecord"]?.GetValue<string>() != existing?.Cid)
            {
                return Error(400, "InvalidSwap", $"Record was at {existing?.Cid ?? "null"}");
            }
            if (existing is null)
            {
                return new FakeResponse(200, "{}");
            }
            repos[did].Remove(existing);
            DeleteDereferencedBlobs(did, existing, keep: null);
            var sequence = Interlocked.Increment(ref commitSequence);
            return new FakeResponse(200, Json(new JsonObject { ["commit"] = CommitBody(did, sequence) }));
        }
    }

    private FakeResponse GetRecordResponse(HttpRequest request)
    {
        lock (state)
        {
            var did = ResolveRepo(request.Query["repo"].ToString());
            var collection = request.Query["collection"].ToString();
            var rkey = request.Query["rkey"].ToString();
            var record = did is null ? null : Find(did, collection, rkey);
            var wantedCid = request.Query["cid"].ToString();
            if (record is null || (wantedCid.Length > 0 && wantedCid != record.Cid))
            {
                return Error(400, "RecordNotFound", $"Could not locate record: at://{did ?? request.Query["repo"].ToString()}/{collection}/{rkey}");
            }
            return new FakeResponse(200, Json(RecordView(record)));
        }
    }

    private FakeResponse ListRecords(HttpRequest request)
    {
        lock (state)
        {
            var did = ResolveRepo(request.Query["repo"].ToString());
            if (did is null)
            {
                return Error(400, "InvalidRequest", $"Could not find repo: {request.Query["repo"]}");
            }
            var collection = request.Query["collection"].ToString();
            var limit = int.TryParse(request.Query["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : 50;
            if (limit is < 1 or > 100)
            {
                return Error(400, "InvalidRequest", "limit must be between 1 and 100");
            }
            var reverse = request.Query["reverse"].ToString() == "true";
            var cursor = request.Query["cursor"].ToString();
            var records = repos[did].Where(r => r.Collection == collection);
            records = reverse
                ? records.OrderBy(r => r.Rkey, StringComparer.Ordinal).Where(r => cursor.Length == 0 || string.CompareOrdinal(r.Rkey, cursor) > 0)
                : records.OrderByDescending(r => r.Rkey, StringComparer.Ordinal).Where(r => cursor.Length == 0 || string.CompareOrdinal(r.Rkey, cursor) < 0);
            var page = records.Take(limit).ToList();
            var result = new JsonObject { ["records"] = new JsonArray([.. page.Select(RecordView)]) };
            if (page.Count > 0)
            {
                result["cursor"] = page[^1].Rkey;
            }
            return new FakeResponse(200, Json(result));
        }
    }

    private static JsonObject RecordView(StoredRecord record) => new()
    {
        ["uri"] = record.Uri,
        ["cid"] = record.Cid,
        ["value"] = JsonNode.Parse(record.Json),
    };

    /// <summary>
    /// The reference PDS deletes a blob together with the last record that references it (deleteDereferencedBlobs on a
    /// delete or update), so a record written after that with the same blob ref fails with BlobNotFound. Callers hold <see cref="state"/>.
    /// </summary>
    private void DeleteDereferencedBlobs(string did, StoredRecord gone, StoredRecord? keep)
    {
        var stillUsed = repos[did].SelectMany(r => r.BlobCids).Concat(keep?.BlobCids ?? []).ToHashSet(StringComparer.Ordinal);
        foreach (var cid in gone.BlobCids.Where(c => !stillUsed.Contains(c)))
        {
            blobs.Remove($"{did} {cid}");
        }
    }

    /// <summary>
    /// The PDS stores a reply whatever its strong refs point at (verified on the reference PDS: a reply to a made-up URI is
    /// accepted), but the AppView, when it indexes the reply, marks it invalid if it does not know the parent, if the
    /// parent is invalid, or if the root does not match the parent's (bsky's validateReply / invalidReplyRoot).
    /// Callers hold <see cref="state"/>.
    /// </summary>
    private bool IsInvalidReply(StoredRecord record)
    {
        if (record.ReplyParentUri is not { } parentUri)
        {
            return false;
        }

        var rootUri = record.ReplyRootUri;
        var parent = repos.Values.SelectMany(r => r).FirstOrDefault(r => r.Uri == parentUri);
        if (parent is null || parent.InvalidReplyRoot)
        {
            return true;
        }

        return parentUri == rootUri ? parent.ReplyParentUri is not null : parent.ReplyRootUri != rootUri;
    }

    private string? ResolveRepo(string? repo) =>
        repo is null ? null
        : Accounts.FirstOrDefault(a => a.Did == repo || a.Handle.Equals(repo, StringComparison.OrdinalIgnoreCase))?.Did;

    private StoredRecord? Find(string did, string collection, string rkey) =>
        repos.TryGetValue(did, out var repo) ? repo.FirstOrDefault(r => r.Collection == collection && r.Rkey == rkey) : null;

    /// <summary>Monotonic TIDs for generated rkeys and commit revs. Callers hold <see cref="state"/>.</summary>
    private string NextTid()
    {
        const string alphabet = "234567abcdefghijklmnopqrstuvwxyz";
        var micros = Math.Max((time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10, lastTidMicroseconds + 1);
        lastTidMicroseconds = micros;
        var value = micros << 10;
        var chars = new char[13];
        for (var i = 12; i >= 0; i--)
        {
            chars[i] = alphabet[(int)(value & 31)];
            value >>= 5;
        }
        return new string(chars);
    }

    // ---- helpers ----

    private FakeResponse RateLimited(int limit, string policy, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var reset = time.GetUtcNow().AddSeconds(seconds).ToUnixTimeSeconds();
        return Error(429, "RateLimitExceeded", "Rate Limit Exceeded") with
        {
            Headers = new Dictionary<string, string>
            {
                ["RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture),
                ["RateLimit-Remaining"] = "0",
                ["RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture),
                ["RateLimit-Policy"] = policy,
                ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture),
            },
        };
    }

    private static JsonObject ParseObject(byte[] body) =>
        JsonNode.Parse(body) as JsonObject ?? throw new JsonException("Request body must be a JSON object.");

    private static string Json(JsonNode node) => node.ToJsonString();

    private static FakeResponse Error(int status, string error, string message) =>
        new(status, Json(new JsonObject { ["error"] = error, ["message"] = message }));

    [GeneratedRegex(@"^[A-Za-z0-9._:~-]{1,512}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RkeyPattern();

    [GeneratedRegex(@"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TidPattern();

    private sealed record FakeResponse(int Status, string Body, string ContentType = "application/json; charset=utf-8")
    {
        public Dictionary<string, string>? Headers { get; init; }
    }

    private sealed class TokenState(string token, string did, bool isRefresh, DateTimeOffset expiresAt)
    {
        public string Token { get; } = token;

        public string Did { get; } = did;

        public bool IsRefresh { get; } = isRefresh;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public bool Revoked { get; set; }

        public bool ForcedExpired { get; set; }

        public string? Successor { get; set; }

        public DateTimeOffset? RotatedAt { get; set; }
    }
}
