using System.Globalization;
using LiveHub.Data;
using LiveHub.Events;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Venues;

/// <summary>Finds the shared venue an event is held at: by its slug, or by name and address (created when new).</summary>
public static class VenueDirectory
{
    /// <summary>
    /// The venue for validated event input, or null for an online-only event. An inline venue with the name, address (and
    /// coordinates, if given) of a known venue is that venue (its coordinates filled in if it had none); otherwise a new
    /// venue, in the event's zone,
    /// which is saved with the event. Returns false (with the field named in <paramref name="errors"/>) for an unknown slug.
    /// </summary>
    /// <param name="allTracked">Every venue is already tracked (see <see cref="TrackAllAsync"/>): no query per event, for imports.</param>
    public static async Task<(bool Found, Venue? Venue)> ResolveAsync(
        LiveHubDbContext db, ValidEvent valid, DateTime now, Problems.ValidationErrors errors, CancellationToken cancellationToken, bool allTracked = false)
    {
        if (valid.VenueSlug is { } slug)
        {
            var bySlug = db.Venues.Local.FirstOrDefault(v => v.Slug == slug)
                ?? (allTracked ? null : await db.Venues.FirstOrDefaultAsync(v => v.Slug == slug, cancellationToken));
            if (bySlug is null)
            {
                errors.Add("venueSlug", $"there is no venue with the slug '{slug}'.");
                return (false, null);
            }

            return (true, bySlug);
        }

        if (valid.VenueName is not { } name)
        {
            return (true, null);
        }

        var address = valid.VenueAddress;
        var candidates = db.Venues.Local.Where(v => v.Name == name && v.Address == address).ToList();
        if (!allTracked)
        {
            candidates.AddRange((await db.Venues.Where(v => v.Name == name && v.Address == address).OrderBy(v => v.CreatedAtUtc).ToListAsync(cancellationToken))
                .Where(v => !candidates.Contains(v)));
        }

        // Other coordinates under the same name and address are another place (a second campus building, say): never
        // moved, since other events are held at the venue as it is.
        var venue = valid.VenueLatitude is not { } latitude
            ? candidates.FirstOrDefault()
            : candidates.FirstOrDefault(v => v.Latitude == latitude && v.Longitude == valid.VenueLongitude) ?? candidates.FirstOrDefault(v => v.Latitude is null);
        if (venue is null)
        {
            venue = new Venue
            {
                Slug = await FreeSlugAsync(db, name, cancellationToken, allTracked),
                Name = name,
                Address = address,
                Latitude = valid.VenueLatitude,
                Longitude = valid.VenueLongitude,
                TimeZoneId = valid.TimeZoneId,
                CreatedAtUtc = now,
                UpdatedAtUtc = now,
            };
            // Tracked at once, so the next event of the same batch (an import, the seeds) finds it; saved with the event.
            db.Venues.Add(venue);
        }
        else if (venue.Latitude is null && valid.VenueLatitude is not null)
        {
            venue.Latitude = valid.VenueLatitude;
            venue.Longitude = valid.VenueLongitude;
            venue.UpdatedAtUtc = now;
        }

        return (true, venue);
    }

    /// <summary>Tracks every venue (a hub has tens, not thousands), so that a batch resolves its venues without a query each.</summary>
    public static Task TrackAllAsync(LiveHubDbContext db, CancellationToken cancellationToken) => db.Venues.LoadAsync(cancellationToken);

    public static async Task<string> FreeSlugAsync(LiveHubDbContext db, string name, CancellationToken cancellationToken, bool allTracked = false)
    {
        var baseSlug = EventValidation.SlugFromTitle(name);
        baseSlug = baseSlug == "event" && !name.Any(char.IsAsciiLetterOrDigit) ? "venue" : baseSlug;
        var candidate = baseSlug;
        for (var n = 2; db.Venues.Local.Any(v => v.Slug == candidate) || (!allTracked && await db.Venues.AnyAsync(v => v.Slug == candidate, cancellationToken)); n++)
        {
            candidate = $"{baseSlug}-{n}";
        }

        return candidate;
    }

    public static string PageUrl(Venue venue) => $"/venues/{venue.Slug}";

    /// <summary>The venue's own map link, else OpenStreetMap at its coordinates, else none.</summary>
    public static string? MapUrl(Venue venue)
    {
        if (venue.MapUrl is not null)
        {
            return venue.MapUrl;
        }

        if (venue.Latitude is not { } lat || venue.Longitude is not { } lon)
        {
            return null;
        }

        var latitude = lat.ToString(CultureInfo.InvariantCulture);
        var longitude = lon.ToString(CultureInfo.InvariantCulture);
        return $"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=17/{latitude}/{longitude}";
    }

    public static VenueDto ToDto(Venue v) =>
        new(v.Name, v.Address, v.Latitude, v.Longitude, v.Slug, PageUrl(v), MapUrl(v), v.TimeZoneId, v.AccessibilityNotes);
}
