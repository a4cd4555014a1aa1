namespace LiveHub.Events;

internal static class EventMapping
{
    public static TimeRange When(DateTime startsAtUtc, DateTime endsAtUtc, string timeZoneId)
    {
        VenueTime.TryFindZone(timeZoneId, out var zone);
        return new TimeRange(
            new DateTimeOffset(startsAtUtc, TimeSpan.Zero),
            new DateTimeOffset(endsAtUtc, TimeSpan.Zero),
            VenueTime.ToLocal(startsAtUtc, zone),
            VenueTime.ToLocal(endsAtUtc, zone),
            timeZoneId,
            VenueTime.ZoneName(startsAtUtc, zone));
    }

    public static VenueDto? Venue(Event e) =>
        e.Venue is null ? null : Venues.VenueDirectory.ToDto(e.Venue);

    public static string PageUrl(Event e) => $"/events/{e.Slug}";

    public static EventSummaryResponse ToSummary(Event e) => new(
        e.Id, e.Slug, e.Title, e.Summary, When(e.StartsAtUtc, e.EndsAtUtc, e.TimeZoneId), Venue(e), e.OnlineUrl, e.Status,
        e.Tags, e.Organiser, e.ImageUrl, e.IsPublished, e.Revision, Utc(e.UpdatedAtUtc), PageUrl(e), e.TitleCy, e.SummaryCy);

    public static EventDetailResponse ToDetail(Event e)
    {
        var sessions = e.Sessions.OrderBy(s => s.StartsAtUtc).ThenBy(s => s.Title, StringComparer.Ordinal).ToList();
        var speakers = sessions
            .SelectMany(s => (s.Chair is null ? [] : new[] { s.Chair }).Concat(s.Speakers.OrderBy(x => x.Position).Select(x => x.Speaker!)))
            .DistinctBy(s => s.Id)
            .Select(ToResponse)
            .ToList();
        return new EventDetailResponse(
            e.Id, e.Slug, e.Title, e.Summary, e.Description, When(e.StartsAtUtc, e.EndsAtUtc, e.TimeZoneId), Venue(e), e.OnlineUrl,
            e.Status, e.Tags, e.Organiser, e.ImageUrl, e.IsPublished, e.Revision, Utc(e.CreatedAtUtc), Utc(e.UpdatedAtUtc), PageUrl(e),
            [.. sessions.Select(s => ToResponse(s, e.TimeZoneId))], speakers, e.LiveByline, e.TitleCy, e.SummaryCy, e.DescriptionCy);
    }

    public static SessionResponse ToResponse(Session s, string timeZoneId) => new(
        s.Id, s.Title, s.Description, When(s.StartsAtUtc, s.EndsAtUtc, timeZoneId), s.Room, s.Track,
        s.Chair is null ? null : Ref(s.Chair),
        [.. s.Speakers.OrderBy(x => x.Position).Select(x => x.Speaker is null ? new SpeakerRef(x.SpeakerId, "") : Ref(x.Speaker))],
        s.Status, s.Coverage, s.Revision, Utc(s.UpdatedAtUtc), s.TitleCy, s.DescriptionCy);

    public static SpeakerResponse ToResponse(Speaker s) =>
        new(s.Id, s.Name, s.Role, s.Affiliation, s.BlueskyHandle, s.Bio, s.Slug, s.PhotoUrl, s.PhotoAltText, s.Links, SpeakerPageUrl(s), s.BioCy);

    public static SpeakerRef Ref(Speaker s) => new(s.Id, s.Name, SpeakerPageUrl(s));

    public static string SpeakerPageUrl(Speaker s) => $"/speakers/{s.Slug}";

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);
}
