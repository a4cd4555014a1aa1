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

    /// <summary>Editors see every speaker; the public only those a published event already shows (see <see cref="Public"/>).</summary>
    private static async Task<Ok<List<SpeakerResponse>>> ListSpeakers(HttpContext http, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var speakers = await Readable(http, db).AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(speakers.Select(EventMapping.ToResponse).ToList());
    }

    private static async Task<Results<Ok<SpeakerResponse>, ProblemHttpResult>> GetSpeaker(Guid id, HttpContext http, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var speaker = await Readable(http, db).AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        return speaker is null ? NotFound(id) : TypedResults.Ok(EventMapping.ToResponse(speaker));
    }

    private static IQueryable<Speaker> Readable(HttpContext http, LiveHubDbContext db) =>
        http.User.IsInRole(StaffRoles.Editor) || http.User.IsInRole(StaffRoles.Admin) ? db.Speakers : Public(db);

    /// <summary>
    /// Speakers a published event already shows: the chair or a speaker of one of its (not deleted) sessions, or
    /// quoted in a (not deleted) live post of one of its public streams. A speaker added for a draft stays unlisted
    /// until the event is published, so the public API cannot announce a programme before the hub does.
    /// </summary>
    internal static IQueryable<Speaker> Public(LiveHubDbContext db) =>
        db.Speakers.Where(sp =>
            db.Sessions.Any(s => (s.ChairId == sp.Id || s.Speakers.Any(x => x.SpeakerId == sp.Id)) && db.Events.Any(e => e.Id == s.EventId && e.IsPublished))
            || db.LivePosts.Any(p => p.SpeakerId == sp.Id && p.DeletedAtUtc == null && db.LiveStreams.Any(st => st.Id == p.StreamId
                && db.Events.Any(e => e.Id == st.EventId && e.IsPublished)
                && (st.SessionId == null || db.Sessions.Any(x => x.Id == st.SessionId)))));

    private static async Task<Results<Created<SpeakerResponse>, ValidationProblem, ProblemHttpResult>> CreateSpeaker(
        SpeakerWriteRequest request, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = EventValidation.Validate(request, out var valid);
        if (valid is null)
        {
            return errors.ToProblem();
        }

        if (valid.Slug is not null && await SlugTaken(db, valid.Slug, exceptId: null, cancellationToken))
        {
            errors.Add("slug", $"'{valid.Slug}' is already used by another speaker.");
            return errors.ToConflict("Duplicate slug");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var slug = valid.Slug ?? await FreeSlugAsync(db, valid.Name, cancellationToken);
        var speaker = new Speaker { Name = valid.Name, Slug = slug, CreatedAtUtc = now };
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

        if (valid.Slug is not null && valid.Slug != speaker.Slug && await SlugTaken(db, valid.Slug, speaker.Id, cancellationToken))
        {
            errors.Add("slug", $"'{valid.Slug}' is already used by another speaker.");
            return errors.ToConflict("Duplicate slug");
        }

        speaker.Slug = valid.Slug ?? speaker.Slug;
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
        speaker.BioCy = valid.BioCy;
        speaker.PhotoUrl = valid.PhotoUrl;
        speaker.PhotoAltText = valid.PhotoAltText;
        speaker.Links = valid.Links;
        speaker.UpdatedAtUtc = now;
    }

    /// <summary>Creates a speaker from validated input, with a free slug (seeds use this too).</summary>
    internal static async Task<Speaker> NewAsync(LiveHubDbContext db, ValidSpeaker valid, DateTime now, CancellationToken cancellationToken)
    {
        var speaker = new Speaker { Name = valid.Name, Slug = valid.Slug ?? await FreeSlugAsync(db, valid.Name, cancellationToken), CreatedAtUtc = now };
        Apply(speaker, valid, now);
        return speaker;
    }

    private static Task<bool> SlugTaken(LiveHubDbContext db, string slug, Guid? exceptId, CancellationToken cancellationToken) =>
        db.Speakers.AnyAsync(s => s.Slug == slug && s.Id != exceptId, cancellationToken);

    /// <summary>"Dr Ada Lovelace" becomes "dr-ada-lovelace", or "dr-ada-lovelace-2" when that is taken (also by a speaker added but not yet saved).</summary>
    internal static async Task<string> FreeSlugAsync(LiveHubDbContext db, string name, CancellationToken cancellationToken)
    {
        var baseSlug = EventValidation.SlugFromTitle(name);
        baseSlug = baseSlug == "event" && !name.Any(char.IsAsciiLetterOrDigit) ? "speaker" : baseSlug;
        var candidate = baseSlug;
        for (var n = 2; db.Speakers.Local.Any(s => s.Slug == candidate) || await SlugTaken(db, candidate, null, cancellationToken); n++)
        {
            candidate = $"{baseSlug}-{n}";
        }

        return candidate;
    }

    private static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Speaker not found", detail: $"There is no speaker with the id {id}.");
}
