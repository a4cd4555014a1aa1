using LiveHub.Data;
using LiveHub.Localisation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Calendar;

/// <summary>Subscribable .ics feeds: all events, one tag, one event, one session.</summary>
public static class FeedEndpoints
{
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static void MapFeedEndpoints(this IEndpointRouteBuilder app)
    {
        var feeds = app.MapGroup("").WithTags("Calendar feeds");
        feeds.MapMethods("/calendar.ics", GetAndHead, AllEvents).WithName("AllEventsFeed");
        feeds.MapMethods("/calendar/tags/{tag}.ics", GetAndHead, TagFeed).WithName("TagFeed");
        feeds.MapMethods("/events/{slug}.ics", GetAndHead, EventFeed).WithName("EventFeed");
        feeds.MapMethods("/events/{slug}/sessions/{id}.ics", GetAndHead, SessionFeed).WithName("SessionFeed");
    }

    private static async Task<IResult> AllEvents(string? lang, HttpContext http, LiveHubDbContext db, FeedService feeds, PublicUrls urls, CancellationToken cancellationToken)
    {
        if (!TryLanguage(lang, out var language))
        {
            return BadLanguage();
        }

        var baseUrl = urls.BaseUrl(http.Request);
        var header = new FeedHeader(
            SiteText.Get("LiveHub events", language),
            SiteText.Get("Published events on LiveHub and their sessions: the last {0} days and everything ahead.", language, feeds.Options.PastDays),
            PublicUrls.WithLanguage(PublicUrls.AllEventsFeed(baseUrl), language),
            $"{baseUrl}/events",
            language);
        return Result(await feeds.RenderAsync(db, new FeedScope.All(), header, baseUrl, cancellationToken), feeds, download: null);
    }

    private static async Task<IResult> TagFeed(string tag, string? lang, HttpContext http, LiveHubDbContext db, FeedService feeds, PublicUrls urls, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!TryLanguage(lang, out var language))
        {
            return BadLanguage();
        }

        var name = tag.Trim().ToLowerInvariant();
        var keepSince = feeds.KeepCancelledSince(clock.GetUtcNow().UtcDateTime);
        // A tag whose last event was deleted within the grace period still has a feed: it carries the cancellation.
        if (!await db.Events.IgnoreQueryFilters().AnyAsync(e => e.IsPublished && e.Tags.Contains(name)
                && (e.DeletedAtUtc == null || (e.DeletedAtUtc >= keepSince && e.FirstPublishedAtUtc != null && e.FirstPublishedAtUtc <= e.DeletedAtUtc)), cancellationToken))
        {
            // Only a tag the public once saw may say its events are gone; a draft's tags reveal nothing.
            return await db.Events.IgnoreQueryFilters().AnyAsync(e => e.DeletedAtUtc != null && e.FirstPublishedAtUtc != null && e.Tags.Contains(name), cancellationToken)
                ? Gone("Feed removed", $"Every event tagged '{name}' has been removed.")
                : NotFound("Feed not found", $"No published event is tagged '{name}'.");
        }

