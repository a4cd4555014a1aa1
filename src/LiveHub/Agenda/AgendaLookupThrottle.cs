using System.Collections.Concurrent;
using LiveHub.Live;
using Microsoft.Extensions.Options;

namespace LiveHub.Agenda;

/// <summary>
/// Counts agenda lookups whose token matched nothing, per client address (IPv6 per /64) and minute. An address
/// over the limit is refused every lookup until its minute is over, so tokens cannot be tried in bulk, while
/// calendar services that fetch many real agendas from one address are never slowed down by their successes.
/// </summary>
public sealed class AgendaLookupThrottle(IOptions<AgendaOptions> options, TimeProvider clock)
{
    private const int MaxTrackedAddresses = 100_000;
    private readonly ConcurrentDictionary<string, Window> _failures = new(StringComparer.Ordinal);

    private sealed record Window(DateTime StartedAtUtc, int Count);

    public bool IsBlocked(HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return _failures.TryGetValue(Key(http), out var window)
            && now - window.StartedAtUtc < TimeSpan.FromMinutes(1)
            && window.Count >= options.Value.FailedLookupsPerMinute;
    }

    public void RecordFailure(HttpContext http)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_failures.Count >= MaxTrackedAddresses)
        {
            foreach (var (key, window) in _failures)
            {
                if (now - window.StartedAtUtc >= TimeSpan.FromMinutes(1))
                {
                    _failures.TryRemove(key, out _);
                }
            }
        }

        _failures.AddOrUpdate(Key(http), _ => new Window(now, 1),
            (_, window) => now - window.StartedAtUtc >= TimeSpan.FromMinutes(1) ? new Window(now, 1) : window with { Count = window.Count + 1 });
    }

    /// <summary>Seconds until the address's minute is over, for Retry-After.</summary>
    public int RetryAfterSeconds(HttpContext http) =>
        _failures.TryGetValue(Key(http), out var window)
            ? Math.Max(1, (int)Math.Ceiling((window.StartedAtUtc + TimeSpan.FromMinutes(1) - clock.GetUtcNow().UtcDateTime).TotalSeconds))
            : 1;

    private static string Key(HttpContext http) => LiveConnectionLimits.AddressKey(http.Connection.RemoteIpAddress);
}
