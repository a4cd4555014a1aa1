using System.Text.Json;
using LiveHub.Bluesky;
using LiveHub.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.CrossPosting;

/// <summary>
/// The hub's Bluesky account: one <see cref="BlueskyClient"/> per connection, rebuilt when an admin connects
/// another account (any instance notices through <see cref="CrossPostAccount.ConnectionStamp"/>). The app
/// password and the session are stored as Data Protection ciphertext; the key ring is shared by all instances.
/// </summary>
public sealed class BlueskyAccount(
    IServiceScopeFactory scopes,
    IDataProtectionProvider dataProtection,
    IHttpClientFactory httpClients,
    IOptions<CrossPostingOptions> options,
    TimeProvider clock) : IDisposable
{
    public const string HttpClientName = "bluesky";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("LiveHub.CrossPosting.Bluesky.v1");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Connection? _current;

    /// <summary>The client for the connected account, or null when none is connected.</summary>
    public async Task<Connection?> GetAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        var account = await db.Set<CrossPostAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == CrossPostAccount.SingletonId, cancellationToken);
        if (account?.Handle is null || account.ProtectedAppPassword is null)
        {
            return null;
        }

        if (Volatile.Read(ref _current) is { } current && current.Stamp == account.ConnectionStamp)
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } raced && raced.Stamp == account.ConnectionStamp)
            {
                return raced;
            }

            // The old client may still be in use by a worker finishing its write; it is left to the GC.
            var client = new BlueskyClient(
                ClientOptions(account.Handle, _protector.Unprotect(account.ProtectedAppPassword)),
                httpClients.CreateClient(HttpClientName),
                new DatabaseSessionStore(scopes, _protector, account.ConnectionStamp),
                clock);
            var connection = new Connection(account.ConnectionStamp, client, new CachingHandleResolver(client.Identity, clock));
            Volatile.Write(ref _current, connection);
            return connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>createSession with the given credentials against the configured service; throws <see cref="XrpcException"/> if refused.</summary>
    public async Task<BlueskySession> TestLoginAsync(string handle, string appPassword, CancellationToken cancellationToken)
    {
        using var client = new BlueskyClient(ClientOptions(handle, appPassword), httpClients.CreateClient(HttpClientName), new InMemorySessionStore(), clock);
        return await client.LoginAsync(handle, appPassword, cancellationToken);
    }

    public string Protect(string secret) => _protector.Protect(secret);

    public string ProtectSession(BlueskySession session) => _protector.Protect(JsonSerializer.Serialize(session));

    public void Dispose() => _gate.Dispose();

    private BlueskyClientOptions ClientOptions(string handle, string appPassword) => new()
    {
        ServiceUrl = options.Value.ServiceUrl,
        PlcDirectoryUrl = options.Value.PlcDirectoryUrl,
        Identifier = handle,
        AppPassword = appPassword,
        UserAgent = "LiveHub/1.0 (+cross-posting)",
    };

    public sealed record Connection(Guid Stamp, BlueskyClient Client, IHandleResolver Handles);
}

/// <summary>
/// Keeps the Bluesky session in the account row (encrypted), so restarts and other instances reuse it instead
/// of logging in again. Writes only while the account is still the one this store was made for.
/// </summary>
internal sealed class DatabaseSessionStore(IServiceScopeFactory scopes, IDataProtector protector, Guid stamp) : ISessionStore
{
    public async Task<BlueskySession?> LoadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        var stored = await db.Set<CrossPostAccount>().AsNoTracking()
            .Where(a => a.Id == CrossPostAccount.SingletonId && a.ConnectionStamp == stamp)
            .Select(a => a.ProtectedSession).FirstOrDefaultAsync(cancellationToken);
        if (stored is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<BlueskySession>(protector.Unprotect(stored));
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException)
        {
            // Unreadable (key ring lost): log in again with the app password.
            return null;
        }
    }

    public Task SaveAsync(BlueskySession session, CancellationToken cancellationToken) =>
        WriteAsync(protector.Protect(JsonSerializer.Serialize(session)), cancellationToken);

    public Task ClearAsync(CancellationToken cancellationToken) => WriteAsync(null, cancellationToken);

    private async Task WriteAsync(string? value, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        await db.Set<CrossPostAccount>()
            .Where(a => a.Id == CrossPostAccount.SingletonId && a.ConnectionStamp == stamp)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ProtectedSession, value), cancellationToken);
    }
}
