using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace LiveHub.ICalendar.TimeZones;

/// <summary>
/// Resolves TZID values: a VTIMEZONE of the calendar first, then the id with quotes and a leading '/' stripped,
/// then the system zones (IANA and Windows ids), then the Windows→IANA mapping. Thread-safe.
/// </summary>
public sealed class TimeZoneResolver
{
    private readonly Dictionary<string, VTimeZoneRules> _embedded = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ITimeZoneRules?> _systemCache = new(StringComparer.Ordinal);

    public TimeZoneResolver(IEnumerable<VTimeZone> embedded)
    {
        ArgumentNullException.ThrowIfNull(embedded);
        foreach (var zone in embedded)
        {
            var rules = new VTimeZoneRules(zone);
            // A VTIMEZONE without observances (only X-LIC-LOCATION) defines nothing; let the system zone answer.
            if (!rules.IsEmpty)
            {
                _embedded.TryAdd(zone.TzId, rules);
            }
        }
    }

    /// <summary>System zones only.</summary>
    public static TimeZoneResolver System { get; } = new([]);

    public bool TryResolve(string tzId, [NotNullWhen(true)] out ITimeZoneRules? rules)
    {
        ArgumentNullException.ThrowIfNull(tzId);
        if (_embedded.TryGetValue(tzId, out var embedded) || _embedded.TryGetValue(Normalize(tzId), out embedded))
        {
            rules = embedded;
            return true;
        }

        rules = _systemCache.GetOrAdd(tzId, static id =>
            TryFindSystemTimeZone(id, out var zone) ? new SystemTimeZoneRules(zone) : null);
        return rules is not null;
    }

    /// <summary>True when the TZID is defined by a VTIMEZONE of the calendar rather than by the system.</summary>
    public bool IsEmbedded(string tzId) => _embedded.ContainsKey(tzId) || _embedded.ContainsKey(Normalize(tzId));

    /// <summary>Strips surrounding quotes and a leading '/' (the "globally unique" TZID prefix some producers use).</summary>
    public static string Normalize(string tzId)
    {
        ArgumentNullException.ThrowIfNull(tzId);
        var id = tzId.Trim().Trim('"').Trim();
        return id.StartsWith('/') ? id.TrimStart('/') : id;
    }

    /// <summary>Finds a system zone by IANA or Windows id (normalised first).</summary>
    public static bool TryFindSystemTimeZone(string tzId, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        ArgumentNullException.ThrowIfNull(tzId);
        var id = Normalize(tzId);
        zone = null;
        if (id.Length == 0 || id.Length > 128 || id.Contains("..", StringComparison.Ordinal) || id.Any(char.IsControl))
        {
            return false;
        }

        if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone))
        {
            return true;
        }

        return TimeZoneInfo.TryConvertWindowsIdToIanaId(id, out var ianaId)
            && TimeZoneInfo.TryFindSystemTimeZoneById(ianaId, out zone);
    }

    /// <summary>The IANA id for a system zone (Windows ids are converted), or the zone's own id.</summary>
    public static string GetIanaId(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (zone.HasIanaId)
        {
            return zone.Id;
        }

        return TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana) ? iana : zone.Id;
    }
}
