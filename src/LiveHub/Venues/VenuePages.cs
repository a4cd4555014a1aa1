using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Pages;
using LiveHub.Venues.Pages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Venues;

/// <summary>/venues and /venues/{slug}: venues of published events, each with the published events held there.</summary>
public static class VenuePages
{
    public static void MapVenuePages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/venues", VenuesList).ExcludeFromDescription();
        app.MapGet("/venues/{slug}", VenuePage).ExcludeFromDescription();
    }

    private static async Task<RazorComponentResult<VenuesListPage>> VenuesList(LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var venues = await VenueEndpoints.Public(db).AsNoTracking().OrderBy(v => v.Name).ThenBy(v => v.Slug).ToListAsync(cancellationToken);
        return new RazorComponentResult<VenuesListPage>(new { Venues = (IReadOnlyList<VenueResponse>)[.. venues.Select(VenueEndpoints.ToResponse)] });
    }

    private static async Task<RazorComponentResult> VenuePage(string slug, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var venue = await VenueEndpoints.Public(db).AsNoTracking().FirstOrDefaultAsync(v => v.Slug == slug, cancellationToken);
        if (venue is null)
        {
            return new RazorComponentResult<NotFoundPage>(new { Message = "There is no venue called '{0}'.", Subject = slug }) { StatusCode = StatusCodes.Status404NotFound };
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var events = await db.Events.AsNoTracking().Where(e => e.VenueId == venue.Id && e.IsPublished).OrderBy(e => e.StartsAtUtc).ToListAsync(cancellationToken);
        return new RazorComponentResult<VenuePage>(new
        {
            Venue = VenueEndpoints.ToResponse(venue),
            Upcoming = (IReadOnlyList<EventSummaryResponse>)[.. events.Where(e => (e.SeriesEndsAtUtc ?? e.EndsAtUtc) >= now).Select(e => EventMapping.ToSummary(e, now))],
            Past = (IReadOnlyList<EventSummaryResponse>)[.. events.Where(e => (e.SeriesEndsAtUtc ?? e.EndsAtUtc) < now).OrderByDescending(e => e.StartsAtUtc).Select(e => EventMapping.ToSummary(e, now))],
        });
    }
}
