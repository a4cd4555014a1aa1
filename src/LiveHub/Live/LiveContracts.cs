using LiveHub.Events;

namespace LiveHub.Live;

public sealed record LiveImageResponse(Guid Id, string Url, string AltText, int Width, int Height);

/// <summary>
/// A post as clients see it. A deleted post keeps its id, numbers and times (a tombstone) so that a
/// client which showed it can remove it; its text is gone.
/// </summary>
public sealed record LivePostResponse(
    Guid Id,
    Guid StreamId,
    int Sequence,
    long ChangeSequence,
    LivePostKind Kind,
    bool Deleted,
    LivePostFormat Format,
    string? Body,
    string? Html,
    SpeakerRef? Speaker,
    string? LinkUrl,
    IReadOnlyList<LiveImageResponse> Images,
    bool Pinned,
    bool KeyMoment,
    string? Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EditedAt,
    int Version,
    string Permalink,
    string? BodyCy = null,
    string? HtmlCy = null);

public sealed record LiveStreamResponse(
    Guid Id,
    Guid EventId,
    string EventSlug,
    string EventTitle,
    Guid? SessionId,
    string Title,
    CoverageState State,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset? CoverageStartsAt,
    DateTimeOffset? CoverageEndsAt,
    int LastSequence,
    long LastChange,
    string TimeZone,
    string PageUrl,
    string? EventTitleCy = null,
    string? TitleCy = null);

/// <summary>
/// Every change to a stream numbered in (<see cref="After"/>, <see cref="Through"/>]: the current
/// state of each post changed in that range, and the stream itself. The same shape answers a join,
/// a catch-up request and a push; a client that has applied up to <c>After</c> can apply it and
/// then knows it is complete up to <c>Through</c>. <c>Reset</c> is set when the client claimed to
/// have changes the stream never had (the database was restored or re-seeded): the client must
/// drop what it holds and take this message as the whole state.
/// </summary>
public sealed record LiveChanges(Guid StreamId, long After, long Through, LiveStreamResponse Stream, IReadOnlyList<LivePostResponse> Posts, bool Reset = false);

/// <summary>The "closed" push: the stream is no longer public (unpublished or removed); the client should stop.</summary>
public sealed record LiveStreamClosed(Guid StreamId, string Reason);

public sealed record LivePostPage(Guid StreamId, IReadOnlyList<LivePostResponse> Posts, int? NextBefore);

/// <param name="BodyCy">The update in Welsh too (then <paramref name="Body"/> is the English), in the same format.</param>
public sealed record LivePostRequest(LivePostKind? Kind, string? Body, LivePostFormat? Format, Guid? SpeakerId, string? LinkUrl, IReadOnlyList<Guid>? ImageIds, string? BodyCy = null);

public sealed record PinRequest(bool Pinned);

public sealed record KeyMomentRequest(bool KeyMoment);

public sealed record CoverageRequest(string? Note);
