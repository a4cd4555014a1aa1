using LiveHub.Events;

namespace LiveHub.Agenda;

public sealed record AgendaCreateRequest(IReadOnlyList<Guid>? SessionIds);

/// <summary>A session in an agenda; a session the organisers removed shows as cancelled until the attendee removes it.</summary>
public sealed record AgendaSessionResponse(
    Guid Id,
    string Title,
    string EventSlug,
    string EventTitle,
    TimeRange When,
    string? Room,
    EventStatus Status,
    bool Removed,
    string PageUrl);

/// <summary>An agenda, for whoever holds its token: the token itself, its private feed (https and webcal) and its sessions, soonest first.</summary>
public sealed record AgendaResponse(
    string Token,
    string FeedUrl,
    string WebcalUrl,
    DateTimeOffset UpdatedAt,
    int MaxSessions,
    IReadOnlyList<AgendaSessionResponse> Sessions);
