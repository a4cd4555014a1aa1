using System.Globalization;
using System.Text;
using LiveHub.ICalendar.Serialization;

namespace LiveHub.ICalendar.Recurrence;

public enum FrequencyType
{
    None,
    Secondly,
    Minutely,
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// <summary>A BYDAY entry: a weekday with an optional ordinal (1TU = first Tuesday, -1SU = last Sunday).</summary>
public readonly record struct WeekDay(DayOfWeek DayOfWeek, int Offset = 0)
{
    private static readonly string[] Codes = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

    internal static string Code(DayOfWeek day) => Codes[(int)day];

    internal static bool TryParseCode(ReadOnlySpan<char> text, out DayOfWeek day)
    {
        for (var i = 0; i < Codes.Length; i++)
        {
            if (text.Equals(Codes[i], StringComparison.OrdinalIgnoreCase))
            {
                day = (DayOfWeek)i;
                return true;
            }
        }

        day = default;
        return false;
    }

    public static bool TryParse(string text, out WeekDay weekDay)
    {
        weekDay = default;
        var span = text.AsSpan().Trim();
        if (span.Length < 2 || !TryParseCode(span[^2..], out var day))
        {
            return false;
        }

        var offset = 0;
        var prefix = span[..^2];
        if (prefix.Length > 0 && (!int.TryParse(prefix, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out offset)
            || offset == 0 || offset is < -53 or > 53))
        {
            return false;
        }

        weekDay = new WeekDay(day, offset);
        return true;
    }

    public override string ToString() =>
        Offset == 0 ? Code(DayOfWeek) : Offset.ToString(CultureInfo.InvariantCulture) + Code(DayOfWeek);
}

/// <summary>An RRULE value (Ical.Net's <c>RecurrencePattern</c>).</summary>
public sealed class RecurrencePattern
{
    public RecurrencePattern()
    {
    }

    public RecurrencePattern(FrequencyType frequency, int interval = 1)
    {
        Frequency = frequency;
        Interval = interval;
    }

    public FrequencyType Frequency { get; set; }

    public int Interval { get; set; } = 1;

    public int? Count { get; set; }

    /// <summary>Inclusive end; UTC when DTSTART is UTC or zoned, a DATE when DTSTART is a DATE.</summary>
    public CalDateTime? Until { get; set; }

    public List<WeekDay> ByDay { get; } = [];

    public List<int> ByMonthDay { get; } = [];

    public List<int> ByMonth { get; } = [];

    public List<int> ByHour { get; } = [];

    public List<int> ByMinute { get; } = [];

    public List<int> BySecond { get; } = [];

    public List<int> BySetPosition { get; } = [];

    public DayOfWeek FirstDayOfWeek { get; set; } = DayOfWeek.Monday;

    /// <summary>Rule parts kept for round-tripping but not used in expansion (BYYEARDAY, BYWEEKNO, X-…).</summary>
    public List<KeyValuePair<string, string>> UnsupportedParts { get; } = [];

    public static RecurrencePattern Parse(string value) =>
        TryParse(value, out var pattern, out var error) ? pattern : throw new FormatException(error);

    /// <summary>Parses an RRULE value; a trailing or doubled ';' is tolerated.</summary>
    public static bool TryParse(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RecurrencePattern? pattern, out string? error)
    {
        pattern = null;
        error = null;
        if (value is null)
        {
            error = "empty RRULE";
            return false;
        }

        var result = new RecurrencePattern { Interval = 1 };
        var seenFrequency = false;
        foreach (var part in value.Split(';'))
        {
            if (part.Trim().Length == 0)
            {
                continue;
            }

            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = $"RRULE part '{part}' is not NAME=VALUE";
                return false;
            }

            var name = part[..eq].Trim().ToUpperInvariant();
            var text = part[(eq + 1)..].Trim();
            switch (name)
            {
                case "FREQ":
                    if (!Enum.TryParse<FrequencyType>(text, ignoreCase: true, out var freq) || freq == FrequencyType.None
                        || !Enum.IsDefined(freq) || int.TryParse(text, CultureInfo.InvariantCulture, out _))
                    {
                        error = $"unknown FREQ '{text}'";
                        return false;
                    }

                    result.Frequency = freq;
                    seenFrequency = true;
                    break;
                case "INTERVAL":
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var interval) || interval < 1)
                    {
                        error = $"INTERVAL '{text}' is not a positive integer";
                        return false;
                    }

