using LiveHub.Events;
using LiveHub.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LiveHub.Recap;

/// <summary>
/// The recap of one session's coverage: a draft built from the key moments, quotes and pinned post when coverage
/// ends, which staff edit (Markdown) and publish. The published title and text are a copy: editing the draft after
/// publishing changes nothing public until it is published again.
/// </summary>
public sealed class SessionRecap
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid StreamId { get; set; }
    public LiveStream? Stream { get; set; }
    public Guid EventId { get; set; }
    public Guid SessionId { get; set; }
    public required string Title { get; set; }
    /// <summary>The draft, in the safe Markdown subset live posts use (PostRenderer).</summary>
    public required string Body { get; set; }
    /// <summary>The stream change the draft was last built from.</summary>
    public long BuiltFromChange { get; set; }
    /// <summary>Set once staff edit the draft: ending coverage again then leaves their text alone.</summary>
    public DateTime? EditedAtUtc { get; set; }
    public string? EditedByName { get; set; }
    public string? PublishedTitle { get; set; }
    public string? PublishedBody { get; set; }
    public DateTime? FirstPublishedAtUtc { get; set; }
    public DateTime? PublishedAtUtc { get; set; }
    public string? PublishedByName { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
    /// <summary>Goes up with every change; a PUT must name the version it edits (lost updates are refused).</summary>
    public int Version { get; set; }

    public bool IsPublished => PublishedAtUtc is not null;
}

public static class RecapLimits
{
    public const int Title = 200;
    public const int Body = 20_000;
    /// <summary>More links than this in a recap is refused as spam: a recap quotes the session, it is not a link farm.</summary>
    public const int Links = 25;
}

internal sealed class SessionRecapConfiguration : IEntityTypeConfiguration<SessionRecap>
{
    public void Configure(EntityTypeBuilder<SessionRecap> b)
    {
        b.ToTable("session_recaps");
        b.HasIndex(x => x.StreamId).IsUnique();
        b.HasIndex(x => new { x.EventId, x.PublishedAtUtc });
        b.Property(x => x.Title).HasMaxLength(RecapLimits.Title);
        b.Property(x => x.Body).HasMaxLength(RecapLimits.Body);
        b.Property(x => x.PublishedTitle).HasMaxLength(RecapLimits.Title);
        b.Property(x => x.PublishedBody).HasMaxLength(RecapLimits.Body);
        b.Property(x => x.EditedByName).HasMaxLength(256);
        b.Property(x => x.PublishedByName).HasMaxLength(256);
        b.HasOne(x => x.Stream).WithMany().HasForeignKey(x => x.StreamId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Event>().WithMany().HasForeignKey(x => x.EventId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Session>().WithMany().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}
