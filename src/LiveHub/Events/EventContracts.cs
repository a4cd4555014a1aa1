namespace LiveHub.Events;

public sealed record VenueDto(string? Name, string? Address, double? Latitude, double? Longitude);

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
    string? LiveByline = null);

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
    string PageUrl);

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
    string? LiveByline);

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
    CoverageState? Coverage);

public sealed record SpeakerRef(Guid Id, string Name);

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
    DateTimeOffset UpdatedAt);

public sealed record SpeakerWriteRequest(string? Name, string? Role, string? Affiliation, string? BlueskyHandle, string? Bio);

public sealed record SpeakerResponse(Guid Id, string Name, string? Role, string? Affiliation, string? BlueskyHandle, string? Bio);

public sealed record PagedResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);
