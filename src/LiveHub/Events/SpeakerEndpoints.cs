using LiveHub.Data;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Events;

public static class SpeakerEndpoints
{
    public static void MapSpeakerEndpoints(this IEndpointRouteBuilder app)
    {
        var speakers = app.MapGroup("/api/speakers").WithTags("Speakers");
        speakers.MapGet("/", ListSpeakers);
        speakers.MapGet("/{id:guid}", GetSpeaker);

        var manage = app.MapGroup("/api/speakers").WithTags("Speakers")
            .RequireAuthorization(StaffPolicies.Editor).RequireAntiforgeryForCookies();
        manage.MapPost("/", CreateSpeaker);
        manage.MapPut("/{id:guid}", UpdateSpeaker);
        manage.MapDelete("/{id:guid}", DeleteSpeaker);
    }

    private static async Task<Ok<List<SpeakerResponse>>> ListSpeakers(LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var speakers = await db.Speakers.AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(speakers.Select(EventMapping.ToResponse).ToList());
    }

    private static async Task<Results<Ok<SpeakerResponse>, ProblemHttpResult>> GetSpeaker(Guid id, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var speaker = await db.Speakers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        return speaker is null ? NotFound(id) : TypedResults.Ok(EventMapping.ToResponse(speaker));
    }

    private static async Task<Results<Created<SpeakerResponse>, ValidationProblem>> CreateSpeaker(
        SpeakerWriteRequest request, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = EventValidation.Validate(request, out var valid);
        if (valid is null)
        {
            return errors.ToProblem();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var speaker = new Speaker { Name = valid.Name, CreatedAtUtc = now };
        Apply(speaker, valid, now);
        db.Speakers.Add(speaker);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/speakers/{speaker.Id}", EventMapping.ToResponse(speaker));
    }

    private static async Task<Results<Ok<SpeakerResponse>, ValidationProblem, ProblemHttpResult>> UpdateSpeaker(
        Guid id, SpeakerWriteRequest request, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var speaker = await db.Speakers.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (speaker is null)
        {
            return NotFound(id);
        }

        var errors = EventValidation.Validate(request, out var valid);
        if (valid is null)
        {
            return errors.ToProblem();
        }

        Apply(speaker, valid, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(EventMapping.ToResponse(speaker));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSpeaker(Guid id, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var speaker = await db.Speakers.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (speaker is null)
        {
            return NotFound(id);
        }

        // Sessions lose the speaker (links cascade, a chair is set to null); the sessions themselves stay.
        db.Speakers.Remove(speaker);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static void Apply(Speaker speaker, ValidSpeaker valid, DateTime now)
    {
        speaker.Name = valid.Name;
        speaker.Role = valid.Role;
        speaker.Affiliation = valid.Affiliation;
        speaker.BlueskyHandle = valid.BlueskyHandle;
        speaker.Bio = valid.Bio;
        speaker.UpdatedAtUtc = now;
    }

    private static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Speaker not found", detail: $"There is no speaker with the id {id}.");
}
