using LiveHub.ICalendar.Recurrence;
using LiveHub.ICalendar.Serialization;
using LiveHub.ICalendar.TimeZones;

namespace LiveHub.ICalendar;

/// <summary>A VCALENDAR object (Ical.Net's <c>Calendar</c>).</summary>
public sealed class Calendar
{
    public const string DefaultProductId = "-//LiveHub//LiveHub.ICalendar//EN";

    public string Version { get; set; } = "2.0";

    public string ProductId { get; set; } = DefaultProductId;

    /// <summary>CALSCALE; written when set (GREGORIAN is the default meaning).</summary>
    public string? Scale { get; set; } = "GREGORIAN";

    /// <summary>METHOD, e.g. PUBLISH; null omits it.</summary>
    public string? Method { get; set; }

    /// <summary>Written as NAME and X-WR-CALNAME; read from either (NAME wins).</summary>
    public string? Name { get; set; }

    /// <summary>Written as DESCRIPTION and X-WR-CALDESC; read from either.</summary>
    public string? Description { get; set; }

    /// <summary>The LANGUAGE parameter of NAME and DESCRIPTION (RFC 7986), a language tag such as "cy"; none if null.</summary>
    public string? Language { get; set; }

    /// <summary>X-WR-TIMEZONE: Google's default zone for floating times.</summary>
    public string? TimeZoneId { get; set; }

    /// <summary>REFRESH-INTERVAL;VALUE=DURATION (RFC 7986).</summary>
    public TimeSpan? RefreshInterval { get; set; }

    /// <summary>X-PUBLISHED-TTL (Outlook's twin of REFRESH-INTERVAL).</summary>
    public TimeSpan? PublishedTtl { get; set; }

    /// <summary>SOURCE;VALUE=URI.</summary>
    public Uri? Source { get; set; }

    public Uri? Url { get; set; }

    /// <summary>COLOR: a CSS3 colour name such as "teal".</summary>
    public string? Color { get; set; }

    /// <summary>LAST-MODIFIED (UTC).</summary>
    public DateTime? LastModified { get; set; }

    public List<CalendarEvent> Events { get; } = [];

    public List<VTimeZone> TimeZones { get; } = [];

    /// <summary>Unknown and X- calendar properties, written in order after the known ones.</summary>
    public List<CalendarProperty> Properties { get; } = [];

    /// <summary>Components other than VEVENT and VTIMEZONE (VTODO, VJOURNAL, X-…), kept for round-tripping.</summary>
    public List<CalendarComponent> Components { get; } = [];

    /// <summary>Parses the first VCALENDAR leniently; throws <see cref="CalendarParseException"/> when there is none.</summary>
    public static Calendar Load(string text) => First(new CalendarReader().Read(text));

    public static Calendar Load(byte[] bytes) => First(new CalendarReader().Read(bytes));

    public static Calendar Load(Stream stream) => First(new CalendarReader().Read(stream));

    private static Calendar First(CalendarReadResult result) =>
        result.Calendars.Count > 0 ? result.Calendars[0] : throw new CalendarParseException(0, "no VCALENDAR in the input");

    /// <summary>TZID resolution for this calendar: its VTIMEZONEs first, then system zones.</summary>
    public TimeZoneResolver CreateTimeZoneResolver() => new(TimeZones);

    /// <summary>Adds a generated VTIMEZONE (unless one with the same TZID exists) and returns the TZID (IANA id).</summary>
    public string AddTimeZone(TimeZoneInfo zone, int fromYear, int toYear)
    {
        var generated = VTimeZone.FromTimeZoneInfo(zone, fromYear, toYear);
        if (!TimeZones.Any(z => string.Equals(z.TzId, generated.TzId, StringComparison.OrdinalIgnoreCase)))
        {
            TimeZones.Add(generated);
        }

        return generated.TzId;
    }

