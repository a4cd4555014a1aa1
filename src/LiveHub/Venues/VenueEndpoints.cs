using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Problems;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Venues;

public sealed record VenueWriteRequest(
    string? Name,
    string? Address = null,
    double? Latitude = null,
    double? Longitude = null,
    string? MapUrl = null,
    string? TimeZone = null,
    string? AccessibilityNotes = null,
    string? Slug = null);

public sealed record VenueResponse(
    Guid Id,
    string Slug,
    string Name,
    string? Address,
    double? Latitude,
    double? Longitude,
    string? MapUrl,
    string? TimeZone,
    string? AccessibilityNotes,
    string PageUrl,
    DateTimeOffset UpdatedAt);

internal sealed record ValidVenue(string? Slug, string Name, string? Address, double? Latitude, double? Longitude, string? MapUrl, string? TimeZoneId, string? AccessibilityNotes);

/// <summary>/api/venues: anyone reads the venues of published events; editors read all and manage them.</summary>
public static class VenueEndpoints
{
    public static void MapVenueEndpoints(this IEndpointRouteBuilder app)
    {
        var venues = app.MapGroup("/api/venues").WithTags("Venues");
        venues.MapGet("/", ListVenues);
        venues.MapGet("/{slug}", GetVenue);

        var manage = app.MapGroup("/api/venues").WithTags("Venues")
            .RequireAuthorization(StaffPolicies.Editor).RequireAntiforgeryForCookies();
        manage.MapPost("/", CreateVenue);
        manage.MapPut("/{slug}", UpdateVenue);
        manage.MapDelete("/{slug}", DeleteVenue);
    }

    /// <summary>Venues a published event is held at: a venue typed in for a draft stays unlisted until the event is published.</summary>
    internal static IQueryable<Venue> Public(LiveHubDbContext db) =>
        db.Venues.Where(v => db.Events.Any(e => e.VenueId == v.Id && e.IsPublished));

    private static IQueryable<Venue> Readable(HttpContext http, LiveHubDbContext db) =>
        http.User.IsInRole(StaffRoles.Editor) || http.User.IsInRole(StaffRoles.Admin) ? db.Venues : Public(db);