                    result.Interval = interval;
                    break;
                case "COUNT":
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
                    {
                        error = $"COUNT '{text}' is not a positive integer";
                        return false;
                    }

                    result.Count = count;
                    break;
                case "UNTIL":
                    if (!ValueFormats.TryParseDateOrDateTime(text, tzId: null, out var until, out var untilError))
                    {
                        error = $"UNTIL: {untilError}";
                        return false;
                    }

                    result.Until = until;
                    break;
                case "BYDAY":
                    foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (!WeekDay.TryParse(item, out var weekDay))
                        {
                            error = $"BYDAY value '{item}' is not a weekday";
                            return false;
                        }

                        result.ByDay.Add(weekDay);
                    }

                    break;
                case "BYMONTHDAY":
                    if (!TryParseList(text, -31, 31, allowZero: false, result.ByMonthDay, out error))
                    {
                        return false;
                    }

                    break;
                case "BYMONTH":
                    if (!TryParseList(text, 1, 12, allowZero: false, result.ByMonth, out error))
                    {
                        return false;
                    }

                    break;
                case "BYHOUR":
                    if (!TryParseList(text, 0, 23, allowZero: true, result.ByHour, out error))
                    {
                        return false;
                    }

                    break;
                case "BYMINUTE":
                    if (!TryParseList(text, 0, 59, allowZero: true, result.ByMinute, out error))
                    {
                        return false;
                    }

                    break;
                case "BYSECOND":
                    if (!TryParseList(text, 0, 60, allowZero: true, result.BySecond, out error))
                    {
                        return false;
                    }

                    break;
                case "BYSETPOS":
                    if (!TryParseList(text, -366, 366, allowZero: false, result.BySetPosition, out error))
                    {
                        return false;
                    }

                    break;
                case "WKST":
                    if (!WeekDay.TryParseCode(text, out var weekStart))
                    {
                        error = $"WKST '{text}' is not a weekday";
                        return false;
                    }

                    result.FirstDayOfWeek = weekStart;
                    break;
                default:
                    result.UnsupportedParts.Add(new(name, text));
                    break;
            }
        }

        if (!seenFrequency)
        {
            error = "RRULE has no FREQ";
            return false;
        }

        if (result.Count is not null && result.Until is not null)
        {
            error = "RRULE has both COUNT and UNTIL";
            return false;
        }

        pattern = result;
        return true;
    }

    private static bool TryParseList(string text, int min, int max, bool allowZero, List<int> target, out string? error)
    {
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                || number < min || number > max || (number == 0 && !allowZero))
            {
                error = $"'{item}' is out of range {min}..{max}";
                return false;
            }

            target.Add(number);
        }

        error = null;
        return true;
    }

    /// <summary>The RRULE value in a stable part order (FREQ, INTERVAL, BY…, WKST, COUNT, UNTIL).</summary>
    public override string ToString()
    {
        var text = new StringBuilder("FREQ=").Append(Frequency.ToString().ToUpperInvariant());
        if (Interval > 1)
        {
            text.Append(";INTERVAL=").Append(Interval.ToString(CultureInfo.InvariantCulture));
        }

        AppendList(text, "BYMONTH", ByMonth);
        AppendList(text, "BYMONTHDAY", ByMonthDay);
        if (ByDay.Count > 0)
        {
            text.Append(";BYDAY=").AppendJoin(',', ByDay);
        }

        AppendList(text, "BYHOUR", ByHour);
        AppendList(text, "BYMINUTE", ByMinute);
        AppendList(text, "BYSECOND", BySecond);
        AppendList(text, "BYSETPOS", BySetPosition);
        foreach (var (name, value) in UnsupportedParts)
        {
            text.Append(';').Append(name).Append('=').Append(value);
        }

        if (FirstDayOfWeek != DayOfWeek.Monday)
        {
            text.Append(";WKST=").Append(WeekDay.Code(FirstDayOfWeek));
        }

        if (Count is { } count)
        {
            text.Append(";COUNT=").Append(count.ToString(CultureInfo.InvariantCulture));
        }

        if (Until is { } until)
        {
            text.Append(";UNTIL=").Append(ValueFormats.FormatValue(until));
        }

        return text.ToString();
    }

    private static void AppendList(StringBuilder text, string name, List<int> values)
    {
        if (values.Count > 0)
        {
            text.Append(';').Append(name).Append('=')
                .AppendJoin(',', values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
