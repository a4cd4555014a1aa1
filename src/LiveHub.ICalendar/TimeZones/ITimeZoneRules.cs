namespace LiveHub.ICalendar.TimeZones;

/// <summary>Anything that can tell the UTC offset in force at a UTC instant: a system zone or a parsed VTIMEZONE.</summary>
public interface ITimeZoneRules
{
    string Id { get; }

    TimeSpan GetUtcOffset(DateTime utc);
}

public static class TimeZoneRulesExtensions
{
    /// <summary>
    /// Local wall time to UTC per RFC 5545 §3.3.5: in a DST gap the offset in force before the gap applies;
    /// in an overlap the first occurrence (the larger offset) wins.
    /// </summary>
    public static DateTime ToUtc(this ITimeZoneRules rules, DateTime wallClock)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var local = DateTime.SpecifyKind(wallClock, DateTimeKind.Utc);
        TimeSpan? best = null;
        foreach (var probe in (ReadOnlySpan<TimeSpan>)[TimeSpan.FromDays(-1), TimeSpan.Zero, TimeSpan.FromDays(1)])
        {
            var candidate = rules.GetUtcOffset(DateMath.AddClamped(local, probe));
            if (rules.GetUtcOffset(DateMath.AddClamped(local, -candidate)) == candidate && (best is null || candidate > best))
            {
                best = candidate;
            }
        }

        // No offset maps back onto this wall time: it lies in a gap, so use the offset in force a day earlier.
        var offset = best ?? rules.GetUtcOffset(DateMath.AddClamped(local, TimeSpan.FromDays(-1)));
        return DateMath.AddClamped(local, -offset);
    }

    public static DateTime ToLocal(this ITimeZoneRules rules, DateTime utc)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var instant = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        return DateTime.SpecifyKind(DateMath.AddClamped(instant, rules.GetUtcOffset(instant)), DateTimeKind.Unspecified);
    }
}

/// <summary>Adapter for .NET's <see cref="TimeZoneInfo"/>.</summary>
public sealed class SystemTimeZoneRules(TimeZoneInfo zone) : ITimeZoneRules
{
    public static SystemTimeZoneRules Utc { get; } = new(TimeZoneInfo.Utc);

    public TimeZoneInfo Zone { get; } = zone ?? throw new ArgumentNullException(nameof(zone));

    public string Id => Zone.Id;

    public TimeSpan GetUtcOffset(DateTime utc) => Zone.GetUtcOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}

internal static class DateMath
{
    public static DateTime AddClamped(DateTime value, TimeSpan delta)
    {
        var ticks = value.Ticks + delta.Ticks;
        if (delta.Ticks > 0 && ticks < value.Ticks)
        {
            ticks = DateTime.MaxValue.Ticks;
        }

        return new DateTime(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), value.Kind);
    }
}
