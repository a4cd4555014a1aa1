using System.Globalization;
using LiveHub.Data;
using LiveHub.Problems;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveHub.Events;

/// <summary>
/// /api/events/{slug}/series: make an event a recurring series (rule, skipped dates, changed dates), change it, or
/// make it a one-off again. The event's own start and end are the series' first date.
/// </summary>
public static class SeriesEndpoints
{
    public static void MapSeriesEndpoints(this IEndpointRouteBuilder app)
    {
        var manage = app.MapGroup("/api/events/{slug}/series").WithTags("Events")
            .RequireAuthorization(StaffPolicies.Editor).RequireAntiforgeryForCookies();
        manage.MapPut("/", PutSeries);
        manage.MapDelete("/", DeleteSeries);
    }

    private static async Task<Results<Ok<EventDetailResponse>, ValidationProblem, ProblemHttpResult>> PutSeries(
        string slug, SeriesWriteRequest request, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var e = await EventQueries.LoadWithSessions(db, slug, cancellationToken, tracking: true);
        if (e is null)
        {
            return EventQueries.EventNotFound(slug);
        }

        VenueTime.TryFindZone(e.TimeZoneId, out var zone);
        var errors = SeriesValidation.Validate(request, e.StartsAtUtc, e.EndsAtUtc, zone, out var valid);
        if (valid is null)
        {
            return errors.ToProblem("The series has invalid fields.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        SeriesChanges.Apply(e, valid, now);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(EventMapping.ToDetail(e, now));
    }

    private static async Task<Results<Ok<EventDetailResponse>, ProblemHttpResult>> DeleteSeries(
        string slug, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var e = await EventQueries.LoadWithSessions(db, slug, cancellationToken, tracking: true);
        if (e is null)
        {
            return EventQueries.EventNotFound(slug);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        SeriesChanges.Apply(e, null, now);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(EventMapping.ToDetail(e, now));
    }
}

/// <summary>Applies a validated series to an event; like every change a subscriber can see, it bumps the revision (SEQUENCE).</summary>
internal static class SeriesChanges
{
    /// <param name="series">Null makes the event a one-off again.</param>
    public static bool Apply(Event e, ValidSeries? series, DateTime now)
    {
        var before = Fingerprint(e);
        e.RecurrenceRule = series?.Rule;
        e.SeriesEndsAtUtc = series?.SeriesEndsAtUtc;
        var exceptions = series?.ExceptionsUtc ?? [];
        e.SeriesExceptions.RemoveAll(x => !exceptions.Contains(x.OriginalStartUtc));
        foreach (var utc in exceptions.Where(utc => e.SeriesExceptions.All(x => x.OriginalStartUtc != utc)))
        {
            e.SeriesExceptions.Add(new SeriesException { EventId = e.Id, OriginalStartUtc = utc });
        }

        // Rows are updated in place (their key is the date they change), never removed and added again.
        var overrides = (series?.Overrides ?? []).ToDictionary(o => o.OriginalStartUtc);
        e.SeriesOverrides.RemoveAll(x => !overrides.ContainsKey(x.OriginalStartUtc));
        foreach (var o in overrides.Values)
        {
            var row = e.SeriesOverrides.FirstOrDefault(x => x.OriginalStartUtc == o.OriginalStartUtc);
            if (row is null)
            {
                row = new SeriesOverride { EventId = e.Id, OriginalStartUtc = o.OriginalStartUtc };
                e.SeriesOverrides.Add(row);
            }

            row.StartsAtUtc = o.StartsAtUtc;
            row.EndsAtUtc = o.EndsAtUtc;
            row.Title = o.Title;
            row.Status = o.Status;
        }

        if (before == Fingerprint(e))
        {
            return false;
        }

        e.Revision++;
        e.UpdatedAtUtc = now;
        return true;
    }

    /// <summary>The event's series as a request, to check it again against new event dates or a new zone.</summary>
    public static SeriesWriteRequest? AsRequest(Event e) => e.RecurrenceRule is null ? null : new SeriesWriteRequest(
        e.RecurrenceRule,
        [.. e.SeriesExceptions.Select(x => Iso(x.OriginalStartUtc))],
        [.. e.SeriesOverrides.Select(o => new SeriesOverrideRequest(Iso(o.OriginalStartUtc), Iso(o.StartsAtUtc), Iso(o.EndsAtUtc), o.Title, o.Status))]);

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Fingerprint(Event e) => string.Join('\u001f',
        e.RecurrenceRule,
        string.Join(',', e.SeriesExceptions.Select(x => x.OriginalStartUtc.Ticks).Order()),
        string.Join(',', e.SeriesOverrides.OrderBy(o => o.OriginalStartUtc).Select(o => $"{o.OriginalStartUtc.Ticks}|{o.StartsAtUtc.Ticks}|{o.EndsAtUtc.Ticks}|{o.Title}|{o.Status}")));
}
