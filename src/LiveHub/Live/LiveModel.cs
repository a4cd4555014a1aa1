using LiveHub.Events;

namespace LiveHub.Live;

public enum LivePostKind
{
    Update,
    Quote,
    KeyMoment,
    QuestionsOpen,
    SessionStarted,
    SessionEnded,
}

public enum LivePostFormat
{
    /// <summary>Plain text; links, hashtags and mentions are detected and linked.</summary>
    PlainText,

    /// <summary>A small safe Markdown subset (emphasis, links, lists, quotes, code); raw HTML is never rendered.</summary>
    Markdown,
}

/// <summary>
/// The live coverage of one session, or of an event as a whole (SessionId null). Its two counters
/// make every change orderable: posts are numbered by <see cref="LastSequence"/>, and every change
/// to the stream (a post created, edited, deleted, pinned, or the stream started or ended) takes the
/// next <see cref="LastChange"/>. Clients apply changes by that number, so repeats are harmless and
/// gaps are visible.
/// </summary>
public sealed class LiveStream
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid EventId { get; set; }
    public Event? Event { get; set; }
    public Guid? SessionId { get; set; }
    public Session? Session { get; set; }
    /// <summary>"event" for the event-wide stream, or "session:{id}"; unique per event.</summary>
    public required string Key { get; set; }
    public CoverageState State { get; set; }
    public DateTime? StartedAtUtc { get; set; }
    public DateTime? EndedAtUtc { get; set; }
    public int LastSequence { get; set; }
    public long LastChange { get; set; }
    /// <summary>The change number of the last start/end of coverage.</summary>
    public long StateChange { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}

public sealed class LivePost
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid StreamId { get; set; }
    public LiveStream? Stream { get; set; }
    /// <summary>1, 2, 3… within the stream, in the order posts were accepted.</summary>
    public int Sequence { get; set; }
    /// <summary>The stream change number of this post's latest change.</summary>
    public long ChangeSequence { get; set; }
    public LivePostKind Kind { get; set; }

    public LivePostFormat Format
    {
        get;
        set
        {
            field = value;
            Html = HtmlCy = null;
        }
    }

    public required string Body
    {
        get;
        set
        {
            field = value;
            Html = null;
        }
    }

    /// <summary>The same update in Welsh, when it is bilingual (<see cref="Body"/> is then the English text). Same format.</summary>
    public string? BodyCy
    {
        get;
        set
        {
            field = value;
            HtmlCy = null;
        }
    }

    /// <summary>
    /// <see cref="Body"/> rendered by <see cref="PostRenderer"/>, stored when the post is written or edited so that no read
    /// renders it again (every join, push and page would otherwise). Setting the text or the format clears it, and saving
    /// renders it again (<see cref="RenderHtml"/>); null in rows written before it was stored, which readers render.
    /// </summary>
    public string? Html { get; set; }

    /// <summary><see cref="BodyCy"/> rendered, like <see cref="Html"/>.</summary>
    public string? HtmlCy { get; set; }

    /// <summary>The HTML of <see cref="Body"/>: stored, or rendered now for a row that has none.</summary>
    public string BodyHtml => Html ?? PostRenderer.ToHtml(Body, Format);

    /// <summary>The HTML of <see cref="BodyCy"/>, when there is Welsh.</summary>
    public string? BodyCyHtml => BodyCy is null ? null : HtmlCy ?? PostRenderer.ToHtml(BodyCy, Format);

    /// <summary>Renders whatever text has no stored HTML; called for every added or changed post when it is saved.</summary>
    public void RenderHtml()
    {
        Html ??= PostRenderer.ToHtml(Body, Format);
        HtmlCy ??= BodyCy is null ? null : PostRenderer.ToHtml(BodyCy, Format);
    }
    public Guid? SpeakerId { get; set; }
    public Speaker? Speaker { get; set; }
    public string? LinkUrl { get; set; }
    public bool IsPinned { get; set; }
    public bool IsKeyMoment { get; set; }
    public string? AuthorId { get; set; }
    public string? AuthorName { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? EditedAtUtc { get; set; }
    public DateTime? DeletedAtUtc { get; set; }
    public int Version { get; set; }
    /// <summary>
    /// The author's <c>Idempotency-Key</c> for the request that created the post: a retry by the same author gets this
    /// post back. Keys are the author's own, so two editors who happen to pick the same key post twice.
    /// </summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>
    /// SHA-256 (hex) of the request that created the post, in a canonical form (see <see cref="LivePostValidation.Fingerprint"/>):
    /// the key coming back with a different request is refused rather than answered with this post. Null for posts
    /// created before fingerprints were stored, whose key replays whatever is sent with it.
    /// </summary>
    public string? IdempotencyFingerprint { get; set; }
    public List<LiveImage> Images { get; set; } = [];
}

/// <summary>An uploaded image (EXIF removed), stored under the data folder, attached to at most one post.</summary>
public sealed class LiveImage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid StreamId { get; set; }
    public Guid? PostId { get; set; }
    public int Position { get; set; }
    public required string ContentType { get; set; }
    public required string FileName { get; set; }
    public long Length { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public required string AltText { get; set; }
    public string? UploadedById { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}

/// <summary>Who did what to a stream, and when.</summary>
public sealed class LiveAuditEntry
{
    public long Id { get; set; }
    public Guid StreamId { get; set; }
    public Guid? PostId { get; set; }
    public required string Action { get; set; }
    public string? ActorId { get; set; }
    public string? ActorName { get; set; }
    public DateTime AtUtc { get; set; }
    public long ChangeSequence { get; set; }
    public string? Details { get; set; }
}

public static class LiveLimits
{
    public const int Body = 5_000;
    public const int AltText = 2_000;
    public const int ImagesPerPost = 4;
    public const long ImageBytes = 5 * 1024 * 1024;
    public const int IdempotencyKey = 100;
    public const int IdempotencyFingerprint = 64;
}