    private static async Task<Ok<List<VenueResponse>>> ListVenues(HttpContext http, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var venues = await Readable(http, db).AsNoTracking().OrderBy(v => v.Name).ThenBy(v => v.Slug).ToListAsync(cancellationToken);
        return TypedResults.Ok(venues.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<VenueResponse>, ProblemHttpResult>> GetVenue(string slug, HttpContext http, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var venue = await Readable(http, db).AsNoTracking().FirstOrDefaultAsync(v => v.Slug == slug, cancellationToken);
        return venue is null ? NotFound(slug) : TypedResults.Ok(ToResponse(venue));
    }

    private static async Task<Results<Created<VenueResponse>, ValidationProblem, ProblemHttpResult>> CreateVenue(
        VenueWriteRequest request, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = Validate(request, out var valid);
        if (valid is null)
        {
            return errors.ToProblem();
        }

        if (valid.Slug is not null && await db.Venues.AnyAsync(v => v.Slug == valid.Slug, cancellationToken))
        {
            errors.Add("slug", $"'{valid.Slug}' is already used by another venue.");
            return errors.ToConflict("Duplicate slug");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var venue = new Venue { Slug = valid.Slug ?? await VenueDirectory.FreeSlugAsync(db, valid.Name, cancellationToken), Name = valid.Name, CreatedAtUtc = now };
        Apply(venue, valid, now);
        db.Venues.Add(venue);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/venues/{venue.Slug}", ToResponse(venue));
    }

    private static async Task<Results<Ok<VenueResponse>, ValidationProblem, ProblemHttpResult>> UpdateVenue(
        string slug, VenueWriteRequest request, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var venue = await db.Venues.FirstOrDefaultAsync(v => v.Slug == slug, cancellationToken);
        if (venue is null)
        {
            return NotFound(slug);
        }

        var errors = Validate(request, out var valid);
        if (valid is null)
        {
            return errors.ToProblem();
        }

        if (valid.Slug is not null && valid.Slug != venue.Slug && await db.Venues.AnyAsync(v => v.Slug == valid.Slug, cancellationToken))
        {
            errors.Add("slug", $"'{valid.Slug}' is already used by another venue.");
            return errors.ToConflict("Duplicate slug");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var location = (venue.Name, venue.Address, venue.Latitude, venue.Longitude);
        venue.Slug = valid.Slug ?? venue.Slug;
        Apply(venue, valid, now);
        if (location != (venue.Name, venue.Address, venue.Latitude, venue.Longitude))
        {
            // Calendar feeds carry the venue as LOCATION and GEO: its events changed for subscribers, so their SEQUENCE moves on.
            var events = await db.Events.IgnoreQueryFilters().Where(e => e.VenueId == venue.Id).ToListAsync(cancellationToken);
            foreach (var e in events)
            {
                e.Revision++;
                e.UpdatedAtUtc = now;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(venue));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteVenue(string slug, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var venue = await db.Venues.FirstOrDefaultAsync(v => v.Slug == slug, cancellationToken);
        if (venue is null)
        {
            return NotFound(slug);
        }

        // Deleted events keep their venue too (their feeds answer 410 Gone but the rows stay), so they count.
        var used = await db.Events.IgnoreQueryFilters().CountAsync(e => e.VenueId == venue.Id, cancellationToken);
        if (used > 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The venue is in use",
                detail: $"{used} event(s) are held at '{venue.Name}'; move them to another venue first.");
        }

        db.Venues.Remove(venue);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static ValidationErrors Validate(VenueWriteRequest request, out ValidVenue? valid)
    {
        valid = null;
        var errors = new ValidationErrors();
        var slug = EventValidation.ValidateSlug(errors, "slug", request.Slug, VenueLimits.Slug, "the-exchange");
        var name = EventValidation.Clean(request.Name);
        errors.Required("name", name);
        errors.MaxLength("name", name, VenueLimits.Name);
        var address = EventValidation.Clean(request.Address);
        errors.MaxLength("address", address, VenueLimits.Address);
        if (request.Latitude is { } lat && (double.IsNaN(lat) || lat is < -90 or > 90))
        {
            errors.Add("latitude", "must be between -90 and 90.");
        }

        if (request.Longitude is { } lon && (double.IsNaN(lon) || lon is < -180 or > 180))
        {
            errors.Add("longitude", "must be between -180 and 180.");
        }

        if (request.Latitude.HasValue != request.Longitude.HasValue)
        {
            errors.Add(request.Latitude.HasValue ? "longitude" : "latitude", "latitude and longitude must be given together.");
        }

        var mapUrl = EventValidation.Clean(request.MapUrl);
        errors.HttpUrl("mapUrl", mapUrl, EventLimits.Url);
        var zoneId = EventValidation.Clean(request.TimeZone);
        string? zone = null;
        if (zoneId is not null)
        {
            if (VenueTime.TryFindZone(zoneId, out var found))
            {
                zone = found.Id;
            }
            else
            {
                errors.Add("timeZone", $"'{zoneId}' is not a known IANA time zone id (for example 'Europe/London').");
            }
        }

        var notes = EventValidation.CleanMultiline(request.AccessibilityNotes);
        errors.MaxLength("accessibilityNotes", notes, VenueLimits.AccessibilityNotes);
        if (!errors.HasErrors)
        {
            valid = new ValidVenue(slug, name!, address, request.Latitude, request.Longitude, mapUrl, zone, notes);
        }

        return errors;
    }

    private static void Apply(Venue venue, ValidVenue valid, DateTime now)
    {
        venue.Name = valid.Name;
        venue.Address = valid.Address;
        venue.Latitude = valid.Latitude;
        venue.Longitude = valid.Longitude;
        venue.MapUrl = valid.MapUrl;
        venue.TimeZoneId = valid.TimeZoneId;
        venue.AccessibilityNotes = valid.AccessibilityNotes;
        venue.UpdatedAtUtc = now;
    }

    internal static VenueResponse ToResponse(Venue v) => new(
        v.Id, v.Slug, v.Name, v.Address, v.Latitude, v.Longitude, VenueDirectory.MapUrl(v), v.TimeZoneId, v.AccessibilityNotes,
        VenueDirectory.PageUrl(v), new DateTimeOffset(DateTime.SpecifyKind(v.UpdatedAtUtc, DateTimeKind.Utc), TimeSpan.Zero));

    private static ProblemHttpResult NotFound(string slug) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Venue not found", detail: $"There is no venue with the slug '{slug}'.");
}
