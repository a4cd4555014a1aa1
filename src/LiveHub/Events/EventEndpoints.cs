using System.Globalization;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Problems;
using LiveHub.Staff;
using LiveHub.Venues;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Events;

public static class EventEndpoints
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static void MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/events").WithTags("Events");
        events.MapGet("/", ListEvents).WithName("ListEvents");
        events.MapGet("/{slug}", GetEvent).WithName("GetEvent");

        var manage = app.MapGroup("/api/events").WithTags("Events")
            .RequireAuthorization(StaffPolicies.Editor).RequireAntiforgeryForCookies();
        manage.MapPost("/", CreateEvent);
        manage.MapPut("/{slug}", UpdateEvent);
        manage.MapDelete("/{slug}", DeleteEvent);
    }

    private static async Task<Results<Ok<PagedResponse<EventSummaryResponse>>, ValidationProblem, ForbidHttpResult, UnauthorizedHttpResult>> ListEvents(
        HttpContext http, LiveHubDbContext db, TimeProvider clock, string? tag, string? from, string? to, string? status, int? page, int? pageSize, bool? includeDrafts,
        string? q, string? month, string? when, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var query = db.Events.AsNoTracking();

        if (includeDrafts == true)
        {
            if (http.User.Identity?.IsAuthenticated != true)
            {
                return TypedResults.Unauthorized();
            }

            if (!http.User.IsInRole(StaffRoles.Editor) && !http.User.IsInRole(StaffRoles.Admin))
            {
                return TypedResults.Forbid();
            }
        }
        else
        {
            query = query.Where(e => e.IsPublished);
        }

        query = EventSearch.Apply(query, db, EventSearch.Parse(errors, q, tag, month));
        var now = clock.GetUtcNow().UtcDateTime;
        var listing = EventSearch.ParseWhen(errors, when);
        query = listing switch
        {
            EventListing.Upcoming => query.Where(e => (e.SeriesEndsAtUtc ?? e.EndsAtUtc) >= now),
            EventListing.Past => query.Where(e => (e.SeriesEndsAtUtc ?? e.EndsAtUtc) < now),
            _ => query,
        };

        if (TryParseDate(errors, "from", from, out var fromUtc) && fromUtc is { } f)
        {
            query = query.Where(e => (e.SeriesEndsAtUtc ?? e.EndsAtUtc) >= f);
        }

        if (TryParseDate(errors, "to", to, out var toUtc) && toUtc is { } t)
        {
            query = query.Where(e => e.StartsAtUtc < t);
        }

        if (!string.IsNullOrWhiteSpace(status))
        {
            if (Enum.TryParse<EventStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(status, out _))
            {
                query = query.Where(e => e.Status == parsed);
            }
            else
            {
                errors.Add("status", "must be one of: scheduled, postponed, cancelled.");
            }
        }

        var pageNumber = page ?? 1;
        var size = pageSize ?? DefaultPageSize;
        if (pageNumber < 1)
        {
            errors.Add("page", "must be 1 or more.");
        }

        if (size is < 1 or > MaxPageSize)
        {
            errors.Add("pageSize", $"must be between 1 and {MaxPageSize}.");
        }

        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        var total = await query.CountAsync(cancellationToken);
        var ordered = listing == EventListing.Past
            ? query.OrderByDescending(e => e.StartsAtUtc).ThenBy(e => e.Slug)
            : query.OrderBy(e => e.StartsAtUtc).ThenBy(e => e.Slug);
        var items = await ordered.Skip((pageNumber - 1) * size).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedResponse<EventSummaryResponse>([.. items.Select(e => EventMapping.ToSummary(e, now))], pageNumber, size, total));
    }

    private static async Task<Results<Ok<EventDetailResponse>, ProblemHttpResult>> GetEvent(
        string slug, HttpContext http, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var e = await EventQueries.LoadWithSessions(db, slug, cancellationToken);
        var canSeeDrafts = http.User.IsInRole(StaffRoles.Editor) || http.User.IsInRole(StaffRoles.Admin);
        if (e is null || (!e.IsPublished && !canSeeDrafts))
        {
            return EventQueries.EventNotFound(slug);
        }

        return TypedResults.Ok(EventMapping.ToDetail(e, clock.GetUtcNow().UtcDateTime));
    }

    private static async Task<Results<Created<EventDetailResponse>, ValidationProblem, ProblemHttpResult>> CreateEvent(
        EventWriteRequest request, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = EventValidation.Validate(request, out var valid);
        if (valid is null)
        {
            return errors.ToProblem();
        }

        var slug = valid.Slug ?? await EventQueries.FreeSlug(db, EventValidation.SlugFromTitle(valid.Title), cancellationToken);
        if (valid.Slug is not null && await EventQueries.SlugTaken(db, slug, exceptId: null, cancellationToken))
        {
            errors.Add("slug", $"'{slug}' is already used by another event (slugs of deleted events stay reserved).");
            return errors.ToConflict("Duplicate slug");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var (found, venue) = await VenueDirectory.ResolveAsync(db, valid, now, errors, cancellationToken);
        if (!found)
        {
            return errors.ToProblem();
        }

        var e = new Event { Slug = slug, Title = valid.Title, TimeZoneId = valid.TimeZoneId, CreatedAtUtc = now, UpdatedAtUtc = now };
        EventChanges.Apply(e, valid, slug, now, venue);
        e.Revision = 0;
        db.Events.Add(e);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/events/{e.Slug}", EventMapping.ToDetail(e, now));
    }

    private static async Task<Results<Ok<EventDetailResponse>, ValidationProblem, ProblemHttpResult>> UpdateEvent(
        string slug, EventWriteRequest request, LiveHubDbContext db, LiveStreamClosing closing, TimeProvider clock, CancellationToken cancellationToken)
    {
        var e = await EventQueries.LoadWithSessions(db, slug, cancellationToken, tracking: true);
        if (e is null)
        {
            return EventQueries.EventNotFound(slug);
        }

        var errors = EventValidation.Validate(request, out var valid);
        if (valid is null)
        {
            return errors.ToProblem();
        }

        var newSlug = valid.Slug ?? e.Slug;
        if (newSlug != e.Slug && await EventQueries.SlugTaken(db, newSlug, e.Id, cancellationToken))
        {
            errors.Add("slug", $"'{newSlug}' is already used by another event (slugs of deleted events stay reserved).");
            return errors.ToConflict("Duplicate slug");
        }

        var outside = e.Sessions.Where(s => s.StartsAtUtc < valid.StartsAtUtc || s.EndsAtUtc > valid.EndsAtUtc).ToList();
        if (outside.Count > 0 && valid.Status != EventStatus.Postponed)
        {
            errors.Add("startsAt", $"{outside.Count} session(s) would fall outside the new dates ({string.Join(", ", outside.Select(s => s.Title))}); move them first, or mark the event postponed.");
            return errors.ToProblem();
        }

        ValidSeries? series = null;
        if (SeriesChanges.AsRequest(e) is { } current)
        {
            VenueTime.TryFindZone(valid.TimeZoneId, out var zone);
            var seriesErrors = SeriesValidation.Validate(current, valid.StartsAtUtc, valid.EndsAtUtc, zone, out series);
            if (series is null)
            {
                var reasons = seriesErrors.ToDictionary().Select(kv => $"{kv.Key} {string.Join(" ", kv.Value)}");
                errors.Add("startsAt", $"the event repeats, and with these dates its series would not hold ({string.Join(" ", reasons)}); change the series first (PUT /api/events/{e.Slug}/series).");
                return errors.ToProblem();
            }
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var (found, venue) = await VenueDirectory.ResolveAsync(db, valid, now, errors, cancellationToken);
        if (!found)
        {
            return errors.ToProblem();
        }

        var wasPublished = e.IsPublished;
        EventChanges.Apply(e, valid, newSlug, now, venue);
        if (series is not null)
        {
            SeriesChanges.Apply(e, series, now);
            e.SeriesEndsAtUtc = series.SeriesEndsAtUtc;
        }

        if (wasPublished && !e.IsPublished)
        {
            await closing.SaveAndCloseAsync(e.Id, sessionId: null, cancellationToken);
        }
        else
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(EventMapping.ToDetail(e, now));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteEvent(
        string slug, LiveHubDbContext db, LiveStreamClosing closing, TimeProvider clock, CancellationToken cancellationToken)
    {
        var e = await db.Events.FirstOrDefaultAsync(x => x.Slug == slug, cancellationToken);
        if (e is null)
        {
            return EventQueries.EventNotFound(slug);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        e.DeletedAtUtc = now;
        e.Revision++;
        e.UpdatedAtUtc = now;
        await closing.SaveAndCloseAsync(e.Id, sessionId: null, cancellationToken);
        return TypedResults.NoContent();
    }

    private static bool TryParseDate(ValidationErrors errors, string field, string? value, out DateTime? utc)
    {
        utc = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            && parsed.Year is >= 1900 and <= 2200)
        {
            utc = parsed.UtcDateTime;
            return true;
        }

        errors.Add(field, "must be an ISO 8601 date or date-time, like '2026-11-01' or '2026-11-01T09:00:00Z'.");
        return false;
    }
}

internal static class EventQueries
{
    public static Task<Event?> LoadWithSessions(LiveHubDbContext db, string slug, CancellationToken cancellationToken, bool tracking = false)
    {
        IQueryable<Event> query = db.Events
            .Include(e => e.Sessions).ThenInclude(s => s.Chair)
            .Include(e => e.Sessions).ThenInclude(s => s.Speakers).ThenInclude(x => x.Speaker)
            .AsSplitQuery();
        if (!tracking)
        {
            query = query.AsNoTracking();
        }

        return query.FirstOrDefaultAsync(e => e.Slug == slug, cancellationToken);
    }

    public static Task<bool> SlugTaken(LiveHubDbContext db, string slug, Guid? exceptId, CancellationToken cancellationToken) =>
        db.Events.IgnoreQueryFilters().AnyAsync(e => e.Slug == slug && e.Id != exceptId, cancellationToken);

    public static async Task<string> FreeSlug(LiveHubDbContext db, string baseSlug, CancellationToken cancellationToken)
    {
        var candidate = baseSlug;
        for (var n = 2; await SlugTaken(db, candidate, null, cancellationToken); n++)
        {
            candidate = $"{baseSlug}-{n}";
        }

        return candidate;
    }

    public static ProblemHttpResult EventNotFound(string slug) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Event not found", detail: $"There is no event with the slug '{slug}'.");
}
