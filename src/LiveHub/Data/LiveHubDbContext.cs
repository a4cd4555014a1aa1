using LiveHub.Events;
using LiveHub.Live;
using LiveHub.Staff;
using LiveHub.Venues;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LiveHub.Data;

/// <summary>
/// The hub's one database. Each provider has a subclass so that its generated migrations and model snapshot
/// (see <c>Data/Migrations</c> and docs/development.md) are found only for that provider.
/// </summary>
public abstract class LiveHubDbContext(DbContextOptions options) : IdentityDbContext<StaffUser>(options), IDataProtectionKeyContext
{
    public DbSet<Event> Events => Set<Event>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<Speaker> Speakers => Set<Speaker>();
    public DbSet<Venue> Venues => Set<Venue>();
    /// <summary>The Data Protection key ring, read and written by Microsoft's EF Core key store.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<LiveStream> LiveStreams => Set<LiveStream>();
    public DbSet<LivePost> LivePosts => Set<LivePost>();
    public DbSet<LiveImage> LiveImages => Set<LiveImage>();
    public DbSet<LiveAuditEntry> LiveAudit => Set<LiveAuditEntry>();

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RenderChangedPosts();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RenderChangedPosts();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Live posts store their rendered HTML (<see cref="LivePost.Html"/>): render what was written or edited.</summary>
    private void RenderChangedPosts()
    {
        foreach (var entry in ChangeTracker.Entries<LivePost>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Entity.RenderHtml();
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every instant is stored as UTC; SQLite hands DateTime back as Unspecified, so mark it again.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<EventStatus>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<CoverageState>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<LivePostKind>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<LivePostFormat>().HaveConversion<string>().HaveMaxLength(16);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // Features may keep their table mappings beside their entities as IEntityTypeConfiguration<T>.
        builder.ApplyConfigurationsFromAssembly(typeof(LiveHubDbContext).Assembly);

        builder.Entity<Event>(e =>
        {
            e.ToTable("events");
            e.HasQueryFilter(x => x.DeletedAtUtc == null);
            e.HasIndex(x => x.Slug).IsUnique();
            e.HasIndex(x => x.StartsAtUtc);
            e.HasIndex(x => x.SourceUid).IsUnique();
            e.Property(x => x.SourceUid).HasMaxLength(EventLimits.SourceUid);
            e.Property(x => x.Slug).HasMaxLength(EventLimits.Slug);
            e.Property(x => x.Title).HasMaxLength(EventLimits.Title);
            e.Property(x => x.Summary).HasMaxLength(EventLimits.Summary);
            e.Property(x => x.Description).HasMaxLength(EventLimits.Description);
            e.Property(x => x.TitleCy).HasMaxLength(EventLimits.Title);
            e.Property(x => x.SummaryCy).HasMaxLength(EventLimits.Summary);
            e.Property(x => x.DescriptionCy).HasMaxLength(EventLimits.Description);
            e.Property(x => x.TimeZoneId).HasMaxLength(64);
            e.HasOne(x => x.Venue).WithMany().HasForeignKey(x => x.VenueId).OnDelete(DeleteBehavior.Restrict);
            // A venue is a few short fields that every page, feed and API answer about an event shows.
            e.Navigation(x => x.Venue).AutoInclude();
            e.Property(x => x.OnlineUrl).HasMaxLength(EventLimits.Url);
            e.Property(x => x.Organiser).HasMaxLength(EventLimits.Organiser);
            e.Property(x => x.LiveByline).HasMaxLength(EventLimits.Organiser);
            e.Property(x => x.ImageUrl).HasMaxLength(EventLimits.Url);
            e.HasMany(x => x.Sessions).WithOne(x => x.Event).HasForeignKey(x => x.EventId).OnDelete(DeleteBehavior.Cascade);
            e.Property(x => x.RecurrenceRule).HasMaxLength(SeriesLimits.Rule);
            e.HasMany(x => x.SeriesExceptions).WithOne().HasForeignKey(x => x.EventId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(x => x.SeriesOverrides).WithOne().HasForeignKey(x => x.EventId).OnDelete(DeleteBehavior.Cascade);
            // A series is read whole wherever its event is shown: pages, feeds and the API all list its next dates.
            e.Navigation(x => x.SeriesExceptions).AutoInclude();
            e.Navigation(x => x.SeriesOverrides).AutoInclude();
        });

        builder.Entity<SeriesException>(x =>
        {
            x.ToTable("series_exceptions");
            x.HasKey(y => new { y.EventId, y.OriginalStartUtc });
        });

        builder.Entity<SeriesOverride>(x =>
        {
            x.ToTable("series_overrides");
            x.HasKey(y => new { y.EventId, y.OriginalStartUtc });
            x.Property(y => y.Title).HasMaxLength(EventLimits.Title);
        });

        builder.Entity<Session>(s =>
        {
            s.ToTable("sessions");
            s.HasQueryFilter(x => x.DeletedAtUtc == null);
            s.HasIndex(x => new { x.EventId, x.StartsAtUtc });
            s.Property(x => x.Title).HasMaxLength(EventLimits.Title);
            s.Property(x => x.Description).HasMaxLength(EventLimits.Description);
            s.Property(x => x.TitleCy).HasMaxLength(EventLimits.Title);
            s.Property(x => x.DescriptionCy).HasMaxLength(EventLimits.Description);
            s.Property(x => x.Room).HasMaxLength(EventLimits.Room);
            s.Property(x => x.Track).HasMaxLength(EventLimits.Room);
            s.HasOne(x => x.Chair).WithMany().HasForeignKey(x => x.ChairId).OnDelete(DeleteBehavior.SetNull);
            s.HasMany(x => x.Speakers).WithOne().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<SessionSpeaker>(ss =>
        {
            ss.ToTable("session_speakers");
            ss.HasKey(x => new { x.SessionId, x.SpeakerId });
            ss.HasOne(x => x.Speaker).WithMany().HasForeignKey(x => x.SpeakerId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Speaker>(s =>
        {
            s.ToTable("speakers");
            s.HasIndex(x => x.Name);
            s.HasIndex(x => x.Slug).IsUnique();
            s.Property(x => x.Slug).HasMaxLength(SpeakerLimits.Slug);
            s.Property(x => x.PhotoUrl).HasMaxLength(EventLimits.Url);
            s.Property(x => x.PhotoAltText).HasMaxLength(SpeakerLimits.PhotoAltText);
            s.Property(x => x.Name).HasMaxLength(SpeakerLimits.Name);
            s.Property(x => x.Role).HasMaxLength(SpeakerLimits.Role);
            s.Property(x => x.Affiliation).HasMaxLength(SpeakerLimits.Affiliation);
            s.Property(x => x.BlueskyHandle).HasMaxLength(SpeakerLimits.Handle);
            s.Property(x => x.Bio).HasMaxLength(SpeakerLimits.Bio);
            s.Property(x => x.BioCy).HasMaxLength(SpeakerLimits.Bio);
        });

        builder.Entity<StaffUser>(u => u.Property(x => x.DisplayName).HasMaxLength(200));
        builder.Entity<DataProtectionKey>(k =>
        {
            k.ToTable("data_protection_keys");
            // The table predates the package's entity (where Xml may be null): every row has its XML.
            k.Property(x => x.Xml).IsRequired();
        });

        builder.Entity<LiveStream>(s =>
        {
            s.ToTable("live_streams");
            s.HasIndex(x => new { x.EventId, x.Key }).IsUnique();
            s.Property(x => x.Key).HasMaxLength(64);
            s.HasOne(x => x.Event).WithMany().HasForeignKey(x => x.EventId).OnDelete(DeleteBehavior.Cascade);
            s.HasOne(x => x.Session).WithMany().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<LivePost>(p =>
        {
            p.ToTable("live_posts");
            p.HasIndex(x => new { x.StreamId, x.Sequence }).IsUnique();
            p.HasIndex(x => new { x.StreamId, x.ChangeSequence });
            p.HasIndex(x => new { x.StreamId, x.AuthorId, x.IdempotencyKey }).IsUnique();
            p.Property(x => x.IdempotencyKey).HasMaxLength(LiveLimits.IdempotencyKey);
            p.Property(x => x.IdempotencyFingerprint).HasMaxLength(LiveLimits.IdempotencyFingerprint);
            p.Property(x => x.Body).HasMaxLength(LiveLimits.Body);
            p.Property(x => x.BodyCy).HasMaxLength(LiveLimits.Body);
            p.Property(x => x.LinkUrl).HasMaxLength(EventLimits.Url);
            p.Property(x => x.AuthorId).HasMaxLength(450);
            p.Property(x => x.AuthorName).HasMaxLength(256);
            p.HasOne(x => x.Stream).WithMany().HasForeignKey(x => x.StreamId).OnDelete(DeleteBehavior.Cascade);
            p.HasOne(x => x.Speaker).WithMany().HasForeignKey(x => x.SpeakerId).OnDelete(DeleteBehavior.SetNull);
            p.HasMany(x => x.Images).WithOne().HasForeignKey(x => x.PostId).OnDelete(DeleteBehavior.SetNull);
        });

        builder.Entity<LiveImage>(i =>
        {
            i.ToTable("live_images");
            i.HasIndex(x => x.StreamId);
            i.Property(x => x.ContentType).HasMaxLength(64);
            i.Property(x => x.FileName).HasMaxLength(128);
            i.Property(x => x.AltText).HasMaxLength(LiveLimits.AltText);
            i.Property(x => x.UploadedById).HasMaxLength(450);
        });

        builder.Entity<LiveAuditEntry>(a =>
        {
            a.ToTable("live_audit");
            a.HasIndex(x => new { x.StreamId, x.Id });
            a.Property(x => x.Action).HasMaxLength(32);
            a.Property(x => x.ActorId).HasMaxLength(450);
            a.Property(x => x.ActorName).HasMaxLength(256);
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

public sealed class SqliteLiveHubDbContext(DbContextOptions<SqliteLiveHubDbContext> options) : LiveHubDbContext(options);

public sealed class PostgresLiveHubDbContext(DbContextOptions<PostgresLiveHubDbContext> options) : LiveHubDbContext(options);
