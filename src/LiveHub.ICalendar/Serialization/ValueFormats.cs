using System.Globalization;
using System.Text;
using LiveHub.ICalendar.TimeZones;

namespace LiveHub.ICalendar.Serialization;

/// <summary>Culture-invariant formatting and parsing of iCalendar value types.</summary>
internal static class ValueFormats
{
    public static string FormatValue(CalDateTime value) =>
        !value.HasTime ? FormatDate(value.Date)
        : value.IsUtc ? FormatUtc(value.Value)
        : FormatLocal(value.Value);

    public static string FormatDate(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string FormatLocal(DateTime wallClock) =>
        wallClock.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);

    /// <summary>UTC form; a Local DateTime is converted, an Unspecified one is taken to be UTC already.</summary>
    public static string FormatUtc(DateTime instant) =>
        (instant.Kind == DateTimeKind.Local ? instant.ToUniversalTime() : instant)
            .ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string FormatOffset(TimeSpan offset)
    {
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        var text = $"{sign}{abs.Hours + (abs.Days * 24):00}{abs.Minutes:00}";
        return abs.Seconds != 0 ? text + abs.Seconds.ToString("00", CultureInfo.InvariantCulture) : text;
    }

    public static bool TryParseOffset(string text, out TimeSpan offset)
    {
        offset = default;
        var span = text.AsSpan().Trim();
        if (span.Length is not (5 or 7) || span[0] is not ('+' or '-') || !AllDigits(span[1..]))
        {
            return false;
        }

        var hours = Digits(span, 1, 2);
        var minutes = Digits(span, 3, 2);
        var seconds = span.Length == 7 ? Digits(span, 5, 2) : 0;
        if (hours > 23 || minutes > 59 || seconds > 59)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, seconds);
        if (span[0] == '-')
        {
            offset = -offset;
        }

