using LiveHub.ICalendar.Recurrence;
using LiveHub.ICalendar.TimeZones;
using ICal = LiveHub.ICalendar;

namespace LiveHub.Events;

/// <summary>One date of a recurring event, with its override (moved, retitled, cancelled) applied.</summary>
public sealed record SeriesDate(DateTime StartsAtUtc, DateTime EndsAtUtc, DateTime OriginalStartUtc, string Title, EventStatus Status, bool IsOverride);

/// <summary>
/// The dates of a recurring event. Pages, the API and validation expand a series with the same iCalendar engine and
/// the same VEVENTs (<see cref="Master"/>, <see cref="Override"/>) that the feeds publish, so the dates a reader sees
/// are the dates a subscribed calendar shows.
/// </summary>
public static class SeriesSchedule
{
    /// <summary>Stands for "no last date" (no COUNT or UNTIL); far enough for every listing, near enough for every database.</summary>
    public static readonly DateTime Forever = new(9999, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // Hostile or pathological rules stop here rather than keep a request busy.
    private static EvaluationOptions Limits(int maxOccurrences) => new() { MaxOccurrences = maxOccurrences, MaxIncrements = 100_000, MaxUnmatchedIncrements = 2_000 };

    /// <summary>
    /// The series' start as DTSTART: venue wall-clock time with TZID, so that dates keep their local time across DST
    /// (UTC only if that wall time cannot stand for the start). EXDATE and RECURRENCE-ID take the same form.
    /// </summary>
    public static ICal.CalDateTime SeriesTime(DateTime utc, TimeZoneInfo zone, bool zoned)
    {
        var local = VenueTime.ToLocal(utc, zone).DateTime;
        return zoned ? ICal.CalDateTime.Zoned(local, zone.Id) : ICal.CalDateTime.FromUtc(utc);
    }

    public static bool StartsZoned(DateTime startsAtUtc, TimeZoneInfo zone)
    {
        var local = VenueTime.ToLocal(startsAtUtc, zone).DateTime;
        return VenueTime.ToUtc(local, zone) == startsAtUtc;
    }

    /// <summary>The master VEVENT's date properties: DTSTART, DTEND, RRULE and EXDATE.</summary>
    public static ICal.CalendarEvent Master(string uid, DateTime startsAtUtc, DateTime endsAtUtc, TimeZoneInfo zone, RecurrencePattern rule, IEnumerable<DateTime> exceptionsUtc)
    {
        var zoned = StartsZoned(startsAtUtc, zone);
        var master = new ICal.CalendarEvent
        {
            Uid = uid,
            Start = SeriesTime(startsAtUtc, zone, zoned),
            End = SeriesTime(endsAtUtc, zone, zoned && StartsZoned(endsAtUtc, zone)),
        };
        master.RecurrenceRules.Add(rule);
        master.ExceptionDates.AddRange(exceptionsUtc.Order().Select(x => SeriesTime(x, zone, zoned)));
        return master;
    }

    /// <summary>An override VEVENT's date properties: RECURRENCE-ID (in DTSTART's form), its own DTSTART and DTEND.</summary>
    public static ICal.CalendarEvent Override(string uid, DateTime seriesStartUtc, SeriesOverride o, TimeZoneInfo zone) => new()
    {
        Uid = uid,
        RecurrenceId = SeriesTime(o.OriginalStartUtc, zone, StartsZoned(seriesStartUtc, zone)),
        Start = SeriesTime(o.StartsAtUtc, zone, StartsZoned(o.StartsAtUtc, zone)),
        End = SeriesTime(o.EndsAtUtc, zone, StartsZoned(o.EndsAtUtc, zone)),
        Status = o.Status == EventStatus.Cancelled ? ICal.EventStatus.Cancelled : ICal.EventStatus.Confirmed,
    };

    /// <summary>The dates of the event's series overlapping [fromUtc, toUtc) (a one-off event: itself), cancelled ones included.</summary>
    public static IReadOnlyList<SeriesDate> Dates(Event e, DateTime fromUtc, DateTime toUtc, int maxOccurrences = 2_000)
    {
        if (e.RecurrenceRule is null || !RecurrencePattern.TryParse(e.RecurrenceRule, out var rule, out _))
        {
            return e.StartsAtUtc < toUtc && e.EndsAtUtc > fromUtc
                ? [new SeriesDate(e.StartsAtUtc, e.EndsAtUtc, e.StartsAtUtc, e.Title, e.Status, false)]
                : [];
        }

        VenueTime.TryFindZone(e.TimeZoneId, out var zone);
        var uid = e.Id.ToString("D");
        var master = Master(uid, e.StartsAtUtc, e.EndsAtUtc, zone, rule, e.SeriesExceptions.Select(x => x.OriginalStartUtc));
        var overrides = e.SeriesOverrides.ToDictionary(o => o.OriginalStartUtc);
        List<Occurrence> occurrences;
        try
        {
            occurrences = master.GetOccurrences(fromUtc, toUtc, TimeZoneResolver.System, Limits(maxOccurrences),
                e.SeriesOverrides.Select(o => Override(uid, e.StartsAtUtc, o, zone)));
        }
        catch (Exception ex) when (ex is ICal.CalendarException or ArgumentOutOfRangeException)
        {
            // Validation keeps such rules out; a series that still hits a limit shows no dates rather than failing the page.
            return [];
        }

        var dates = new List<SeriesDate>(occurrences.Count);
        foreach (var occurrence in occurrences)
        {
            var original = occurrence.RecurrenceId.ToUtc(TimeZoneResolver.System);
            var status = e.Status;
            var title = e.Title;
            if (occurrence.IsOverride && overrides.TryGetValue(original, out var o))
            {
                title = o.Title ?? e.Title;
                status = e.Status == EventStatus.Cancelled ? EventStatus.Cancelled : o.Status;
            }

            dates.Add(new SeriesDate(occurrence.StartUtc, occurrence.EndUtc, original, title, status, occurrence.IsOverride));
        }

        return dates;
    }

    /// <summary>The next dates that have not ended by <paramref name="nowUtc"/>, at most <paramref name="count"/>.</summary>
    public static IReadOnlyList<SeriesDate> Next(Event e, DateTime nowUtc, int count = SeriesLimits.NextDates)
    {
        // Two years holds the next few dates of any series that repeats at least yearly; a yearly one gets a longer look.
        foreach (var years in new[] { 2, 12 })
        {
            var dates = Dates(e, nowUtc, nowUtc.AddYears(years));
            if (dates.Count >= count || years == 12)
            {
                return [.. dates.Take(count)];
            }
        }

        return [];
    }

    /// <summary>The date the rule gives (no exceptions, no overrides), for checking that an exception or override names one.</summary>
    internal static HashSet<DateTime> RuleDates(DateTime startsAtUtc, DateTime endsAtUtc, TimeZoneInfo zone, RecurrencePattern rule, DateTime fromUtc, DateTime toUtc)
    {
        var master = Master("check", startsAtUtc, endsAtUtc, zone, rule, []);
        return [.. master.GetOccurrences(fromUtc, toUtc, TimeZoneResolver.System, Limits(SeriesLimits.Occurrences * 20)).Select(o => o.StartUtc)];
    }

    /// <summary>How many dates the rule gives in all (null: it repeats forever), stopping after <paramref name="limit"/> + 1.</summary>
    internal static (int? Count, DateTime LastEndUtc) Extent(DateTime startsAtUtc, DateTime endsAtUtc, TimeZoneInfo zone, RecurrencePattern rule, int limit)
    {
        if (rule.Count is null && rule.Until is null)
        {
            return (null, Forever);
        }

        var master = Master("check", startsAtUtc, endsAtUtc, zone, rule, []);
        var all = master.GetOccurrences(startsAtUtc, Forever, TimeZoneResolver.System, Limits(limit));
        return (all.Count, all.Count == 0 ? endsAtUtc : all.Max(o => o.EndUtc));
    }
}
