using System.Globalization;
using LiveHub.ICalendar.TimeZones;

namespace LiveHub.ICalendar;

public enum CalDateTimeKind
{
    /// <summary>VALUE=DATE: a calendar day with no time (all-day).</summary>
    Date,

    /// <summary>A DATE-TIME ending in Z.</summary>
    Utc,

    /// <summary>A local DATE-TIME with a TZID parameter.</summary>
    Zoned,

    /// <summary>A local DATE-TIME without TZID: the same wall time in every zone.</summary>
    Floating,
}

/// <summary>
/// An iCalendar DATE or DATE-TIME value (Ical.Net's <c>CalDateTime</c>). <see cref="Value"/> is always the wall-clock
/// value as written (whole seconds); <see cref="TzId"/> and <see cref="IsUtc"/> say how to read it.
/// </summary>
public readonly record struct CalDateTime
{
    private CalDateTime(DateTime value, bool hasTime, bool isUtc, string? tzId)
    {
        var wholeSeconds = value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond);
        Value = hasTime
            ? new DateTime(wholeSeconds, isUtc ? DateTimeKind.Utc : DateTimeKind.Unspecified)
            : new DateTime(value.Year, value.Month, value.Day, 0, 0, 0, DateTimeKind.Unspecified);
        HasTime = hasTime;
        IsUtc = hasTime && isUtc;
        TzId = hasTime && !isUtc ? tzId : null;
    }

    /// <summary>
    /// Same rules as Ical.Net: a <see cref="DateTimeKind.Utc"/> value is UTC, a local one is converted to UTC,
    /// an unspecified one is zoned when <paramref name="tzId"/> is given and floating otherwise.
    /// </summary>
    public CalDateTime(DateTime value, string? tzId = null)
        : this(
            value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value,
            hasTime: true,
            isUtc: value.Kind != DateTimeKind.Unspecified,
            tzId: string.IsNullOrEmpty(tzId) ? null : tzId)
    {
    }

    public CalDateTime(DateOnly date)
        : this(date.ToDateTime(TimeOnly.MinValue), hasTime: false, isUtc: false, tzId: null)
    {
    }

    public CalDateTime(int year, int month, int day)
        : this(new DateOnly(year, month, day))
    {
    }

    public CalDateTime(int year, int month, int day, int hour, int minute, int second, string? tzId = null)
        : this(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified), tzId)
    {
    }

    public static CalDateTime FromUtc(DateTime utc) =>
        new(utc.Kind == DateTimeKind.Local ? utc.ToUniversalTime() : utc, hasTime: true, isUtc: true, tzId: null);

    public static CalDateTime FromUtc(DateTimeOffset instant) => FromUtc(instant.UtcDateTime);

    public static CalDateTime Zoned(DateTime wallClock, string tzId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tzId);
        return new(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified), hasTime: true, isUtc: false, tzId);
    }

    public static CalDateTime Floating(DateTime wallClock) =>
        new(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified), hasTime: true, isUtc: false, tzId: null);

    public static CalDateTime FromDate(DateOnly date) => new(date);

    /// <summary>The wall-clock value (or midnight of the date); Kind is Utc only for UTC values.</summary>
    public DateTime Value { get; }

    public bool HasTime { get; }

    public bool IsUtc { get; }

    public string? TzId { get; }

    public bool IsFloating => HasTime && !IsUtc && TzId is null;

    public CalDateTimeKind Kind => !HasTime ? CalDateTimeKind.Date
        : IsUtc ? CalDateTimeKind.Utc
        : TzId is null ? CalDateTimeKind.Floating
        : CalDateTimeKind.Zoned;

    public DateOnly Date => DateOnly.FromDateTime(Value);

    public TimeOnly? Time => HasTime ? TimeOnly.FromDateTime(Value) : null;

    /// <summary>The UTC instant using system time zones; floating and date values are read as UTC.</summary>
    public DateTime AsUtc => ToUtc();

    /// <summary>
    /// Converts to a UTC instant with RFC 5545 semantics: a non-existent local time uses the offset before the gap,
    /// an ambiguous one the first occurrence. Zoned values resolve through <paramref name="zones"/> (system zones by
    /// default); floating, date and unresolvable values are read in <paramref name="floatingZone"/> (UTC by default).
    /// </summary>
    public DateTime ToUtc(TimeZoneResolver? zones = null, ITimeZoneRules? floatingZone = null)
    {
        if (IsUtc)
        {
            return Value;
        }

        ITimeZoneRules? rules = null;
        if (TzId is not null)
        {
            (zones ?? TimeZoneResolver.System).TryResolve(TzId, out rules);
        }

        rules ??= floatingZone;
        return rules is null ? DateTime.SpecifyKind(Value, DateTimeKind.Utc) : rules.ToUtc(Value);
    }

    /// <summary>A value of the same kind and zone with another wall-clock value (used by recurrence expansion).</summary>
    public CalDateTime WithValue(DateTime wallClock) =>
        new(DateTime.SpecifyKind(wallClock, IsUtc ? DateTimeKind.Utc : DateTimeKind.Unspecified), HasTime, IsUtc, TzId);

    public override string ToString()
    {
        if (!HasTime)
        {
            return Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        var text = Value.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return IsUtc ? text + "Z" : TzId is null ? text : $"{text} {TzId}";
    }
}
