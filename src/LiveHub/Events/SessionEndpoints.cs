using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Problems;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Events;

public static class SessionEndpoints
{
    public static void MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events/{slug}/sessions/{id:guid}", GetSession).WithTags("Sessions");

        var manage = app.MapGroup("/api/events/{slug}/sessions").WithTags("Sessions")
            .RequireAuthorization(StaffPolicies.Editor).RequireAntiforgeryForCookies();
        manage.MapPost("/", CreateSession);
        manage.MapPut("/{id:guid}", UpdateSession);
        manage.MapDelete("/{id:guid}", DeleteSession);
    }

    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> GetSession(
        string slug, Guid id, HttpContext http, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var e = await EventQueries.LoadWithSessions(db, slug, cancellationToken);
        var canSeeDrafts = http.User.IsInRole(StaffRoles.Editor) || http.User.IsInRole(StaffRoles.Admin);
        if (e is null || (!e.IsPublished && !canSeeDrafts))
        {
            return EventQueries.EventNotFound(slug);
        }

        var session = e.Sessions.FirstOrDefault(s => s.Id == id);
        return session is null ? SessionNotFound(slug, id) : TypedResults.Ok(EventMapping.ToResponse(session, e.TimeZoneId));
    }

    private static async Task<Results<Created<SessionResponse>, ValidationProblem, ProblemHttpResult>> CreateSession(
        string slug, SessionWriteRequest request, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var e = await db.Events.FirstOrDefaultAsync(x => x.Slug == slug, cancellationToken);
        if (e is null)
        {
            return EventQueries.EventNotFound(slug);
        }

        var errors = EventValidation.Validate(request, e, out var valid);
        if (valid is null)
        {
            return errors.ToProblem();
        }

        if (await CheckSpeakersExist(db, valid, errors, cancellationToken) is { } problem)
        {
            return problem;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var session = new Session { EventId = e.Id, Title = valid.Title, CreatedAtUtc = now, UpdatedAtUtc = now };
        EventChanges.Apply(session, valid, now);
        session.Revision = 0;
        db.Sessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        var saved = await LoadSession(db, session.Id, cancellationToken);
        return TypedResults.Created($"/api/events/{slug}/sessions/{session.Id}", EventMapping.ToResponse(saved!, e.TimeZoneId));
    }

    private static async Task<Results<Ok<SessionResponse>, ValidationProblem, ProblemHttpResult>> UpdateSession(
        string slug, Guid id, SessionWriteRequest request, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var e = await db.Events.FirstOrDefaultAsync(x => x.Slug == slug, cancellationToken);
        if (e is null)
        {
            return EventQueries.EventNotFound(slug);
        }

        var session = await db.Sessions.Include(s => s.Speakers).FirstOrDefaultAsync(s => s.Id == id && s.EventId == e.Id, cancellationToken);
        if (session is null)
        {
            return SessionNotFound(slug, id);
        }

        var errors = EventValidation.Validate(request, e, out var valid);
        if (valid is null)
        {
            return errors.ToProblem();
        }

        if (await CheckSpeakersExist(db, valid, errors, cancellationToken) is { } problem)
        {
            return problem;
        }

        EventChanges.Apply(session, valid, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        var saved = await LoadSession(db, session.Id, cancellationToken);
        return TypedResults.Ok(EventMapping.ToResponse(saved!, e.TimeZoneId));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSession(
        string slug, Guid id, LiveHubDbContext db, LiveStreamClosing closing, TimeProvider clock, CancellationToken cancellationToken)
    {
        var session = await db.Sessions.FirstOrDefaultAsync(s => s.Id == id && s.Event!.Slug == slug, cancellationToken);
        if (session is null)
        {
            return SessionNotFound(slug, id);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        session.DeletedAtUtc = now;
        session.Revision++;
        session.UpdatedAtUtc = now;
        await closing.SaveAndCloseAsync(session.EventId, session.Id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<ValidationProblem?> CheckSpeakersExist(LiveHubDbContext db, ValidSession valid, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var wanted = valid.SpeakerIds.Concat(valid.ChairId is { } chair ? [chair] : []).Distinct().ToList();
        var known = await db.Speakers.Where(s => wanted.Contains(s.Id)).Select(s => s.Id).ToListAsync(cancellationToken);
        if (valid.ChairId is { } chairId && !known.Contains(chairId))
        {
            errors.Add("chairId", $"no speaker has the id {chairId}.");
        }

        for (var i = 0; i < valid.SpeakerIds.Count; i++)
        {
            if (!known.Contains(valid.SpeakerIds[i]))
            {
                errors.Add($"speakerIds[{i}]", $"no speaker has the id {valid.SpeakerIds[i]}.");
            }
        }

        return errors.HasErrors ? errors.ToProblem() : null;
    }

    private static Task<Session?> LoadSession(LiveHubDbContext db, Guid id, CancellationToken cancellationToken) =>
        db.Sessions.AsNoTracking().Include(s => s.Chair).Include(s => s.Speakers).ThenInclude(x => x.Speaker)
            .FirstOrDefaultAsync(s => s.Id == id, cancellationToken);

    private static ProblemHttpResult SessionNotFound(string slug, Guid id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: $"The event '{slug}' has no session with the id {id}.");
}
