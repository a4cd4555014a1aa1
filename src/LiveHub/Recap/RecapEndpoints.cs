using LiveHub.Calendar;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Live;
using LiveHub.Problems;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Recap;

public sealed record RecapResponse(
    Guid Id,
    Guid StreamId,
    Guid EventId,
    Guid SessionId,
    string Title,
    string Body,
    string Html,
    DateTimeOffset? EditedAt,
    string? EditedBy,
    bool Published,
    string? PublishedTitle,
    DateTimeOffset? PublishedAt,
    string? PublishedBy,
    bool DraftDiffersFromPublished,
    string PageUrl,
    int Version,
    RecapBlueskyResponse? Bluesky);

/// <summary>The recap's quote post on Bluesky, once asked for: its outbox state, and its address once posted.</summary>
public sealed record RecapBlueskyResponse(string State, string? Uri, string? Error);

public sealed record RecapEditRequest(string? Title, string? Body, int? Version);

/// <param name="PostToBluesky">Also post the recap to Bluesky, once, as a post quoting the coverage thread's root.</param>
public sealed record RecapPublishRequest(bool PostToBluesky = false);

/// <summary>Staff (editors) build, edit, publish and withdraw a session's recap.</summary>
public static class RecapEndpoints
{
    public static void MapRecapEndpoints(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api/streams/{streamId:guid}/recap").WithTags("Recaps")
            .RequireAuthorization(StaffPolicies.Editor).RequireAntiforgeryForCookies();
        staff.MapGet("/", Get);
        staff.MapPost("/", Rebuild);
        staff.MapPut("/", Edit);
        staff.MapPost("/publish", Publish);
        staff.MapDelete("/publish", Withdraw);
    }

    private static async Task<Results<Ok<RecapResponse>, ProblemHttpResult>> Get(Guid streamId, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var (recap, problem) = await LoadAsync(db, streamId, cancellationToken);
        return recap is null ? problem! : TypedResults.Ok(await ToResponseAsync(db, recap, cancellationToken));
    }

    /// <summary>Builds the draft from the posts again (staff edits are replaced), or for the first time.</summary>
    private static async Task<Results<Ok<RecapResponse>, ProblemHttpResult>> Rebuild(Guid streamId, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var stream = await db.LiveStreams.Where(s => s.Id == streamId).Visible(db).FirstOrDefaultAsync(cancellationToken);
        if (stream is null)
        {
            return LiveEndpoints.StreamNotFound(streamId);
        }

        if (stream.SessionId is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Recaps are per session",
                detail: "The event-wide stream has no recap: build one from a session's stream.");
        }

