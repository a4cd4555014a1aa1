namespace LiveHub.Events;

/// <summary>Field lengths shared by validation and the database schema.</summary>
public static class EventLimits
{
    public const int Slug = 100;
    public const int Title = 200;
    public const int Summary = 500;
    public const int Description = 20_000;
    public const int VenueName = 200;
    public const int VenueAddress = 500;
    public const int Url = 2_000;
    public const int Organiser = 200;
    public const int Room = 100;
    public const int Tag = 40;
    public const int TagCount = 20;
    public const int SpeakersPerSession = 30;
    /// <summary>iCalendar UIDs (receivers must keep at least 255 octets) plus room for an occurrence suffix.</summary>
    public const int SourceUid = 512;
}

public static class SpeakerLimits
{
    public const int Name = 200;
    public const int Role = 200;
    public const int Affiliation = 200;
    public const int Handle = 253;
    public const int Bio = 2_000;
    public const int Slug = 100;
    public const int PhotoAltText = 500;
    public const int LinkCount = 8;
}

public static class SeriesLimits
{
    public const int Rule = 500;
    /// <summary>Most dates a series with COUNT or UNTIL may have (about ten years of weekly dates).</summary>
    public const int Occurrences = 520;
    public const int Exceptions = 200;
    public const int Overrides = 200;
    /// <summary>Dates shown on pages and in the API as "next dates".</summary>
    public const int NextDates = 6;
}
