using System.Text;
using LiveHub.Events;
using LiveHub.Localisation;
using ICal = LiveHub.ICalendar;

namespace LiveHub.Calendar;

/// <summary>What a feed is about, for its calendar-level properties.</summary>
/// <param name="Language">"en" or "cy": the language of the feed's own text, and of its events' where they have it.</param>
internal sealed record FeedHeader(string Name, string Description, string SourceUrl, string PageUrl, string Language = SiteCultures.English);

/// <summary>
/// Turns events and their sessions into a VCALENDAR. Everything written comes from the data (DTSTAMP is the last
/// change, not "now"), and the order is fixed, so the same data always gives the same bytes and the same ETag.
/// </summary>
internal static class FeedBuilder
{

    /// <param name="events">Events with their sessions (deleted ones included: they become cancelled tombstones), speakers and chairs loaded.</param>
    /// <param name="includeSession">Which sessions to publish; the feed's filters (cancellation grace period) go here.</param>
    public static ICal.Calendar Build(
        FeedHeader header,
        IEnumerable<Event> events,
        Func<Session, bool> includeSession,
        string baseUrl,
        CalendarOptions options,
        bool includeEvents = true)
    {
        var calendar = new ICal.Calendar
        {
            Language = header.Language == SiteCultures.English ? null : header.Language,
            ProductId = options.ProductId,
            Name = header.Name,
            Description = header.Description,
            RefreshInterval = options.RefreshInterval,
            PublishedTtl = options.RefreshInterval,
            Source = new Uri(header.SourceUrl),
            Url = new Uri(header.PageUrl),
        };

        var zones = new SortedSet<string>(StringComparer.Ordinal);
        DateTime? lastModified = null;
        foreach (var e in events.OrderBy(e => e.StartsAtUtc).ThenBy(e => e.Id))
        {
            VenueTime.TryFindZone(e.TimeZoneId, out var zone);
            var sessions = e.Sessions.Where(includeSession).OrderBy(s => s.StartsAtUtc).ThenBy(s => s.Id).ToList();
            if (includeEvents)
            {
                var vevent = ForEvent(e, zone, baseUrl, header.Language);
                calendar.Events.Add(vevent);
                calendar.Events.AddRange(ForOverrides(e, vevent, zone, header.Language));
                lastModified = Max(lastModified, vevent.LastModified);
            }

            foreach (var session in sessions)
            {
                var vevent = ForSession(session, e, zone, baseUrl, header.Language);
                calendar.Events.Add(vevent);
                lastModified = Max(lastModified, vevent.LastModified);
            }

            if (includeEvents || sessions.Count > 0)
            {
                zones.Add(zone.Id);
            }
        }

        if (zones.Count == 1)
        {
            calendar.TimeZoneId = zones.Min;
        }

        calendar.LastModified = lastModified;
        calendar.AddMissingTimeZones();
        if (calendar.Events.Count == 0)
        {
            // RFC 5545 wants at least one component; an empty feed still has to be a valid calendar.
            calendar.AddTimeZone(TimeZoneInfo.Utc, 2000, 2001);
        }

        return calendar;
    }