        if (stream.State != CoverageState.Ended)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Coverage has not ended",
                detail: "A recap is built from the coverage once it has ended: end the session's coverage first.");
        }

        var recap = await RecapDrafts.BuildOrRefreshAsync(db, stream, clock.GetUtcNow().UtcDateTime, stream.LastChange, overwriteEdits: true, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request created the recap at the same moment (one per stream).
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The recap was built meanwhile",
                detail: "Someone else built this recap at the same moment: reload it.");
        }

        return TypedResults.Ok(await ToResponseAsync(db, recap!, cancellationToken));
    }

    private static async Task<Results<Ok<RecapResponse>, ValidationProblem, ProblemHttpResult>> Edit(
        Guid streamId, RecapEditRequest request, HttpContext http, LiveHubDbContext db, UserManager<StaffUser> users, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (recap, problem) = await LoadAsync(db, streamId, cancellationToken);
        if (recap is null)
        {
            return problem!;
        }

        var errors = new ValidationErrors();
        var title = EventValidation.Clean(request.Title);
        var body = EventValidation.CleanMultiline(request.Body);
        if (errors.Required("title", title))
        {
            errors.MaxLength("title", title, RecapLimits.Title);
        }

        if (errors.Required("body", body))
        {
            errors.MaxLength("body", body, RecapLimits.Body);
            if (body!.Length <= RecapLimits.Body)
            {
                if (!PostRenderer.HasOnlySafeLinks(body, out var unsafeUrl))
                {
                    errors.Add("body", $"links must be http://, https:// or mailto: ('{unsafeUrl}' is not).");
                }
                else if (LinkCount(body) > RecapLimits.Links)
                {
                    errors.Add("body", $"has more than {RecapLimits.Links} links; a recap with that many is refused as spam.");
                }
            }
        }

        if (request.Version is null)
        {
            errors.Add("version", "is required: the version of the recap this edit starts from (from GET).");
        }

        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        if (request.Version == recap.Version && (title != recap.Title || body != recap.Body))
        {
            // Conditional on the version in the database, not the one read above: of simultaneous edits from one
            // version exactly one is stored, and the others are told, never silently overwritten.
            var now = clock.GetUtcNow().UtcDateTime;
            var editor = (await LiveEndpoints.ActorAsync(http, users)).Name;
            var stored = await db.Set<SessionRecap>().Where(r => r.Id == recap.Id && r.Version == request.Version).ExecuteUpdateAsync(r => r
                .SetProperty(x => x.Title, title!)
                .SetProperty(x => x.Body, body!)
                .SetProperty(x => x.EditedAtUtc, now)
                .SetProperty(x => x.EditedByName, editor)
                .SetProperty(x => x.UpdatedAtUtc, now)
                .SetProperty(x => x.Version, x => x.Version + 1), cancellationToken);
            await db.Entry(recap).ReloadAsync(cancellationToken);
            if (stored == 1)
            {
                return TypedResults.Ok(await ToResponseAsync(db, recap, cancellationToken));
            }
        }

        if (request.Version != recap.Version)
        {
            var conflict = new ValidationErrors();
            conflict.Add("version", $"the recap is at version {recap.Version} now (someone else changed it): reload it and edit again.");
            return conflict.ToConflict("The recap was changed meanwhile.");
        }

        return TypedResults.Ok(await ToResponseAsync(db, recap, cancellationToken));
    }

    /// <summary>
    /// Publishes the draft as it is now; publishing the same text again changes nothing. With postToBluesky, the quote
    /// post is queued in the same transaction, once per recap however often it is asked for.
    /// </summary>
    private static async Task<Results<Ok<RecapResponse>, ProblemHttpResult>> Publish(
        Guid streamId, RecapPublishRequest? request, HttpContext http, LiveHubDbContext db, UserManager<StaffUser> users, TimeProvider clock,
        PublicUrls urls, CrossPostRecapQuotes quotes, CancellationToken cancellationToken)
    {
        var (recap, problem) = await LoadAsync(db, streamId, cancellationToken);
        if (recap is null)
        {
            return problem!;
        }

        var changed = !recap.IsPublished || recap.PublishedTitle != recap.Title || recap.PublishedBody != recap.Body;
        if (!changed && request?.PostToBluesky != true)
        {
            return TypedResults.Ok(await ToResponseAsync(db, recap, cancellationToken));
        }

        var publisher = (await LiveEndpoints.ActorAsync(http, users)).Name;
        var slug = await db.Events.Where(e => e.Id == recap.EventId).Select(e => e.Slug).FirstAsync(cancellationToken);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Taking the next version first locks the recap: of two publishes at once, the second sees the first's
            // result (and its queued quote post) instead of queueing another.
            if (await db.Set<SessionRecap>().Where(r => r.Id == recap.Id && r.Version == recap.Version)
                    .ExecuteUpdateAsync(r => r.SetProperty(x => x.Version, x => x.Version + 1), cancellationToken) == 0)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The recap was changed meanwhile.",
                    detail: "Someone else changed or published this recap at the same moment: reload it.");
            }

            await db.Entry(recap).ReloadAsync(cancellationToken);
            if (changed)
            {
                var now = clock.GetUtcNow().UtcDateTime;
                recap.PublishedTitle = recap.Title;
                recap.PublishedBody = recap.Body;
                recap.FirstPublishedAtUtc ??= now;
                recap.PublishedAtUtc = now;
                recap.PublishedByName = publisher;
                recap.UpdatedAtUtc = now;
            }

            if (request?.PostToBluesky == true)
            {
                await quotes.EnqueueAsync(db, recap.EventId, recap.StreamId, recap.Id, recap.PublishedTitle!,
                    RecapPages.PagePath(slug, recap.SessionId), urls.BaseUrl(http.Request), cancellationToken);
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return TypedResults.Ok(await ToResponseAsync(db, recap, cancellationToken));
    }

    private static async Task<Results<Ok<RecapResponse>, ProblemHttpResult>> Withdraw(Guid streamId, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (recap, problem) = await LoadAsync(db, streamId, cancellationToken);
        if (recap is null)
        {
            return problem!;
        }

        if (recap.IsPublished)
        {
            recap.PublishedAtUtc = null;
            recap.PublishedTitle = null;
            recap.PublishedBody = null;
            recap.PublishedByName = null;
            recap.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;
            recap.Version++;
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(await ToResponseAsync(db, recap, cancellationToken));
    }

    private static async Task<(SessionRecap? Recap, ProblemHttpResult? Problem)> LoadAsync(LiveHubDbContext db, Guid streamId, CancellationToken cancellationToken)
    {
        if (!await db.LiveStreams.Where(s => s.Id == streamId).Visible(db).AnyAsync(cancellationToken))
        {
            return (null, LiveEndpoints.StreamNotFound(streamId));
        }

        var recap = await db.Set<SessionRecap>().FirstOrDefaultAsync(r => r.StreamId == streamId, cancellationToken);
        return recap is null
            ? (null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No recap yet",
                detail: "A draft recap is built when the session's coverage ends (or with POST to this address once it has ended)."))
            : (recap, null);
    }

    private static async Task<RecapResponse> ToResponseAsync(LiveHubDbContext db, SessionRecap recap, CancellationToken cancellationToken)
    {
        var slug = await db.Events.Where(e => e.Id == recap.EventId).Select(e => e.Slug).FirstAsync(cancellationToken);
        var quote = await db.Set<CrossPostItem>().AsNoTracking().Where(i => i.PostId == recap.Id && i.Action == CrossPostAction.RecapQuote)
            .Select(i => new RecapBlueskyResponse(i.State.ToString(), i.Uri, i.LastError)).FirstOrDefaultAsync(cancellationToken);
        return new RecapResponse(recap.Id, recap.StreamId, recap.EventId, recap.SessionId, recap.Title, recap.Body,
            PostRenderer.ToHtml(recap.Body, LivePostFormat.Markdown), Utc(recap.EditedAtUtc), recap.EditedByName,
            recap.IsPublished, recap.PublishedTitle, Utc(recap.PublishedAtUtc), recap.PublishedByName,
            recap.IsPublished && (recap.PublishedTitle != recap.Title || recap.PublishedBody != recap.Body),
            RecapPages.PagePath(slug, recap.SessionId), recap.Version, quote);
    }

    /// <summary>Every web address in the text, linked or not.</summary>
    internal static int LinkCount(string body) =>
        System.Text.RegularExpressions.Regex.Count(body, "(https?://|www\\.)", System.Text.RegularExpressions.RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));

    internal static DateTimeOffset? Utc(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc), TimeSpan.Zero) : null;
}
