using System.Collections.Concurrent;
using LiveHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace LiveHub.Staff;

/// <summary>What every authenticated request is checked against: the account as it is now.</summary>
public sealed record StaffAccountSnapshot(string? SecurityStamp, bool Enabled, IReadOnlyList<string> Roles);

/// <summary>
/// Current state of staff accounts, read from the database and cached per account. An entry is
/// dropped the moment the account changes on this instance (<see cref="StaffUserManager"/>), and on
/// PostgreSQL the moment it changes on any instance (NOTIFY). While the cross-instance listener is not
/// connected, nothing is cached, so a missed notice can never keep a revoked session alive. Entries
/// also expire after <see cref="SignInOptions.AccountCacheLifetime"/>, which bounds how long a change
/// made outside LiveHub (SQL by hand) takes to apply.
/// </summary>
public sealed class StaffAccountCache(IServiceScopeFactory scopes, TimeProvider clock, IOptions<SignInOptions> options)
{
    private readonly ConcurrentDictionary<string, (StaffAccountSnapshot? Snapshot, long LoadedAt)> _entries = new(StringComparer.Ordinal);
    private long _generation;
    private volatile bool _cachingAllowed = true;

    /// <summary>False on PostgreSQL until the change listener is connected, and whenever it loses its connection.</summary>
    public bool CachingAllowed
    {
        get => _cachingAllowed;
        set
        {
            _cachingAllowed = value;
            InvalidateAll();
        }
    }

    public async ValueTask<StaffAccountSnapshot?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var lifetime = options.Value.AccountCacheLifetime;
        if (_cachingAllowed && _entries.TryGetValue(userId, out var entry) && clock.GetElapsedTime(entry.LoadedAt) < lifetime)
        {
            return entry.Snapshot;
        }

        var generation = Interlocked.Read(ref _generation);
        var loadedAt = clock.GetTimestamp();
        var snapshot = await LoadAsync(userId, cancellationToken);
        // A change that arrived while this read was in flight may not be in it: then it is not kept.
        if (_cachingAllowed && Interlocked.Read(ref _generation) == generation)
        {
            if (_entries.Count > 10_000)
            {
                _entries.Clear();
            }

            _entries[userId] = (snapshot, loadedAt);
        }

        return snapshot;
    }

    public void Invalidate(string userId)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(userId, out _);
    }

    public void InvalidateAll()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private async Task<StaffAccountSnapshot?> LoadAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.SecurityStamp, u.DisabledAtUtc }).FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return null;
        }

        var roles = await db.UserRoles.AsNoTracking().Where(r => r.UserId == userId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToListAsync(cancellationToken);
        return new StaffAccountSnapshot(user.SecurityStamp, user.DisabledAtUtc is null, roles);
    }
}

/// <summary>Says that an account changed, on this instance and (on PostgreSQL) on every other.</summary>
public interface IStaffAccountChanges
{
    Task PublishAsync(string userId, CancellationToken cancellationToken);
}

internal sealed class LocalStaffAccountChanges(StaffAccountCache cache) : IStaffAccountChanges
{
    public Task PublishAsync(string userId, CancellationToken cancellationToken)
    {
        cache.Invalidate(userId);
        return Task.CompletedTask;
    }
}

internal sealed class PostgresStaffAccountChanges(StaffAccountCache cache, LiveHubDbContext db) : IStaffAccountChanges
{
    public const string Channel = "livehub_staff";

    public async Task PublishAsync(string userId, CancellationToken cancellationToken)
    {
        cache.Invalidate(userId);
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {userId})", cancellationToken);
    }
}

/// <summary>Listens for account changes made on other instances; caching is off whenever it is not listening.</summary>
internal sealed class PostgresStaffAccountListener(StaffAccountCache cache, IOptions<DatabaseOptions> options, DatabaseOutage outage, ILogger<PostgresStaffAccountListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Provider != DatabaseProvider.Postgres)
        {
            return;
        }

        var builder = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString) { KeepAlive = 15, Pooling = false };
        var warned = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => cache.Invalidate(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresStaffAccountChanges.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                if (warned)
                {
                    logger.LogInformation("Staff account change listener reconnected; account checks are cached again.");
                    warned = false;
                }

                outage.Answered();

                cache.CachingAllowed = true;
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                cache.CachingAllowed = false;
                if (DatabaseOutage.IsOutage(ex))
                {
                    // Logged once per outage, with the other database users; until it is back nothing is cached.
                    outage.Failed("staff account listener", ex);
                }
                else if (!warned)
                {
                    logger.LogWarning("Staff account change listener failed ({Reason}); every request is checked against the database until it is back.", ex.Message);
                    warned = true;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        cache.CachingAllowed = false;
    }
}