    public static ICal.CalendarEvent ForEvent(Event e, TimeZoneInfo zone, string baseUrl, string language = SiteCultures.English)
    {
        var title = Bilingual.Pick(e.Title, e.TitleCy, language);
        var summary = Bilingual.Pick(e.Summary, e.SummaryCy, language);
        var about = Bilingual.Pick(e.Description, e.DescriptionCy, language);
        var pageUrl = PublicUrls.EventPage(baseUrl, e.Slug);
        var hasCoverage = e.DeletedAtUtc is null && e.Sessions.Any(s => s.DeletedAtUtc is null && s.Coverage is CoverageState.Live or CoverageState.Ended);
        var status = StatusOf(e);
        var description = new StringBuilder();
        AppendStatus(description, status, "event", language);
        AppendParagraph(description, summary.Text);
        AppendParagraph(description, about.Text);
        AppendLinks(description, e, pageUrl, hasCoverage ? PublicUrls.LivePage(baseUrl, e.Slug) : null, language);

        var vevent = new ICal.CalendarEvent
        {
            Uid = Uid(e.Id),
            DtStamp = e.UpdatedAtUtc,
            LastModified = e.UpdatedAtUtc,
            Created = e.CreatedAtUtc,
            Sequence = e.Revision,
            Start = When(e.StartsAtUtc, zone),
            End = When(e.EndsAtUtc, zone),
            Summary = status == Events.EventStatus.Cancelled ? SiteText.Get("Cancelled: {0}", language, title.Text) : title.Text,
            SummaryLanguage = LanguageParameter(title.Language, language),
            Description = description.ToString().TrimEnd(),
            DescriptionLanguage = LanguageParameter(about.IsEmpty ? summary.IsEmpty ? language : summary.Language : about.Language, language),
            Location = Location(e, room: null, language),
            Geo = Geo(e),
            Url = new Uri(pageUrl),
            Status = Status(status),
        };
        vevent.Categories.AddRange(e.Tags.Select(CategoryText).Where(t => t.Length > 0));
        AddConference(vevent, e, language);
        if (e.RecurrenceRule is not null && ICal.Recurrence.RecurrencePattern.TryParse(e.RecurrenceRule, out var rule, out _))
        {
            var dates = SeriesSchedule.Master(vevent.Uid, e.StartsAtUtc, e.EndsAtUtc, zone, rule, e.SeriesExceptions.Select(x => x.OriginalStartUtc));
            vevent.Start = dates.Start;
            vevent.End = dates.End;
            vevent.RecurrenceRules.Add(rule);
            vevent.ExceptionDates.AddRange(dates.ExceptionDates);
        }

        return vevent;
    }

    /// <summary>
    /// One VEVENT per changed date of a series (RFC 5545 §3.8.4.4): the master's UID and SEQUENCE, RECURRENCE-ID in
    /// DTSTART's form, its own dates, title and status. A cancelled date stays as STATUS:CANCELLED with "Cancelled: " in
    /// its title (as cancelled events do) rather than turning into an EXDATE: clients that honour STATUS drop or strike
    /// it, Outlook (which ignores STATUS in subscriptions) shows the title, and a subscriber learns it was called off
    /// instead of seeing it silently vanish. A date the series simply skips is an EXDATE on the master.
    /// </summary>
    public static IEnumerable<ICal.CalendarEvent> ForOverrides(Event e, ICal.CalendarEvent master, TimeZoneInfo zone, string language = SiteCultures.English)
    {
        if (master.RecurrenceRules.Count == 0)
        {
            yield break;
        }

        foreach (var o in e.SeriesOverrides.OrderBy(x => x.OriginalStartUtc))
        {
            var dates = SeriesSchedule.Override(master.Uid!, e.StartsAtUtc, o, zone);
            var cancelled = o.Status == Events.EventStatus.Cancelled || master.Status == ICal.EventStatus.Cancelled;
            var title = o.Title ?? Bilingual.Pick(e.Title, e.TitleCy, language).Text;
            var vevent = new ICal.CalendarEvent
            {
                Uid = master.Uid,
                DtStamp = master.DtStamp,
                LastModified = master.LastModified,
                Created = master.Created,
                Sequence = master.Sequence,
                RecurrenceId = dates.RecurrenceId,
                Start = dates.Start,
                End = dates.End,
                Summary = cancelled ? SiteText.Get("Cancelled: {0}", language, title) : title,
                SummaryLanguage = master.SummaryLanguage,
                Description = cancelled && master.Status != ICal.EventStatus.Cancelled
                    ? SiteText.Get("CANCELLED: this date will not take place as planned.", language) + "\n\n" + master.Description
                    : master.Description,
                DescriptionLanguage = master.DescriptionLanguage,
                Location = master.Location,
                Geo = master.Geo,
                Url = master.Url,
                Status = cancelled ? ICal.EventStatus.Cancelled : o.Status == Events.EventStatus.Postponed ? ICal.EventStatus.Tentative : master.Status,
            };
            vevent.Categories.AddRange(master.Categories);
            vevent.Conferences.AddRange(master.Conferences);
            yield return vevent;
        }
    }

