using LiveHub.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LiveHub.CrossPosting;

public enum CrossPostState
{
    Queued,
    Sending,
    Posted,
    Failed,
    Skipped,

    /// <summary>The record was on Bluesky and has been deleted there (the live post was deleted or replaced); for a delete row: done.</summary>
    Deleted,

    /// <summary>
    /// The record was re-threaded: a copy with the same content, replying to its new predecessor, took its place (a row of
    /// the same change and part); the old record is deleted once the copy is on Bluesky (<see cref="CrossPostItem.RemovedAtUtc"/>).
    /// </summary>
    Replaced,
}

public enum CrossPostAction
{
    /// <summary>A new live post (one row per chunk when it is split).</summary>
    Post,

    /// <summary>A reply that corrects an edited post.</summary>
    Correction,

    /// <summary>Delete every Bluesky post written for the live post.</summary>
    Delete,

    /// <summary>
    /// A published recap, as one post that quotes the thread's root (not a reply: it stands on its own). Its PostId is the
    /// recap's id; it is outside the thread's chain and is sent after every row before it.
    /// </summary>
    RecapQuote,
}

public enum CrossPostEditMode
{
    /// <summary>An edit is posted as a "Correction: …" reply; the original stays.</summary>
    CorrectionReply,

    /// <summary>
    /// An edit deletes the Bluesky post(s) and posts the new text in the same place of the thread: the later posts are
    /// re-posted after it (see docs/bluesky-threads.md).
    /// </summary>
    DeleteAndRepost,
}

/// <summary>
/// The outbox: one row per Bluesky write. A live post change yields one row per chunk (long text is split
/// into a chain) or one delete row. Rows of a stream are sent strictly in (ChangeSequence, Part) order.
/// </summary>
public sealed class CrossPostItem
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid StreamId { get; set; }
    public Guid PostId { get; set; }
    /// <summary>The live post's number in its stream, for display.</summary>
    public int PostSequence { get; set; }
    /// <summary>The stream change that produced this row: the send order.</summary>
    public long ChangeSequence { get; set; }
    /// <summary>0-based chunk index within the change.</summary>
    public int Part { get; set; }
    public int PartCount { get; set; } = 1;
    public CrossPostAction Action { get; set; }
    public CrossPostState State { get; set; }
    /// <summary>The chunk text as committed with the change (null for deletes).</summary>
    public string? Text { get; set; }
    /// <summary>The languages of <see cref="Text"/> for the record's langs, comma-separated ("cy", "cy,en"); null: the account's default.</summary>
    public string? Langs { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAtUtc { get; set; }
    public string? LastError { get; set; }
    /// <summary>Record key (TID), chosen when the row is written, before any attempt.</summary>
    public string? Rkey { get; set; }
    /// <summary>The record exactly as sent, frozen before the first write so retries are byte-identical.</summary>
    public string? RecordJson { get; set; }
    public string? Uri { get; set; }
    public string? Cid { get; set; }
    /// <summary>When the Bluesky post was deleted again (live post deleted, or edited in delete-and-repost mode).</summary>
    public DateTime? RemovedAtUtc { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
    public DateTime? CompletedAtUtc { get; set; }
}

/// <summary>Per stream: the Bluesky thread (root and last post) and the worker lease.</summary>
public sealed class CrossPostThread
{
    public Guid StreamId { get; set; }
    public string? RootUri { get; set; }
    public string? RootCid { get; set; }
    public string? LastUri { get; set; }
    public string? LastCid { get; set; }
    /// <summary>The worker currently draining this stream; a second one anywhere in the cluster backs off.</summary>
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntilUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
}

/// <summary>The hub's one Bluesky account (row id 1). Secrets are Data Protection ciphertext, never returned.</summary>
public sealed class CrossPostAccount
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public string? Handle { get; set; }
    public string? Did { get; set; }
    public string? ProtectedAppPassword { get; set; }
    public string? ProtectedSession { get; set; }
    public DateTime? ConnectedAtUtc { get; set; }
    /// <summary>Changes on every connect/disconnect so instances rebuild their client.</summary>
    public Guid ConnectionStamp { get; set; }
    /// <summary>Space-separated hashtags appended to every cross-post (e.g. "#ConfLive").</summary>
    public string? DefaultHashtags { get; set; }
    /// <summary>BCP-47 language of the posts, e.g. "en".</summary>
    public string? DefaultLanguage { get; set; }
    /// <summary>After a 429 for the account every stream waits until then.</summary>
    public DateTime? PausedUntilUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
}