        return true;
    }

    /// <summary>DURATION with days for whole days (P2D), otherwise P[nD]T[nH][nM][nS]; zero is PT0S.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "PT0S";
        }

        var text = new StringBuilder();
        if (duration < TimeSpan.Zero)
        {
            text.Append('-');
            duration = duration.Duration();
        }

        text.Append('P');
        if (duration.Days > 0)
        {
            text.Append(duration.Days.ToString(CultureInfo.InvariantCulture)).Append('D');
        }

        if (duration.Hours > 0 || duration.Minutes > 0 || duration.Seconds > 0)
        {
            text.Append('T');
            if (duration.Hours > 0)
            {
                text.Append(duration.Hours.ToString(CultureInfo.InvariantCulture)).Append('H');
            }

            if (duration.Minutes > 0)
            {
                text.Append(duration.Minutes.ToString(CultureInfo.InvariantCulture)).Append('M');
            }

            if (duration.Seconds > 0)
            {
                text.Append(duration.Seconds.ToString(CultureInfo.InvariantCulture)).Append('S');
            }
        }

        return text.ToString();
    }

    /// <summary>Parses [+-]P…: weeks (P2W), days, and a time part (T1H30M); a week is 7 days.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var span = text.AsSpan().Trim();
        var negative = false;
        if (span.Length > 0 && span[0] is '+' or '-')
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        if (span.Length < 3 || span[0] is not ('P' or 'p'))
        {
            return false;
        }

        long seconds = 0;
        var inTime = false;
        var sawComponent = false;
        long number = -1;
        foreach (var raw in span[1..])
        {
            var c = char.ToUpperInvariant(raw);
            if (c is >= '0' and <= '9')
            {
                number = (Math.Max(number, 0) * 10) + (c - '0');
                if (number > 100_000_000)
                {
                    return false;
                }

                continue;
            }

            if (c == 'T' && !inTime && number < 0)
            {
                inTime = true;
                continue;
            }

            if (number < 0)
            {
                return false;
            }

            long unit = (c, inTime) switch
            {
                ('W', false) => 7 * 86_400,
                ('D', false) => 86_400,
                ('H', true) => 3_600,
                ('M', true) => 60,
                ('S', true) => 1,
                _ => -1,
            };
            if (unit < 0)
            {
                return false;
            }

            seconds += number * unit;
            number = -1;
            sawComponent = true;
        }

        if (!sawComponent || number >= 0 || seconds > (long)TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(negative ? -seconds : seconds);
        return true;
    }

    public static bool TryParseDateOrDateTime(string text, string? tzId, out CalDateTime value, out string? error) =>
        TryParseDateOrDateTime(text, tzId, out value, out _, out error);

    /// <summary>
    /// DATE (8 chars), local DATE-TIME (15) or UTC DATE-TIME (16, trailing Z), decided by length so a DATE parses
    /// even without VALUE=DATE. A non-standard ±hhmm[ss] suffix is converted to UTC and reported.
    /// </summary>
    public static bool TryParseDateOrDateTime(string text, string? tzId, out CalDateTime value, out bool hadOffsetSuffix, out string? error)
    {
        value = default;
        hadOffsetSuffix = false;
        error = null;
        var span = text.AsSpan().Trim();
        if (span.Length < 8 || !AllDigits(span[..8]))
        {
            error = $"'{Shorten(text)}' is not a DATE or DATE-TIME";
            return false;
        }

        int year = Digits(span, 0, 4), month = Digits(span, 4, 2), day = Digits(span, 6, 2);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            error = $"'{Shorten(text)}' is not a valid date";
            return false;
        }

        if (span.Length == 8)
        {
            value = new CalDateTime(new DateOnly(year, month, day));
            return true;
        }

        if (span.Length < 15 || span[8] is not ('T' or 't') || !AllDigits(span.Slice(9, 6)))
        {
            error = $"'{Shorten(text)}' is not a DATE-TIME (yyyyMMddTHHmmss)";
            return false;
        }

        int hour = Digits(span, 9, 2), minute = Digits(span, 11, 2), second = Digits(span, 13, 2);
        if (hour > 24 || minute > 59 || second > 60 || (hour == 24 && (minute != 0 || second != 0)))
        {
            error = $"'{Shorten(text)}' has an invalid time of day";
            return false;
        }

        // 24:00:00 is the next day's midnight (Cairo-style transitions); a leap second is clamped.
        var wall = new DateTime(year, month, day, hour % 24, minute, Math.Min(second, 59), DateTimeKind.Unspecified);
        if (hour == 24)
        {
            if (wall.Date == DateTime.MaxValue.Date)
            {
                error = $"'{Shorten(text)}' is out of range";
                return false;
            }

            wall = wall.AddDays(1);
        }

        var rest = span[15..];
        if (rest.Length == 0)
        {
            value = tzId is null ? CalDateTime.Floating(wall) : CalDateTime.Zoned(wall, tzId);
            return true;
        }

        if (rest is "Z" or "z")
        {
            value = CalDateTime.FromUtc(DateTime.SpecifyKind(wall, DateTimeKind.Utc));
            return true;
        }

        if (TryParseOffset(rest.ToString(), out var offset))
        {
            hadOffsetSuffix = true;
            value = CalDateTime.FromUtc(DateTime.SpecifyKind(DateMath.AddClamped(wall, -offset), DateTimeKind.Utc));
            return true;
        }

        error = $"'{Shorten(text)}' has unexpected characters after the time";
        return false;
    }

    public static string FormatGeo(double latitude, double longitude) =>
        $"{FormatFloat(latitude)};{FormatFloat(longitude)}";

    private static string FormatFloat(double value)
    {
        var text = Math.Round(value, 6, MidpointRounding.AwayFromZero).ToString("0.######", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    public static bool TryParseFloat(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)
        && double.IsFinite(value);

    public static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");

    private static bool AllDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    private static int Digits(ReadOnlySpan<char> span, int start, int length) =>
        int.Parse(span.Slice(start, length), NumberStyles.None, CultureInfo.InvariantCulture);
}
