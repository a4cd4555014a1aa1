namespace LiveHub.CrossPosting;

/// <summary>The connected account. The app password and session are never part of any response.</summary>
public sealed record CrossPostAccountResponse(string Handle, string? Did, DateTimeOffset? ConnectedAt);

public sealed record CrossPostSettingsResponse(
    CrossPostAccountResponse? Account,
    string? DefaultHashtags,
    string? DefaultLanguage,
    string ServiceUrl,
    string? PublicBaseUrl,
    DateTimeOffset? PausedUntil);

public sealed record CrossPostSettingsRequest(string? DefaultHashtags, string? DefaultLanguage);

public sealed record ConnectAccountRequest(string? Handle, string? AppPassword);

public sealed record CrossPostEventResponse(
    Guid EventId,
    string Slug,
    string Title,
    DateTimeOffset StartsAt,
    bool Enabled,
    CrossPostEditMode EditMode,
    string? Hashtags,
    string? Language);

public sealed record CrossPostEventRequest(bool? Enabled, CrossPostEditMode? EditMode, string? Hashtags, string? Language);

public sealed record CrossPostItemResponse(
    Guid Id,
    Guid StreamId,
    Guid PostId,
    int PostSequence,
    long ChangeSequence,
    int Part,
    int PartCount,
    CrossPostAction Action,
    CrossPostState State,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    string? Uri,
    string? BlueskyUrl,
    bool Removed,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    bool CanRetry,
    bool CanSkip,
    string? FirstPartUrl = null,
    CrossPostWait? Wait = null);

/// <summary>
/// Why a queued update has not gone out yet, and until when: <c>rateLimit</c> (Bluesky's limit for the account),
/// <c>backoff</c> (a failed attempt; <see cref="Detail"/> says what failed), <c>lease</c> (another instance, or a run of
/// this one that was killed, holds the stream until then), <c>order</c> (an earlier update of the stream goes first),
/// <c>due</c> (nothing holds it; about to be sent).
/// </summary>
public sealed record CrossPostWait(string Reason, string Detail, DateTimeOffset? Until);

/// <summary>
/// One live post's cross-posting: the overall state (the worst of its items; <c>deleted</c> once its records are gone
/// from Bluesky), the link to its first (or only) part, why it waits if it does, and each Bluesky write.
/// </summary>
public sealed record CrossPostPostResponse(Guid PostId, int PostSequence, CrossPostState State, string? BlueskyUrl, string? LastError,
    IReadOnlyList<CrossPostItemResponse> Items, CrossPostWait? Wait = null);

/// <summary>
/// A stream's cross-posting for the live console. <see cref="Pending"/> items wait for Bluesky; while they cannot be
/// sent, <see cref="RetryReason"/> says why (the first waiting item's last error), <see cref="NextAttemptAt"/> when the
/// next try is due, and <see cref="RateLimitedUntil"/> how long Bluesky's rate limit holds every stream back.
/// </summary>
public sealed record CrossPostStreamResponse(
    Guid StreamId,
    bool Enabled,
    bool Connected,
    string? ThreadUrl,
    IReadOnlyList<CrossPostPostResponse> Posts,
    int Pending,
    DateTimeOffset? NextAttemptAt,
    string? RetryReason,
    DateTimeOffset? RateLimitedUntil,
    CrossPostWait? Wait = null);

public sealed record CrossPostStreamQueue(
    Guid StreamId,
    string EventTitle,
    string? SessionTitle,
    int Queued,
    int Sending,
    int Failed,
    DateTimeOffset? NextAttemptAt,
    string? LeaseOwner,
    DateTimeOffset? LeaseUntil,
    string? ThreadUrl,
    int HeadAttempts,
    string? HeadLastError);

public sealed record RecurringJobResponse(string Key, string? Description, string State, DateTimeOffset? NextFireAt, DateTimeOffset? PreviousFireAt);

public sealed record SchedulerInstanceResponse(string InstanceId, DateTimeOffset? LastCheckIn, TimeSpan? CheckInInterval, string State, bool IsThisInstance);

public sealed record SchedulerResponse(
    string Name,
    string InstanceId,
    string Status,
    bool Persistent,
    bool Clustered,
    string JobStore,
    int ThreadPoolSize,
    int JobsExecuted,
    DateTimeOffset? RunningSince,
    string Version);

public sealed record CrossPostJobsResponse(
    IReadOnlyDictionary<string, int> Counts,
    IReadOnlyList<CrossPostStreamQueue> Streams,
    IReadOnlyList<CrossPostItemResponse> Scheduled,
    IReadOnlyList<CrossPostItemResponse> Failed,
    IReadOnlyList<CrossPostItemResponse> Recent,
    IReadOnlyList<RecurringJobResponse> Recurring,
    IReadOnlyList<RecurringJobResponse> PendingTriggers,
    IReadOnlyList<SchedulerInstanceResponse> Instances,
    SchedulerResponse? Scheduler,
    DateTimeOffset? PausedUntil);
