using LiveHub.Venues;

namespace LiveHub.Events;

public enum EventStatus
{
    Scheduled,
    Postponed,
    Cancelled,
}

public enum CoverageState
{
    Upcoming,
    Live,
    Ended,
}

/// <summary>A conference, workshop or online session that the hub lists and may cover live.</summary>
public sealed class Event
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public string? Summary { get; set; }
    public string? Description { get; set; }
    /// <summary>The Welsh title, summary and description, when the event has them (the fields above are English).</summary>
    public string? TitleCy { get; set; }
    public string? SummaryCy { get; set; }
    public string? DescriptionCy { get; set; }
    public DateTime StartsAtUtc { get; set; }
    public DateTime EndsAtUtc { get; set; }
    /// <summary>IANA zone id of the venue (or of the organiser for online events).</summary>
    public required string TimeZoneId { get; set; }
    /// <summary>Where the event takes place; null for an online-only event. Venues are shared across events.</summary>
    public Guid? VenueId { get; set; }
    public Venue? Venue { get; set; }
    public string? OnlineUrl { get; set; }
    public EventStatus Status { get; set; }
    public List<string> Tags { get; set; } = [];
    public string? Organiser { get; set; }
    public string? ImageUrl { get; set; }
    public bool IsPublished { get; set; }
    /// <summary>Shown as the author of every live post of the event (e.g. the hub's name); null shows each post's staff display name.</summary>
    public string? LiveByline { get; set; }
    /// <summary>When the event was first published; null if the public never saw it (then it never answers 410 Gone).</summary>
    public DateTime? FirstPublishedAtUtc { get; set; }
    /// <summary>Bumped on every material change; calendar feeds publish it as SEQUENCE.</summary>
    public int Revision { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
    public DateTime? CancelledAtUtc { get; set; }
    /// <summary>Soft delete: the slug stays reserved so old feed URLs can answer 410 Gone.</summary>
    public DateTime? DeletedAtUtc { get; set; }
    /// <summary>UID of the iCalendar VEVENT this event was imported from; re-imports match on it.</summary>
    public string? SourceUid { get; set; }
    public List<Session> Sessions { get; set; } = [];
    /// <summary>
    /// RRULE value (without "RRULE:") when the event repeats, normalised (UNTIL in UTC); the event's own start and end
    /// are the first date's. Null: a one-off event.
    /// </summary>
    public string? RecurrenceRule { get; set; }
    /// <summary>End of the series' last date (overrides included); the far future for a series without COUNT or UNTIL; null for one-off events.</summary>
    public DateTime? SeriesEndsAtUtc { get; set; }
    /// <summary>Dates the series skips (EXDATE), by their original start.</summary>
    public List<SeriesException> SeriesExceptions { get; set; } = [];
    /// <summary>Dates of the series that differ from the rule (RECURRENCE-ID): moved, retitled or cancelled.</summary>
    public List<SeriesOverride> SeriesOverrides { get; set; } = [];
}

/// <summary>A date a recurring event skips (EXDATE).</summary>
public sealed class SeriesException
{
    public Guid EventId { get; set; }
    /// <summary>The start the rule gives that date.</summary>
    public DateTime OriginalStartUtc { get; set; }
}

/// <summary>One date of a recurring event that differs from the rule (a VEVENT with RECURRENCE-ID in feeds).</summary>
public sealed class SeriesOverride
{
    public Guid EventId { get; set; }
    /// <summary>The start the rule gives that date (its RECURRENCE-ID).</summary>
    public DateTime OriginalStartUtc { get; set; }
    public DateTime StartsAtUtc { get; set; }
    public DateTime EndsAtUtc { get; set; }
    /// <summary>Null: the series' title.</summary>
    public string? Title { get; set; }
    public EventStatus Status { get; set; }
}

/// <summary>A panel, talk or workshop inside an event.</summary>
public sealed class Session
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid EventId { get; set; }
    public Event? Event { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    /// <summary>The Welsh title and description, when the session has them.</summary>
    public string? TitleCy { get; set; }
    public string? DescriptionCy { get; set; }
    public DateTime StartsAtUtc { get; set; }
    public DateTime EndsAtUtc { get; set; }
    public string? Room { get; set; }
    public string? Track { get; set; }
    public Guid? ChairId { get; set; }
    public Speaker? Chair { get; set; }
    public List<SessionSpeaker> Speakers { get; set; } = [];
    public EventStatus Status { get; set; }
    public CoverageState Coverage { get; set; }
    public int Revision { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
    public DateTime? CancelledAtUtc { get; set; }
    public DateTime? DeletedAtUtc { get; set; }
}

/// <summary>A person who speaks or chairs; speakers are shared across the hub's events.</summary>
public sealed class Speaker
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>The speaker's public page is /speakers/{Slug}; unique across speakers.</summary>
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public string? Role { get; set; }
    public string? Affiliation { get; set; }
    public string? BlueskyHandle { get; set; }
    public string? Bio { get; set; }
    /// <summary>The biography in Welsh, when there is one.</summary>
    public string? BioCy { get; set; }
    public string? PhotoUrl { get; set; }
    /// <summary>Describes the photo for people who cannot see it; required whenever there is a photo.</summary>
    public string? PhotoAltText { get; set; }
    /// <summary>The speaker's own pages (profile, homepage), http(s) only.</summary>
    public List<string> Links { get; set; } = [];
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
}

public sealed class SessionSpeaker
{
    public Guid SessionId { get; set; }
    public Guid SpeakerId { get; set; }
    public Speaker? Speaker { get; set; }
    public int Position { get; set; }
}
