using LiveHub.ICalendar.TimeZones;

namespace LiveHub.ICalendar.Recurrence;

/// <summary>One instance of an event: the master's expanded start or an override VEVENT.</summary>
/// <param name="Source">The VEVENT it comes from (the override for overridden instances).</param>
/// <param name="Start">Start in the event's own form (same TZID/kind as DTSTART).</param>
/// <param name="End">Exclusive end in the same form.</param>
/// <param name="RecurrenceId">The original start this instance stands for (equals Start unless overridden).</param>
public sealed record Occurrence(
    CalendarEvent Source,
    CalDateTime Start,
    CalDateTime End,
    DateTime StartUtc,
    DateTime EndUtc,
    CalDateTime RecurrenceId)
{
    public bool IsOverride => Source.RecurrenceId is not null;

    internal static int Compare(Occurrence? a, Occurrence? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null || b is null)
        {
            return a is null ? -1 : 1;
        }

        var byStart = a.StartUtc.CompareTo(b.StartUtc);
        return byStart != 0 ? byStart : string.CompareOrdinal(a.Source.Uid, b.Source.Uid);
    }
}

/// <summary>Limits and context for recurrence expansion (Ical.Net's <c>EvaluationOptions</c>).</summary>
public sealed class EvaluationOptions
{
    /// <summary>Most occurrences one call may return; more throws <see cref="EvaluationLimitExceededException"/>.</summary>
    public int MaxOccurrences { get; set; } = 10_000;

    /// <summary>Most recurrence periods (days, weeks, months…) one rule may visit; more throws.</summary>
    public long MaxIncrements { get; set; } = 1_000_000;

    /// <summary>Consecutive periods without an instance after which a rule is treated as exhausted.</summary>
    public int MaxUnmatchedIncrements { get; set; } = 10_000;

    /// <summary>Zone for floating and DATE values (and unresolvable TZIDs); UTC when null.</summary>
    public ITimeZoneRules? FloatingTimeZone { get; set; }
}
