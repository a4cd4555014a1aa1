using LiveHub.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LiveHub.Venues;

/// <summary>A place where events happen, shared by every event held there.</summary>
public sealed class Venue
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>The venue's public page is /venues/{Slug}; unique across venues.</summary>
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public string? Address { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    /// <summary>A link to a map of the venue; when null, one is built from the coordinates.</summary>
    public string? MapUrl { get; set; }
    /// <summary>IANA zone of the venue (local time there); shown on its page.</summary>
    public string? TimeZoneId { get; set; }
    /// <summary>Step-free access, hearing loops, quiet rooms, how to get there.</summary>
    public string? AccessibilityNotes { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
}

internal sealed class VenueConfiguration : IEntityTypeConfiguration<Venue>
{
    public void Configure(EntityTypeBuilder<Venue> v)
    {
        v.ToTable("venues");
        v.HasIndex(x => x.Slug).IsUnique();
        v.HasIndex(x => x.Name);
        v.Property(x => x.Slug).HasMaxLength(VenueLimits.Slug);
        v.Property(x => x.Name).HasMaxLength(VenueLimits.Name);
        v.Property(x => x.Address).HasMaxLength(VenueLimits.Address);
        v.Property(x => x.MapUrl).HasMaxLength(EventLimits.Url);
        v.Property(x => x.TimeZoneId).HasMaxLength(64);
        v.Property(x => x.AccessibilityNotes).HasMaxLength(VenueLimits.AccessibilityNotes);
    }
}

public static class VenueLimits
{
    public const int Slug = 100;
    public const int Name = EventLimits.VenueName;
    public const int Address = EventLimits.VenueAddress;
    public const int AccessibilityNotes = 4_000;
}
