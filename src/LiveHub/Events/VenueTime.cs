using System.Globalization;
using LiveHub.ICalendar.TimeZones;

namespace LiveHub.Events;

/// <summary>Converts between stored UTC instants and wall-clock time in an event's IANA zone.</summary>
public static class VenueTime
{
    private static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];

    public static bool TryFindZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id) || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) || !found.HasIanaId)
        {
            return false;
        }

        zone = found;
        return true;
    }

    /// <summary>
    /// Parses an ISO 8601 value. With an offset or Z it is an instant; without one it is wall-clock time
    /// in <paramref name="zone"/>, resolved as RFC 5545 does: a time inside a DST gap uses the offset
    /// before the gap, and an ambiguous time means its first occurrence.
    /// </summary>
    public static bool TryParse(string? value, TimeZoneInfo zone, out DateTime utc)
    {
        utc = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        value = value.Trim();
        if (HasOffset(value))
        {
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) && instant.Year is >= 1900 and <= 2200)
            {
                utc = instant.UtcDateTime;
                return true;
            }

            return false;
        }

        if (!DateTime.TryParseExact(value, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local) || local.Year is < 1900 or > 2200)
        {
            return false;
        }

        utc = ToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
        return true;
    }

    /// <summary>Wall-clock time in the zone to UTC, with the RFC 5545 rules for DST gaps and overlaps (one implementation, in LiveHub.ICalendar).</summary>
    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone) =>
        DateTime.SpecifyKind(new SystemTimeZoneRules(zone).ToUtc(local), DateTimeKind.Utc);

    public static DateTimeOffset ToLocal(DateTime utc, TimeZoneInfo zone)
    {
        var offset = zone.GetUtcOffset(utc);
        return new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Unspecified) + offset, offset);
    }

    /// <summary>The zone's name at that instant, such as "British Summer Time".</summary>
    public static string ZoneName(DateTime utc, TimeZoneInfo zone) =>
        zone.IsDaylightSavingTime(utc) ? zone.DaylightName : zone.StandardName;

    private static bool HasOffset(string value)
    {
        if (value.EndsWith('Z') || value.EndsWith('z'))
        {
            return true;
        }

        var timeStart = value.IndexOfAny(['T', 't', ' ']);
        return timeStart > 0 && value.IndexOfAny(['+', '-'], timeStart) > 0;
    }
}
