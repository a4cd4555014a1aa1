namespace LiveHub.ICalendar;

public enum EventStatus
{
    Tentative,
    Confirmed,
    Cancelled,
}

public enum EventTransparency
{
    Opaque,
    Transparent,
}

/// <summary>GEO: latitude first, written with at most 6 decimals.</summary>
public readonly record struct GeographicLocation(double Latitude, double Longitude);

/// <summary>ORGANIZER: a CAL-ADDRESS such as mailto:events@example.com plus an optional CN.</summary>
public sealed record Organizer(string Address, string? CommonName = null);

/// <summary>CONFERENCE (RFC 7986): a URI with FEATURE values (AUDIO, VIDEO, PHONE…) and an optional LABEL.</summary>
public sealed record Conference(string Uri, IReadOnlyList<string> Features, string? Label = null)
{
    public Conference(string uri, string? label = null, params IEnumerable<string> features)
        : this(uri, [.. features], label)
    {
    }

    public bool Equals(Conference? other) =>
        other is not null && Uri == other.Uri && Label == other.Label && Features.SequenceEqual(other.Features);

    public override int GetHashCode() => HashCode.Combine(Uri, Label, Features.Count);
}
