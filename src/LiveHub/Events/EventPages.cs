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
    }

    private static async Task<RazorComponentResult<EventsListPage>> EventsList(string? tag, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var published = await db.Events.AsNoTracking().Where(e => e.IsPublished).OrderBy(e => e.StartsAtUtc).ToListAsync(cancellationToken);
        var tags = published.SelectMany(e => e.Tags).Distinct().Order(StringComparer.Ordinal).ToList();
        var normalisedTag = string.IsNullOrWhiteSpace(tag) ? null : tag.Trim().ToLowerInvariant();
        var shown = normalisedTag is null ? published : published.Where(e => e.Tags.Contains(normalisedTag)).ToList();
        return new RazorComponentResult<EventsListPage>(new
        {
            Tag = normalisedTag,
            Tags = (IReadOnlyList<string>)tags,
            Upcoming = (IReadOnlyList<EventSummaryResponse>)[.. shown.Where(e => e.EndsAtUtc >= now).Select(EventMapping.ToSummary)],
            Past = (IReadOnlyList<EventSummaryResponse>)[.. shown.Where(e => e.EndsAtUtc < now).OrderByDescending(e => e.StartsAtUtc).Select(EventMapping.ToSummary)],
        });
    }

    private static async Task<RazorComponentResult> EventPage(string slug, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var e = await EventQueries.LoadWithSessions(db, slug, cancellationToken);
        if (e is null || !e.IsPublished)
        {
            return new RazorComponentResult<NotFoundPage>(new { Message = $"There is no published event called '{slug}'." }) { StatusCode = StatusCodes.Status404NotFound };
        }

        return new RazorComponentResult<EventPage>(new { Event = EventMapping.ToDetail(e) });
    }
}