    public static ICal.CalendarEvent ForSession(Session s, Event e, TimeZoneInfo zone, string baseUrl, string language = SiteCultures.English)
    {
        var sessionTitle = Bilingual.Pick(s.Title, s.TitleCy, language);
        var eventTitle = Bilingual.Pick(e.Title, e.TitleCy, language);
        var about = Bilingual.Pick(s.Description, s.DescriptionCy, language);
        var pageUrl = PublicUrls.EventPage(baseUrl, e.Slug);
        // A session shows its event's title, place and status, so a change to either is a change to it:
        // the two revisions only ever grow, so their sum does too.
        var eventStatus = StatusOf(e);
        var sessionStatus = s.DeletedAtUtc is null ? s.Status : Events.EventStatus.Cancelled;
        var status = sessionStatus == Events.EventStatus.Cancelled || eventStatus == Events.EventStatus.Cancelled ? Events.EventStatus.Cancelled
            : sessionStatus == Events.EventStatus.Postponed || eventStatus == Events.EventStatus.Postponed ? Events.EventStatus.Postponed
            : Events.EventStatus.Scheduled;
        var speakers = s.Speakers.OrderBy(x => x.Position).Select(x => x.Speaker).OfType<Speaker>().ToList();
        var lastModified = new[] { s.UpdatedAtUtc, e.UpdatedAtUtc }
            .Concat(speakers.Select(x => x.UpdatedAtUtc))
            .Concat(s.Chair is null ? [] : [s.Chair.UpdatedAtUtc])
            .Max();

        var description = new StringBuilder();
        AppendStatus(description, status, "session", language);
        description.Append(SiteText.Get("Part of {0}.", language, eventTitle.Text)).Append('\n');
        var details = new[] { s.Room is null ? null : SiteText.Get("Room: {0}", language, s.Room), s.Track is null ? null : SiteText.Get("Track: {0}", language, s.Track) }.OfType<string>().ToList();
        if (details.Count > 0)
        {
            description.Append(string.Join(" · ", details)).Append('\n');
        }

        if (s.Chair is not null)
        {
            description.Append(SiteText.Get("Chair: {0}", language, s.Chair.Name)).Append('\n');
        }

        if (speakers.Count > 0)
        {
            description.Append(SiteText.Get("With {0}", language, string.Join(", ", speakers.Select(x => x.Name)))).Append('\n');
        }

        description.Append('\n');
        AppendParagraph(description, about.Text);
        var live = s.DeletedAtUtc is null && e.DeletedAtUtc is null && s.Coverage is CoverageState.Live or CoverageState.Ended ? PublicUrls.LivePage(baseUrl, e.Slug) : null;
        AppendLinks(description, e, pageUrl, live, language);

        var title = $"{sessionTitle.Text} — {eventTitle.Text}";
        var vevent = new ICal.CalendarEvent
        {
            Uid = Uid(s.Id),
            DtStamp = lastModified,
            LastModified = lastModified,
            Created = s.CreatedAtUtc,
            Sequence = s.Revision + e.Revision,
            Start = When(s.StartsAtUtc, zone),
            End = When(s.EndsAtUtc, zone),
            Summary = status == Events.EventStatus.Cancelled ? SiteText.Get("Cancelled: {0}", language, title) : title,
            SummaryLanguage = LanguageParameter(sessionTitle.Language, language),
            Description = description.ToString().TrimEnd(),
            DescriptionLanguage = LanguageParameter(about.IsEmpty ? language : about.Language, language),
            Location = Location(e, s.Room, language),
            Geo = Geo(e),
            Url = new Uri($"{pageUrl}#session-{s.Id:D}"),
            Status = Status(status),
        };
        vevent.Categories.AddRange(e.Tags.Select(CategoryText).Where(t => t.Length > 0));
        if (s.Track is not null && CategoryText(s.Track) is { Length: > 0 } track && !vevent.Categories.Contains(track))
        {
            vevent.Categories.Add(track);
        }

        AddConference(vevent, e, language);
        return vevent;
    }

