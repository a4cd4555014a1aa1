using LiveHub.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LiveHub.Questions;

public enum QuestionSource
{
    /// <summary>Typed on the live page, without an account.</summary>
    Web,

    /// <summary>A reply to the session's Bluesky thread.</summary>
    Bluesky,
}

public enum QuestionStatus
{
    /// <summary>Waiting for a moderator; never shown to the public.</summary>
    Pending,
    Approved,
    Rejected,

    /// <summary>A duplicate of <see cref="Question.MergedIntoId"/>: hidden, counted with that question.</summary>
    Merged,
}

/// <summary>An audience question for one live stream. Nothing but <see cref="QuestionStatus.Approved"/> ever reaches a public page.</summary>
public sealed class Question
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid StreamId { get; set; }
    public QuestionSource Source { get; set; }
    public QuestionStatus Status { get; set; }
    /// <summary>Plain text, as asked; never rendered as markup.</summary>
    public required string Text { get; set; }
    /// <summary>
    /// For Bluesky questions: the link facets that are safe to show (http/https), as JSON
    /// <c>[{"start":0,"length":5,"uri":"https://..."}]</c> in UTF-16 positions of <see cref="Text"/>.
    /// </summary>
    public string? LinksJson { get; set; }
    /// <summary>The reply's AT URI: unique, so a poll after a restart or on another instance cannot add it twice.</summary>
    public string? BlueskyUri { get; set; }
    public string? BlueskyCid { get; set; }
    public string? AuthorDid { get; set; }
    public string? AuthorHandle { get; set; }
    public int ImageCount { get; set; }
    public Guid? MergedIntoId { get; set; }
    public DateTime AskedAtUtc { get; set; }
    public DateTime? AnsweredAtUtc { get; set; }
    public DateTime? ModeratedAtUtc { get; set; }
    public string? ModeratedById { get; set; }
    /// <summary>Changes with every change of the row; the newest of a stream's questions versions its public list.</summary>
    public DateTime UpdatedAtUtc { get; set; }
}

/// <summary>Where the poller is in a stream's Bluesky thread: when it last read it and when it may read it again.</summary>
public sealed class QuestionPollState
{
    public Guid StreamId { get; set; }
    public DateTime? LastPolledAtUtc { get; set; }
    public DateTime NextPollAtUtc { get; set; }
    public int ConsecutiveFailures { get; set; }
    public string? LastError { get; set; }
}

public static class QuestionLimits
{
    public const int Text = 500;
    public const int WebText = 300;
    public const int Handle = 253;
    public const int Uri = 512;
    public const int Error = 1_000;
}

internal sealed class QuestionConfiguration : IEntityTypeConfiguration<Question>
{
    public void Configure(EntityTypeBuilder<Question> b)
    {
        b.ToTable("questions");
        b.HasIndex(x => new { x.StreamId, x.Status, x.AskedAtUtc });
        b.HasIndex(x => x.BlueskyUri).IsUnique();
        b.Property(x => x.Source).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Text).HasMaxLength(QuestionLimits.Text);
        b.Property(x => x.LinksJson).HasMaxLength(8_000);
        b.Property(x => x.BlueskyUri).HasMaxLength(QuestionLimits.Uri);
        b.Property(x => x.BlueskyCid).HasMaxLength(128);
        b.Property(x => x.AuthorDid).HasMaxLength(256);
        b.Property(x => x.AuthorHandle).HasMaxLength(QuestionLimits.Handle);
        b.Property(x => x.ModeratedById).HasMaxLength(450);
        b.HasOne<LiveStream>().WithMany().HasForeignKey(x => x.StreamId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class QuestionPollStateConfiguration : IEntityTypeConfiguration<QuestionPollState>
{
    public void Configure(EntityTypeBuilder<QuestionPollState> b)
    {
        b.ToTable("question_poll_state");
        b.HasKey(x => x.StreamId);
        b.Property(x => x.LastError).HasMaxLength(QuestionLimits.Error);
        b.HasOne<LiveStream>().WithMany().HasForeignKey(x => x.StreamId).OnDelete(DeleteBehavior.Cascade);
    }
}