    /// <summary>
    /// Generates a VTIMEZONE for every TZID used by an event that has none yet, covering the year before the
    /// earliest use through the last year any series needs (open-ended series: <paramref name="openEndedYears"/>
    /// after their start). TZIDs unknown to the system are left alone.
    /// </summary>
    public void AddMissingTimeZones(int openEndedYears = 10)
    {
        var ranges = new Dictionary<string, (int From, int To)>(StringComparer.OrdinalIgnoreCase);
        foreach (var calendarEvent in Events)
        {
            foreach (var (value, lastYear) in ZonedValues(calendarEvent, openEndedYears))
            {
                var tzId = value.TzId!;
                var from = value.Value.Year - 1;
                var to = Math.Max(lastYear, value.Value.Year + 1);
                ranges[tzId] = ranges.TryGetValue(tzId, out var range)
                    ? (Math.Min(range.From, from), Math.Max(range.To, to))
                    : (from, to);
            }
        }

        foreach (var (tzId, (from, to)) in ranges.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (TimeZones.Any(z => string.Equals(z.TzId, tzId, StringComparison.OrdinalIgnoreCase))
                || !TimeZoneResolver.TryFindSystemTimeZone(tzId, out var zone))
            {
                continue;
            }

            var generated = VTimeZone.FromTimeZoneInfo(zone, Math.Max(2, from), Math.Min(9990, to));
            generated.TzId = tzId;
            generated.Location = tzId;
            TimeZones.Add(generated);
        }
    }

    private static IEnumerable<(CalDateTime Value, int LastYear)> ZonedValues(CalendarEvent calendarEvent, int openEndedYears)
    {
        var values = new List<CalDateTime?> { calendarEvent.Start, calendarEvent.End, calendarEvent.RecurrenceId };
        values.AddRange(calendarEvent.ExceptionDates.Select(d => (CalDateTime?)d));
        values.AddRange(calendarEvent.RecurrenceDates.Select(d => (CalDateTime?)d));
        var lastYear = calendarEvent.Start?.Value.Year ?? 1;
        foreach (var rule in calendarEvent.RecurrenceRules)
        {
            lastYear = Math.Max(lastYear, LastYearOf(calendarEvent.Start, rule, openEndedYears));
        }

        foreach (var value in values)
        {
            if (value is { TzId: not null } zoned)
            {
                yield return (zoned, lastYear);
            }
        }
    }

    private static int LastYearOf(CalDateTime? start, RecurrencePattern rule, int openEndedYears)
    {
        if (start is not { } first)
        {
            return 1;
        }

        if (rule.Until is { } until)
        {
            return until.Value.Year;
        }

        if (rule.Count is not null)
        {
            try
            {
                return RecurrenceEngine.Enumerate(first.Value, first.HasTime, rule, wallToUtc: null, maxEmptyPeriods: 10_000, maxPeriods: 1_000_000)
                    .Last().Year;
            }
            catch (EvaluationLimitExceededException)
            {
                // Fall through to the open-ended horizon.
            }
        }

        return first.Value.Year + openEndedYears;
    }

    /// <summary>
    /// Occurrences of every event overlapping [windowStartUtc, windowEndUtc), series expanded, EXDATEs removed and
    /// RECURRENCE-ID overrides (same UID) applied, ordered by start.
    /// </summary>
    public List<Occurrence> GetOccurrences(DateTime windowStartUtc, DateTime windowEndUtc, EvaluationOptions? options = null)
    {
        var zones = CreateTimeZoneResolver();
        var result = new List<Occurrence>();
        var overridesByUid = Events
            .Where(e => e.RecurrenceId is not null)
            .GroupBy(e => e.Uid ?? string.Empty, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var masterUids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var master in Events.Where(e => e.RecurrenceId is null))
        {
            masterUids.Add(master.Uid ?? string.Empty);
            overridesByUid.TryGetValue(master.Uid ?? string.Empty, out var overrides);
            result.AddRange(master.GetOccurrences(windowStartUtc, windowEndUtc, zones, options, overrides));
        }

        // Overrides whose master is missing still describe real instances.
        foreach (var (uid, orphans) in overridesByUid)
        {
            if (!masterUids.Contains(uid))
            {
                foreach (var orphan in orphans)
                {
                    result.AddRange(orphan.GetOccurrences(windowStartUtc, windowEndUtc, zones, options));
                }
            }
        }

        result.Sort(Occurrence.Compare);
        return result;
    }
}