        var baseUrl = urls.BaseUrl(http.Request);
        var header = new FeedHeader(
            $"LiveHub: #{name}",
            SiteText.Get("Published events on LiveHub tagged '{0}' and their sessions.", language, name),
            PublicUrls.WithLanguage(PublicUrls.TagFeed(baseUrl, name), language),
            $"{baseUrl}/events?tag={Uri.EscapeDataString(name)}",
            language);
        return Result(await feeds.RenderAsync(db, new FeedScope.Tag(name), header, baseUrl, cancellationToken), feeds, download: null);
    }

    private static async Task<IResult> EventFeed(
        string slug, string? download, string? lang, HttpContext http, LiveHubDbContext db, FeedService feeds, PublicUrls urls, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!TryLanguage(lang, out var language))
        {
            return BadLanguage();
        }

        var e = await FindEvent(db, slug, cancellationToken);
        if (e is null || !e.IsPublic)
        {
            return NotFound("Event not found", $"There is no published event with the slug '{slug}'.");
        }

        // Within the grace period a deleted event's feed still answers, with the event cancelled; then it is gone.
        // One unpublished before it was deleted had already left its feed, so it is gone at once.
        if (e.DeletedAtUtc is not null && (!e.IsPublished || e.DeletedAtUtc < feeds.KeepCancelledSince(clock.GetUtcNow().UtcDateTime)))
        {
            return Gone("Event removed", $"The event '{slug}' has been removed.");
        }

        var baseUrl = urls.BaseUrl(http.Request);
        var title = Bilingual.Pick(e.Title, e.TitleCy, language).Text!;
        var header = new FeedHeader(
            title,
            Bilingual.Pick(e.Summary, e.SummaryCy, language).Text ?? SiteText.Get("{0} and its sessions, from LiveHub.", language, title),
            PublicUrls.WithLanguage(PublicUrls.EventFeed(baseUrl, slug), language),
            PublicUrls.EventPage(baseUrl, slug),
            language);
        var feed = await feeds.RenderAsync(db, new FeedScope.OneEvent(e.Id), header, baseUrl, cancellationToken);
        return Result(feed, feeds, download is "1" or "true" ? $"{slug}.ics" : null);
    }

    private static async Task<IResult> SessionFeed(
        string slug, string id, string? download, string? lang, HttpContext http, LiveHubDbContext db, FeedService feeds, PublicUrls urls, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!TryLanguage(lang, out var language))
        {
            return BadLanguage();
        }

        var e = await FindEvent(db, slug, cancellationToken);
        if (e is null || !e.IsPublic)
        {
            return NotFound("Event not found", $"There is no published event with the slug '{slug}'.");
        }

        var session = Guid.TryParse(id, out var sessionId)
            ? await db.Sessions.IgnoreQueryFilters().AsNoTracking().Where(s => s.Id == sessionId && s.EventId == e.Id)
                .Select(s => new { s.Id, s.Title, s.TitleCy, s.DeletedAtUtc }).FirstOrDefaultAsync(cancellationToken)
            : null;
        // A session deleted before its event was first published was never public: it is simply not there.
        if (session is null || (session.DeletedAtUtc is { } sessionDeleted && !(e.FirstPublishedAtUtc <= sessionDeleted)))
        {
            return NotFound("Session not found", $"The event '{slug}' has no session '{id}'.");
        }

        var keepSince = feeds.KeepCancelledSince(clock.GetUtcNow().UtcDateTime);
        if ((e.DeletedAtUtc is not null && (!e.IsPublished || e.DeletedAtUtc < keepSince)) || session.DeletedAtUtc < keepSince)
        {
            return Gone("Session removed", e.DeletedAtUtc is not null ? $"The event '{slug}' has been removed." : $"The session '{id}' has been removed.");
        }

        var baseUrl = urls.BaseUrl(http.Request);
        var header = new FeedHeader(
            $"{Bilingual.Pick(session.Title, session.TitleCy, language).Text} — {Bilingual.Pick(e.Title, e.TitleCy, language).Text}",
            SiteText.Get("A session of {0}, from LiveHub.", language, Bilingual.Pick(e.Title, e.TitleCy, language).Text),
            PublicUrls.WithLanguage(PublicUrls.SessionFeed(baseUrl, slug, session.Id), language),
            $"{PublicUrls.EventPage(baseUrl, slug)}#session-{session.Id:D}",
            language);
        var feed = await feeds.RenderAsync(db, new FeedScope.OneSession(e.Id, session.Id), header, baseUrl, cancellationToken);
        return Result(feed, feeds, download is "1" or "true" ? $"{slug}-{session.Id:N}.ics" : null);
    }

    private static Task<EventHead?> FindEvent(LiveHubDbContext db, string slug, CancellationToken cancellationToken) =>
        db.Events.IgnoreQueryFilters().AsNoTracking().Where(e => e.Slug == slug)
            .Select(e => new EventHead(e.Id, e.Title, e.TitleCy, e.Summary, e.SummaryCy, e.IsPublished, e.DeletedAtUtc, e.FirstPublishedAtUtc))
            .FirstOrDefaultAsync(cancellationToken);

    private static CalendarFeedResult Result(RenderedFeed feed, FeedService feeds, string? download) =>
        new(feed, feeds.Options.MaxAgeSeconds == 0 ? "no-cache" : $"public, max-age={feeds.Options.MaxAgeSeconds}", download);

    private static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    private static ProblemHttpResult Gone(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: title, detail: detail);

    /// <summary>?lang=cy for the Welsh feed (Welsh text where the events have it, LANGUAGE=cy on it); English without.</summary>
    private static bool TryLanguage(string? lang, out string language)
    {
        language = lang is null ? SiteCultures.English : SiteCultures.Normalise(lang) ?? "";
        return language.Length > 0;
    }

    private static ValidationProblem BadLanguage() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["lang"] = ["must be 'en' (English) or 'cy' (Welsh)."] });

    private sealed record EventHead(Guid Id, string Title, string? TitleCy, string? Summary, string? SummaryCy, bool IsPublished, DateTime? DeletedAtUtc, DateTime? FirstPublishedAtUtc)
    {
        /// <summary>
        /// Published now, or deleted after the public saw it (then its feeds answer 410 Gone). A deleted event that was
        /// never published is answered like one that never existed: 404, revealing nothing.
        /// </summary>
        public bool IsPublic => DeletedAtUtc is null ? IsPublished : FirstPublishedAtUtc is not null;
    }
}
