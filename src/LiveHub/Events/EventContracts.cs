namespace LiveHub.Events;

/// <summary>
/// An event's venue. Written inline (name, address, coordinates), it is matched to the hub's venue of the same name and
/// address, or becomes a new one; read back, it also carries the shared venue's slug, page, map link, zone and notes.
/// </summary>
public sealed record VenueDto(
    string? Name,
    string? Address,
    double? Latitude,
    double? Longitude,
    string? Slug = null,
    string? PageUrl = null,
    string? MapUrl = null,
    string? TimeZone = null,
    string? AccessibilityNotes = null);

/// <summary>
/// Create or replace an event. Times are ISO 8601: with an offset (or Z) they are instants,
/// without one they are wall-clock times in <see cref="TimeZone"/>.
/// </summary>
public sealed record EventWriteRequest(
    string? Slug,
    string? Title,
    string? Summary,
    string? Description,
    string? StartsAt,
    string? EndsAt,
    string? TimeZone,
    VenueDto? Venue,
    string? OnlineUrl,
    EventStatus? Status,
    IReadOnlyList<string>? Tags,
    string? Organiser,
    string? ImageUrl,
    bool? IsPublished,
    string? LiveByline = null,
    string? VenueSlug = null,
    string? TitleCy = null,
    string? SummaryCy = null,
    string? DescriptionCy = null);

public sealed record TimeRange(DateTimeOffset StartsAt, DateTimeOffset EndsAt, DateTimeOffset StartsAtLocal, DateTimeOffset EndsAtLocal, string TimeZone, string ZoneName);

public sealed record EventSummaryResponse(
    Guid Id,
    string Slug,
    string Title,
    string? Summary,
    TimeRange When,
    VenueDto? Venue,
    string? OnlineUrl,
    EventStatus Status,
    IReadOnlyList<string> Tags,
    string? Organiser,
    string? ImageUrl,
    bool IsPublished,
    int Revision,
    DateTimeOffset UpdatedAt,
    string PageUrl,
    SeriesDateResponse? NextDate = null,
    bool IsSeries = false,
    string? TitleCy = null,
    string? SummaryCy = null);

public sealed record EventDetailResponse(
    Guid Id,
    string Slug,
    string Title,
    string? Summary,
    string? Description,
    TimeRange When,
    VenueDto? Venue,
    string? OnlineUrl,
    EventStatus Status,
    IReadOnlyList<string> Tags,
    string? Organiser,
    string? ImageUrl,
    bool IsPublished,
    int Revision,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string PageUrl,
    IReadOnlyList<SessionResponse> Sessions,
    IReadOnlyList<SpeakerResponse> Speakers,
    string? LiveByline,
    SeriesResponse? Series = null,
    string? TitleCy = null,
    string? SummaryCy = null,
    string? DescriptionCy = null);

public sealed record SessionWriteRequest(
    string? Title,
    string? Description,
    string? StartsAt,
    string? EndsAt,
    string? Room,
    string? Track,
    Guid? ChairId,
    IReadOnlyList<Guid>? SpeakerIds,
    EventStatus? Status,
    CoverageState? Coverage,
    string? TitleCy = null,
    string? DescriptionCy = null);

public sealed record SpeakerRef(Guid Id, string Name, string? PageUrl = null);

public sealed record SessionResponse(
    Guid Id,
    string Title,
    string? Description,
    TimeRange When,
    string? Room,
    string? Track,
    SpeakerRef? Chair,
    IReadOnlyList<SpeakerRef> Speakers,
    EventStatus Status,
    CoverageState Coverage,
    int Revision,
    DateTimeOffset UpdatedAt,
    string? TitleCy = null,
    string? DescriptionCy = null);

public sealed record SpeakerWriteRequest(
    string? Name,
    string? Role,
    string? Affiliation,
    string? BlueskyHandle,
    string? Bio,
    string? Slug = null,
    string? PhotoUrl = null,
    string? PhotoAltText = null,
    IReadOnlyList<string>? Links = null,
    string? BioCy = null);

public sealed record SpeakerResponse(
    Guid Id,
    string Name,
    string? Role,
    string? Affiliation,
    string? BlueskyHandle,
    string? Bio,
    string Slug,
    string? PhotoUrl,
    string? PhotoAltText,
    IReadOnlyList<string> Links,
    string PageUrl,
    string? BioCy = null);

public sealed record PagedResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);
