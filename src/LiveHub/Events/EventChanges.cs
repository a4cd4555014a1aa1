namespace LiveHub.Events;

/// <summary>
/// Applies validated input to entities and bumps the revision only when something a reader
/// (or a calendar subscriber) can see has changed.
/// </summary>
internal static class EventChanges
{
    /// <param name="venue">Where the event is held (see <see cref="Venues.VenueDirectory.ResolveAsync"/>); null: online only.</param>
    public static bool Apply(Event e, ValidEvent v, string slug, DateTime now, Venues.Venue? venue)
    {
        var before = Fingerprint(e);
        e.Slug = slug;
        e.Title = v.Title;
        e.Summary = v.Summary;
        e.Description = v.Description;
        e.TitleCy = v.TitleCy;
        e.SummaryCy = v.SummaryCy;
        e.DescriptionCy = v.DescriptionCy;
        e.StartsAtUtc = v.StartsAtUtc;
        e.EndsAtUtc = v.EndsAtUtc;
        e.TimeZoneId = v.TimeZoneId;
        e.Venue = venue;
        e.VenueId = venue?.Id;
        e.OnlineUrl = v.OnlineUrl;
        SetStatus(e, v.Status, now);
        e.Tags = v.Tags;
        e.Organiser = v.Organiser;
        e.ImageUrl = v.ImageUrl;
        e.IsPublished = v.IsPublished;
        e.LiveByline = v.LiveByline;
        if (e.IsPublished)
        {
            e.FirstPublishedAtUtc ??= now;
        }

        return Touch(e, before, now);
    }

    public static void SetStatus(Event e, EventStatus status, DateTime now)
    {
        e.CancelledAtUtc = status == EventStatus.Cancelled ? e.CancelledAtUtc ?? now : null;
        e.Status = status;
    }

    public static bool Touch(Event e, string before, DateTime now)
    {
        if (before == Fingerprint(e))
        {
            return false;
        }

        e.Revision++;
        e.UpdatedAtUtc = now;
        return true;
    }

    public static bool Apply(Session s, ValidSession v, DateTime now)
    {
        var before = Fingerprint(s);
        s.Title = v.Title;
        s.Description = v.Description;
        s.TitleCy = v.TitleCy;
        s.DescriptionCy = v.DescriptionCy;
        s.StartsAtUtc = v.StartsAtUtc;
        s.EndsAtUtc = v.EndsAtUtc;
        s.Room = v.Room;
        s.Track = v.Track;
        s.ChairId = v.ChairId;
        s.CancelledAtUtc = v.Status == EventStatus.Cancelled ? s.CancelledAtUtc ?? now : null;
        s.Status = v.Status;
        s.Coverage = v.Coverage;
        var existing = s.Speakers.ToDictionary(x => x.SpeakerId);
        s.Speakers.RemoveAll(x => !v.SpeakerIds.Contains(x.SpeakerId));
        for (var i = 0; i < v.SpeakerIds.Count; i++)
        {
            if (existing.TryGetValue(v.SpeakerIds[i], out var link))
            {
                link.Position = i;
            }
            else
            {
                s.Speakers.Add(new SessionSpeaker { SessionId = s.Id, SpeakerId = v.SpeakerIds[i], Position = i });
            }
        }

        if (before == Fingerprint(s))
        {
            return false;
        }

        s.Revision++;
        s.UpdatedAtUtc = now;
        return true;
    }

    private static string Fingerprint(Event e) => string.Join('\u001f',
        e.Slug, e.Title, e.Summary, e.Description, e.TitleCy, e.SummaryCy, e.DescriptionCy, e.StartsAtUtc.Ticks, e.EndsAtUtc.Ticks, e.TimeZoneId, e.Venue?.Id ?? e.VenueId,
        e.OnlineUrl, e.Status, string.Join(',', e.Tags), e.Organiser, e.ImageUrl, e.IsPublished);

    private static string Fingerprint(Session s) => string.Join('\u001f',
        s.Title, s.Description, s.TitleCy, s.DescriptionCy, s.StartsAtUtc.Ticks, s.EndsAtUtc.Ticks, s.Room, s.Track, s.ChairId, s.Status, s.Coverage,
        string.Join(',', s.Speakers.OrderBy(x => x.Position).Select(x => x.SpeakerId)));
}