public sealed class CrossPostEventSettings
{
    public Guid EventId { get; set; }
    public bool Enabled { get; set; }
    public CrossPostEditMode EditMode { get; set; }
    /// <summary>Overrides the account's default hashtags when set.</summary>
    public string? Hashtags { get; set; }
    /// <summary>Overrides the account's default language when set.</summary>
    public string? Language { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
}

public static class CrossPostLimits
{
    public const int Text = 3_000;
    public const int Error = 2_000;
    public const int Hashtags = 200;
    public const int Language = 16;
    public const int Handle = 253;
}

internal sealed class CrossPostItemConfiguration : IEntityTypeConfiguration<CrossPostItem>
{
    public void Configure(EntityTypeBuilder<CrossPostItem> b)
    {
        b.ToTable("crosspost_items");
        b.HasIndex(x => new { x.StreamId, x.State, x.ChangeSequence, x.Part });
        b.HasIndex(x => x.PostId);
        b.HasIndex(x => new { x.State, x.NextAttemptAtUtc });
        b.Property(x => x.Action).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.State).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Text).HasMaxLength(CrossPostLimits.Text);
        b.Property(x => x.Langs).HasMaxLength(CrossPostLimits.Language);
        b.Property(x => x.LastError).HasMaxLength(CrossPostLimits.Error);
        b.Property(x => x.Rkey).HasMaxLength(16);
        b.Property(x => x.Uri).HasMaxLength(512);
        b.Property(x => x.Cid).HasMaxLength(128);
    }
}

internal sealed class CrossPostThreadConfiguration : IEntityTypeConfiguration<CrossPostThread>
{
    public void Configure(EntityTypeBuilder<CrossPostThread> b)
    {
        b.ToTable("crosspost_threads");
        b.HasKey(x => x.StreamId);
        b.Property(x => x.RootUri).HasMaxLength(512);
        b.Property(x => x.RootCid).HasMaxLength(128);
        b.Property(x => x.LastUri).HasMaxLength(512);
        b.Property(x => x.LastCid).HasMaxLength(128);
        b.Property(x => x.LeaseOwner).HasMaxLength(128);
    }
}

internal sealed class CrossPostAccountConfiguration : IEntityTypeConfiguration<CrossPostAccount>
{
    public void Configure(EntityTypeBuilder<CrossPostAccount> b)
    {
        b.ToTable("crosspost_account");
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Handle).HasMaxLength(CrossPostLimits.Handle);
        b.Property(x => x.Did).HasMaxLength(256);
        b.Property(x => x.DefaultHashtags).HasMaxLength(CrossPostLimits.Hashtags);
        b.Property(x => x.DefaultLanguage).HasMaxLength(CrossPostLimits.Language);
    }
}

internal sealed class CrossPostEventSettingsConfiguration : IEntityTypeConfiguration<CrossPostEventSettings>
{
    public void Configure(EntityTypeBuilder<CrossPostEventSettings> b)
    {
        b.ToTable("crosspost_event_settings");
        b.HasKey(x => x.EventId);
        b.Property(x => x.EditMode).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Hashtags).HasMaxLength(CrossPostLimits.Hashtags);
        b.Property(x => x.Language).HasMaxLength(CrossPostLimits.Language);
        b.HasOne<Event>().WithOne().HasForeignKey<CrossPostEventSettings>(x => x.EventId).OnDelete(DeleteBehavior.Cascade);
    }
}
