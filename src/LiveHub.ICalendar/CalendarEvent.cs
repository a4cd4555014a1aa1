using LiveHub.ICalendar.Recurrence;
using LiveHub.ICalendar.TimeZones;

namespace LiveHub.ICalendar;

/// <summary>A VEVENT (Ical.Net's <c>CalendarEvent</c>).</summary>
public sealed class CalendarEvent
{
    public string? Uid { get; set; }

    /// <summary>DTSTAMP (UTC). Set it to the last material change so output bytes only change with data.</summary>
    public DateTime? DtStamp { get; set; }

    public CalDateTime? Start { get; set; }

    /// <summary>DTEND (exclusive). Never set both End and Duration.</summary>
    public CalDateTime? End { get; set; }

    public TimeSpan? Duration { get; set; }

    public string? Summary { get; set; }

    /// <summary>The LANGUAGE parameter of SUMMARY (RFC 5545 3.2.10), a language tag such as "cy"; none if null.</summary>
    public string? SummaryLanguage { get; set; }

    public string? Description { get; set; }

    /// <summary>The LANGUAGE parameter of DESCRIPTION.</summary>
    public string? DescriptionLanguage { get; set; }

    public string? Location { get; set; }

    public GeographicLocation? Geo { get; set; }

    public Uri? Url { get; set; }

    public Organizer? Organizer { get; set; }

    public List<string> Categories { get; } = [];

    public EventStatus? Status { get; set; }

    public int Sequence { get; set; }

    public DateTime? Created { get; set; }

    public DateTime? LastModified { get; set; }

    public EventTransparency? Transparency { get; set; }

    /// <summary>CLASS: PUBLIC, PRIVATE or CONFIDENTIAL.</summary>
    public string? Class { get; set; }

    public List<Conference> Conferences { get; } = [];

    public List<RecurrencePattern> RecurrenceRules { get; } = [];

    /// <summary>EXDATE values (written grouped by TZID/kind).</summary>
    public List<CalDateTime> ExceptionDates { get; } = [];

    /// <summary>RDATE values (for PERIOD values only the start is kept).</summary>
    public List<CalDateTime> RecurrenceDates { get; } = [];

    /// <summary>Set on an override: the original start of the instance it replaces.</summary>
    public CalDateTime? RecurrenceId { get; set; }

    /// <summary>Unknown and X- properties, written in order after the known ones.</summary>
    public List<CalendarProperty> Properties { get; } = [];

    /// <summary>Sub-components such as VALARM, kept for round-tripping.</summary>
    public List<CalendarComponent> Components { get; } = [];

    public bool IsActive => Status != EventStatus.Cancelled;

    public bool IsAllDay => Start is { HasTime: false };

    public bool IsRecurring => RecurrenceRules.Count > 0 || RecurrenceDates.Count > 0;

    /// <summary>Physical line of BEGIN:VEVENT when read from a file; 0 otherwise.</summary>
    public int LineNumber { get; internal set; }

    /// <summary>
    /// Instances overlapping [windowStartUtc, windowEndUtc) (zero-length ones: starting inside it). A series is
    /// expanded in the zone's wall-clock time so instances keep their local time across DST; COUNT counts excluded
    /// instances; EXDATEs and overrides match by UTC instant (DATE values by date).
    /// </summary>
    /// <param name="zones">TZID resolution; use <see cref="Calendar.CreateTimeZoneResolver"/> for a parsed calendar.</param>
    /// <param name="overrides">VEVENTs with the same UID and a RECURRENCE-ID.</param>
    public List<Occurrence> GetOccurrences(
        DateTime windowStartUtc,
        DateTime windowEndUtc,
        TimeZoneResolver? zones = null,
        EvaluationOptions? options = null,
        IEnumerable<CalendarEvent>? overrides = null) =>
        OccurrenceCalculator.Calculate(this, windowStartUtc, windowEndUtc, zones ?? TimeZoneResolver.System, options ?? new EvaluationOptions(), overrides);
}
