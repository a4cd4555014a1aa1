using LiveHub.Calendar;
using LiveHub.Data;
using LiveHub.Events.Pages;
using LiveHub.Pages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Events;

/// <summary>Server-rendered public pages: readable without JavaScript, crawlable, fast on a phone.</summary>
public static class EventPages
{
    public static void MapEventPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => TypedResults.Redirect("/events")).ExcludeFromDescription();
        app.MapGet("/events", EventsList).ExcludeFromDescription();
        app.MapGet("/events/{slug}", EventPage).ExcludeFromDescription();
        app.MapGet("/events/{slug}/sessions/{sessionId:guid}", SessionPage).ExcludeFromDescription();
    }

    /// <summary>Events per page on /events (each of upcoming and past); ?pageSize= changes it, as on the API.</summary>
    public const int ListPageSize = 10;

    private static async Task<RazorComponentResult> EventsList(
        string? q, string? tag, string? month, int? page, int? pastPage, int? pageSize, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Problems.ValidationErrors();
        var filter = EventSearch.Parse(errors, q, tag, month);
        var size = pageSize ?? ListPageSize;
        if (size is < 1 or > EventEndpoints.MaxPageSize)
        {
            errors.Add("pageSize", $"must be between 1 and {EventEndpoints.MaxPageSize}.");
        }

        if (page < 1 || pastPage < 1)
        {
            errors.Add(page < 1 ? "page" : "pastPage", "must be 1 or more.");
        }

        var published = db.Events.AsNoTracking().Where(e => e.IsPublished);
        var tags = (await published.Select(e => e.Tags).ToListAsync(cancellationToken)).SelectMany(t => t).Distinct().Order(StringComparer.Ordinal).ToList();
        if (errors.HasErrors)
        {
            var reasons = errors.ToDictionary().Select(kv => $"{kv.Key} {string.Join(" ", kv.Value)}");
            return new RazorComponentResult<EventsListPage>(new { Filter = filter, Tags = (IReadOnlyList<string>)tags, Problem = string.Join(" ", reasons) })
            {
                StatusCode = StatusCodes.Status400BadRequest,
            };
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var matching = EventSearch.Apply(published, db, filter);
        var upcoming = matching.Where(e => (e.SeriesEndsAtUtc ?? e.EndsAtUtc) >= now);
        var past = matching.Where(e => (e.SeriesEndsAtUtc ?? e.EndsAtUtc) < now);
        var upcomingPage = page ?? 1;
        var pastPageNumber = pastPage ?? 1;
        return new RazorComponentResult<EventsListPage>(new
        {
            Filter = filter,
            Tags = (IReadOnlyList<string>)tags,
            PageSize = size,
            UpcomingPage = upcomingPage,
            PastPage = pastPageNumber,
            UpcomingTotal = await upcoming.CountAsync(cancellationToken),
            PastTotal = await past.CountAsync(cancellationToken),
            Upcoming = (IReadOnlyList<EventSummaryResponse>)[.. (await upcoming.OrderBy(e => e.StartsAtUtc).ThenBy(e => e.Slug)
                .Skip((upcomingPage - 1) * size).Take(size).ToListAsync(cancellationToken)).Select(e => EventMapping.ToSummary(e, now))],
            Past = (IReadOnlyList<EventSummaryResponse>)[.. (await past.OrderByDescending(e => e.StartsAtUtc).ThenBy(e => e.Slug)
                .Skip((pastPageNumber - 1) * size).Take(size).ToListAsync(cancellationToken)).Select(e => EventMapping.ToSummary(e, now))],
        });
    }

    private static async Task<RazorComponentResult> EventPage(string slug, HttpContext http, PublicUrls urls, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var e = await EventQueries.LoadWithSessions(db, slug, cancellationToken);
        if (e is null || !e.IsPublished)
        {
            return new RazorComponentResult<NotFoundPage>(new { Message = "There is no published event called '{0}'.", Subject = slug }) { StatusCode = StatusCodes.Status404NotFound };
        }

        var detail = EventMapping.ToDetail(e, clock.GetUtcNow().UtcDateTime);
        return new RazorComponentResult<EventPage>(new { Event = detail, JsonLd = EventStructuredData.ForEvent(detail, urls.BaseUrl(http.Request)) });
    }

    private static async Task<RazorComponentResult> SessionPage(
        string slug, Guid sessionId, HttpContext http, PublicUrls urls, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var e = await EventQueries.LoadWithSessions(db, slug, cancellationToken);
        var session = e is { IsPublished: true } ? e.Sessions.FirstOrDefault(s => s.Id == sessionId) : null;
        if (e is null || session is null)
        {
            return new RazorComponentResult<NotFoundPage>(new { Message = "There is no such session of a published event called '{0}'.", Subject = slug })
            {
                StatusCode = StatusCodes.Status404NotFound,
            };
        }

        var detail = EventMapping.ToDetail(e, clock.GetUtcNow().UtcDateTime);
        var response = detail.Sessions.Single(s => s.Id == sessionId);
        return new RazorComponentResult<SessionPage>(new
        {
            Event = detail,
            Session = response,
            JsonLd = EventStructuredData.ForSession(detail, response, urls.BaseUrl(http.Request)),
        });
    }
}
