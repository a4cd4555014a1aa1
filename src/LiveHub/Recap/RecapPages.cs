using LiveHub.Calendar;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Live;
using LiveHub.Pages;
using LiveHub.Recap.Pages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Recap;

/// <summary>The public recap page (published recaps of published events only), with schema.org data.</summary>
public static class RecapPages
{
    public static void MapRecapPages(this IEndpointRouteBuilder app) =>
        app.MapGet("/live/{slug}/sessions/{sessionId:guid}/recap", RenderAsync).ExcludeFromDescription();

    public static string PagePath(string slug, Guid sessionId) => $"/live/{slug}/sessions/{sessionId:D}/recap";

    private static async Task<RazorComponentResult> RenderAsync(string slug, Guid sessionId, HttpContext http, LiveHubDbContext db, PublicUrls urls, CancellationToken cancellationToken)
    {
        var found = await (from r in db.Set<SessionRecap>().AsNoTracking()
                           join e in db.Events.AsNoTracking() on r.EventId equals e.Id
                           join s in db.Sessions.AsNoTracking() on r.SessionId equals s.Id
                           where e.Slug == slug && e.IsPublished && r.SessionId == sessionId && r.PublishedAtUtc != null
                           select new { Recap = r, Event = e, Session = s }).FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return new RazorComponentResult<NotFoundPage>(new { Message = "There is no published recap of this session." }) { StatusCode = StatusCodes.Status404NotFound };
        }

        var baseUrl = urls.BaseUrl(http.Request);
        var livePath = $"/live/{found.Event.Slug}/sessions/{sessionId:D}";
        return new RazorComponentResult<RecapPage>(new
        {
            Title = found.Recap.PublishedTitle!,
            Html = PostRenderer.ToHtml(found.Recap.PublishedBody!, LivePostFormat.Markdown),
            EventTitle = found.Event.Title,
            EventTitleCy = found.Event.TitleCy,
            EventPath = EventMapping.PageUrl(found.Event),
            SessionTitle = found.Session.Title,
            SessionTitleCy = found.Session.TitleCy,
            LivePath = livePath,
            CanonicalPath = PagePath(found.Event.Slug, sessionId),
            PublishedAt = RecapEndpoints.Utc(found.Recap.PublishedAtUtc)!.Value,
            TimeZone = found.Event.TimeZoneId,
            Byline = found.Event.LiveByline ?? found.Recap.PublishedByName,
            JsonLd = JsonLd(found.Recap, found.Event, found.Session, baseUrl),
        });
    }

    /// <summary>schema.org BlogPosting about the session (an Event), based on the live coverage.</summary>
    internal static string JsonLd(SessionRecap recap, Event e, Session session, string baseUrl)
    {
        var document = new Dictionary<string, object?>
        {
            ["@context"] = "https://schema.org",
            ["@type"] = "BlogPosting",
            ["headline"] = recap.PublishedTitle,
            ["articleBody"] = recap.PublishedBody,
            ["datePublished"] = RecapEndpoints.Utc(recap.FirstPublishedAtUtc ?? recap.PublishedAtUtc),
            ["dateModified"] = RecapEndpoints.Utc(recap.PublishedAtUtc),
            ["url"] = baseUrl + PagePath(e.Slug, session.Id),
            ["mainEntityOfPage"] = baseUrl + PagePath(e.Slug, session.Id),
            ["isBasedOn"] = $"{baseUrl}/live/{e.Slug}/sessions/{session.Id:D}",
            ["about"] = new Dictionary<string, object?>
            {
                ["@type"] = "Event",
                ["name"] = session.Title,
                ["startDate"] = new DateTimeOffset(DateTime.SpecifyKind(session.StartsAtUtc, DateTimeKind.Utc)),
                ["endDate"] = new DateTimeOffset(DateTime.SpecifyKind(session.EndsAtUtc, DateTimeKind.Utc)),
                ["url"] = baseUrl + EventStructuredData.SessionPageUrl(e.Slug, session.Id),
                ["superEvent"] = new Dictionary<string, object?> { ["@type"] = "Event", ["name"] = e.Title, ["url"] = baseUrl + EventMapping.PageUrl(e) },
            },
        };
        if ((e.LiveByline ?? recap.PublishedByName) is { } author)
        {
            document["author"] = new Dictionary<string, object?> { ["@type"] = "Person", ["name"] = author };
        }

        return JsonLdScript.Serialize(document);
    }
}

/// <summary>The recaps as the live pages and feeds see them.</summary>
internal sealed class LiveRecaps(LiveHubDbContext db) : ILiveRecaps
{
    public async Task<string?> PublishedPathAsync(Guid streamId, CancellationToken cancellationToken)
    {
        var found = await (from r in db.Set<SessionRecap>().AsNoTracking()
                           join e in db.Events.AsNoTracking() on r.EventId equals e.Id
                           where r.StreamId == streamId && r.PublishedAtUtc != null
                           select new { e.Slug, r.SessionId }).FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : RecapPages.PagePath(found.Slug, found.SessionId);
    }

    public async Task<IReadOnlyList<LiveFeedEntry>> FeedEntriesAsync(Guid eventId, Guid? sessionId, string baseUrl, CancellationToken cancellationToken)
    {
        // Joined with the sessions so that a deleted session's recap (the query filter hides the session) leaves the feed.
        var found = await (from r in db.Set<SessionRecap>().AsNoTracking()
                           join e in db.Events.AsNoTracking() on r.EventId equals e.Id
                           join s in db.Sessions.AsNoTracking() on r.SessionId equals s.Id
                           where r.EventId == eventId && (sessionId == null || r.SessionId == sessionId) && r.PublishedAtUtc != null
                           select new { Recap = r, e.Slug, e.LiveByline }).ToListAsync(cancellationToken);
        return [.. found.OrderBy(f => f.Recap.FirstPublishedAtUtc).Select(f => new LiveFeedEntry(
            f.Recap.Id,
            f.Recap.PublishedTitle!,
            PostRenderer.ToHtml(f.Recap.PublishedBody!, LivePostFormat.Markdown),
            baseUrl + RecapPages.PagePath(f.Slug, f.Recap.SessionId),
            f.Recap.FirstPublishedAtUtc ?? f.Recap.PublishedAtUtc!.Value,
            f.Recap.PublishedAtUtc!.Value,
            f.LiveByline ?? f.Recap.PublishedByName))];
    }
}
