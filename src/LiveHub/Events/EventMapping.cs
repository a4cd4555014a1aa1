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

    /// <summary>A series is listed once, with its next date (the first one that has not ended by <paramref name="now"/>).</summary>
    public static EventSummaryResponse ToSummary(Event e, DateTime now) => new(
        e.Id, e.Slug, e.Title, e.Summary, When(e.StartsAtUtc, e.EndsAtUtc, e.TimeZoneId), Venue(e), e.OnlineUrl, e.Status,
        e.Tags, e.Organiser, e.ImageUrl, e.IsPublished, e.Revision, Utc(e.UpdatedAtUtc), PageUrl(e),
        e.RecurrenceRule is null ? null : SeriesSchedule.Next(e, now, 1).Select(d => ToResponse(d, e.TimeZoneId)).FirstOrDefault(),
        e.RecurrenceRule is not null, e.TitleCy, e.SummaryCy);

    public static SeriesResponse? Series(Event e, DateTime now) => e.RecurrenceRule is null ? null : new SeriesResponse(
        e.RecurrenceRule,
        [.. e.SeriesExceptions.OrderBy(x => x.OriginalStartUtc).Select(x => Local(x.OriginalStartUtc, e.TimeZoneId))],
        [.. e.SeriesOverrides.OrderBy(x => x.OriginalStartUtc).Select(o => new SeriesOverrideResponse(
            Local(o.OriginalStartUtc, e.TimeZoneId), When(o.StartsAtUtc, o.EndsAtUtc, e.TimeZoneId), o.Title, o.Status))],
        [.. SeriesSchedule.Next(e, now).Select(d => ToResponse(d, e.TimeZoneId))],
        e.SeriesEndsAtUtc >= SeriesSchedule.Forever);

    public static SeriesDateResponse ToResponse(SeriesDate d, string timeZoneId) =>
        new(When(d.StartsAtUtc, d.EndsAtUtc, timeZoneId), Local(d.OriginalStartUtc, timeZoneId), d.Title, d.Status, d.IsOverride);

    private static DateTimeOffset Local(DateTime utc, string timeZoneId)
    {
        VenueTime.TryFindZone(timeZoneId, out var zone);
        return VenueTime.ToLocal(utc, zone);
    }

    public static EventDetailResponse ToDetail(Event e, DateTime now)
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
            [.. sessions.Select(s => ToResponse(s, e.TimeZoneId))], speakers, e.LiveByline, Series(e, now), e.TitleCy, e.SummaryCy, e.DescriptionCy);
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