    /// <summary>
    /// RFC 5545's LANGUAGE parameter for a text in a feed of <paramref name="feedLanguage"/>: none in the English feeds
    /// (as before there were two), the text's own language in the others.
    /// </summary>
    private static string? LanguageParameter(string textLanguage, string feedLanguage) =>
        feedLanguage == SiteCultures.English ? null : textLanguage;

    /// <summary>The entity's immutable id: never reused, never changed, the same in every feed.</summary>
    public static string Uid(Guid id) => id.ToString("D");

    /// <summary>
    /// Venue wall-clock time with the event's TZID. A wall time that happens twice (when clocks go back) is written
    /// in UTC instead: RFC 5545 reads it as the first, but ical.js takes the second (found by the agenda oracle test).
    /// </summary>
    public static ICal.CalDateTime When(DateTime utc, TimeZoneInfo zone)
    {
        var local = VenueTime.ToLocal(utc, zone).DateTime;
        return VenueTime.ToUtc(local, zone) == utc && !zone.IsAmbiguousTime(local)
            ? ICal.CalDateTime.Zoned(local, zone.Id)
            : ICal.CalDateTime.FromUtc(utc);
    }

    /// <summary>A deleted event is published as cancelled: to a subscriber it will not take place.</summary>
    private static Events.EventStatus StatusOf(Event e) => e.DeletedAtUtc is null ? e.Status : Events.EventStatus.Cancelled;

    private static ICal.EventStatus Status(Events.EventStatus status) => status switch
    {
        Events.EventStatus.Cancelled => ICal.EventStatus.Cancelled,
        Events.EventStatus.Postponed => ICal.EventStatus.Tentative,
        _ => ICal.EventStatus.Confirmed,
    };

    private static string? Location(Event e, string? room, string language)
    {
        var parts = new[] { room, e.Venue?.Name, e.Venue?.Address }.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        if (e.Venue is null)
        {
            return e.OnlineUrl is null ? (parts.Count > 0 ? string.Join(", ", parts) : null) : string.Join(", ", parts.Append(SiteText.Get("Online", language)));
        }

        return string.Join(", ", parts);
    }

    private static ICal.GeographicLocation? Geo(Event e) =>
        e.Venue?.Latitude is { } lat && e.Venue.Longitude is { } lon ? new ICal.GeographicLocation(lat, lon) : null;

    private static void AddConference(ICal.CalendarEvent vevent, Event e, string language)
    {
        if (e.OnlineUrl is not null)
        {
            vevent.Conferences.Add(new ICal.Conference(e.OnlineUrl, ["AUDIO", "VIDEO"], SiteText.Get("Join online", language)));
        }
    }

    // node-ical splits CATEGORIES on escaped commas too, so a category never contains one.
    private static string CategoryText(string tag) =>
        string.Join(' ', tag.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static void AppendStatus(StringBuilder description, Events.EventStatus status, string what, string language)
    {
        if (status == Events.EventStatus.Cancelled)
        {
            description.Append(SiteText.Get(what == "event" ? "CANCELLED: this event will not take place as planned." : "CANCELLED: this session will not take place as planned.", language)).Append("\n\n");
        }
        else if (status == Events.EventStatus.Postponed)
        {
            description.Append(SiteText.Get(what == "event" ? "POSTPONED: the dates of this event may change." : "POSTPONED: the dates of this session may change.", language)).Append("\n\n");
        }
    }

    private static void AppendParagraph(StringBuilder description, string? text)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            description.Append(text.Trim()).Append("\n\n");
        }
    }

    private static void AppendLinks(StringBuilder description, Event e, string pageUrl, string? liveUrl, string language)
    {
        description.Append(SiteText.Get("Details: {0}", language, pageUrl)).Append('\n');
        if (e.OnlineUrl is not null)
        {
            description.Append(SiteText.Get("Join online: {0}", language, e.OnlineUrl)).Append('\n');
        }

        if (liveUrl is not null)
        {
            description.Append(SiteText.Get("Live coverage: {0}", language, liveUrl)).Append('\n');
        }
    }

    private static DateTime? Max(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : (a > b ? a : b);
}
