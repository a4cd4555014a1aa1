using System.Security.Claims;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Problems;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Live;

public static class LiveEndpoints
{
    public const int MaxPageSize = 200;

    public static void MapLiveEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api").WithTags("Live coverage");
        read.MapGet("/events/{slug}/streams", ListStreams);
        read.MapGet("/streams/{streamId:guid}", GetStream);
        read.MapGet("/streams/{streamId:guid}/posts", GetPosts);

        var write = app.MapGroup("/api").WithTags("Live coverage")
            .RequireAuthorization(StaffPolicies.Editor).RequireAntiforgeryForCookies();
        write.MapPost("/streams/{streamId:guid}/posts", CreatePost);
        write.MapPut("/streams/{streamId:guid}/posts/{postId:guid}", EditPost);
        write.MapDelete("/streams/{streamId:guid}/posts/{postId:guid}", DeletePost);
        write.MapPut("/streams/{streamId:guid}/posts/{postId:guid}/pin", PinPost);
        write.MapPut("/streams/{streamId:guid}/posts/{postId:guid}/key-moment", MarkKeyMoment);
        write.MapPost("/streams/{streamId:guid}/images", LiveImageEndpoints.UploadImage).DisableAntiforgery();
        write.MapGet("/streams/{streamId:guid}/audit", GetAudit);
        write.MapPost("/events/{slug}/coverage/{action:regex(^(start|end)$)}", SetEventCoverage);
        write.MapPost("/events/{slug}/sessions/{sessionId:guid}/coverage/{action:regex(^(start|end)$)}", SetSessionCoverage);
    }

    private static async Task<Results<Ok<List<LiveStreamResponse>>, ProblemHttpResult>> ListStreams(
        string slug, LiveHubDbContext db, LiveCoverage coverage, CancellationToken cancellationToken)
    {
        var e = await db.Events.Include(x => x.Sessions).FirstOrDefaultAsync(x => x.Slug == slug && x.IsPublished, cancellationToken);
        if (e is null)
        {
            return EventQueries.EventNotFound(slug);
        }

        var streams = new List<LiveStreamResponse>();
        foreach (var session in e.Sessions.OrderBy(s => s.StartsAtUtc).Prepend(null))
        {
            var stream = await coverage.GetOrCreateStreamAsync(e, session, cancellationToken);
            stream.Event = e;
            stream.Session = session;
            streams.Add(LiveQueries.ToResponse(stream));
        }

        return TypedResults.Ok(streams);
    }

    private static async Task<Results<Ok<LiveStreamResponse>, ProblemHttpResult>> GetStream(Guid streamId, HttpContext http, LiveQueries queries, CancellationToken cancellationToken)
    {
        var stream = await queries.FindStreamAsync(streamId, cancellationToken, includeDrafts: IsStaff(http));
        return stream is null ? StreamNotFound(streamId) : TypedResults.Ok(LiveQueries.ToResponse(stream));
    }

    /// <summary>
    /// Catch-up: <c>?after={change}</c> returns every change after that number (0 or absent: the
    /// current state). History: <c>?before={sequence}&amp;limit=50</c> pages back through older posts.
    /// </summary>
    private static async Task<Results<Ok<LiveChanges>, Ok<LivePostPage>, ValidationProblem, ProblemHttpResult>> GetPosts(
        Guid streamId, long? after, int? before, int? limit, HttpContext http, LiveQueries queries, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (after is < 0)
        {
            errors.Add("after", "must be 0 or more.");
        }

        if (before is < 1)
        {
            errors.Add("before", "must be 1 or more.");
        }

        if (limit is < 1 or > MaxPageSize)
        {
            errors.Add("limit", $"must be between 1 and {MaxPageSize}.");
        }

        if (after is not null && before is not null)
        {
            errors.Add("before", "give either 'after' (catch-up) or 'before' (history), not both.");
        }

        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        var staff = IsStaff(http);
        if (await queries.FindStreamAsync(streamId, cancellationToken, includeDrafts: staff) is null)
        {
            return StreamNotFound(streamId);
        }

        if (before is { } beforeSequence)
        {
            return TypedResults.Ok((await queries.PageAsync(streamId, beforeSequence, limit ?? 50, cancellationToken))!);
        }

        return await queries.ChangesAsync(streamId, after ?? 0, cancellationToken, snapshot: after is null or 0, includeDrafts: staff) is { } changes
            ? TypedResults.Ok(changes)
            : StreamNotFound(streamId);
    }

    private static async Task<Results<Created<LivePostResponse>, ValidationProblem, ProblemHttpResult>> CreatePost(
        Guid streamId, LivePostRequest request, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, UserManager<StaffUser> users,
        CancellationToken cancellationToken)
    {
        var (stream, problem) = await LiveStreamAccess.LoadWritableAsync(db, streamId, cancellationToken);
        if (stream is null)
        {
            return problem!;
        }

        if (stream.State == CoverageState.Ended)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Coverage has ended",
                detail: "This stream's coverage has ended; start coverage again to post.");
        }

        var actor = await ActorAsync(http, users);
        var idempotencyKey = http.Request.Headers[IdempotencyKeyHeader].ToString();
        var fingerprint = LivePostValidation.Fingerprint(request);
        if (idempotencyKey.Length > 0)
        {
            if (idempotencyKey.Length > LiveLimits.IdempotencyKey || idempotencyKey.Any(c => c is < '!' or > '~'))
            {
                var keyErrors = new ValidationErrors();
                keyErrors.Add(IdempotencyKeyHeader, $"must be 1 to {LiveLimits.IdempotencyKey} visible ASCII characters, such as a UUID.");
                return keyErrors.ToProblem();
            }

            // Checked before validation: the images of a post already stored belong to it now.
            if (await ReplayAsync(http, db, stream, actor, idempotencyKey, fingerprint, cancellationToken) is { } replayed)
            {
                return replayed;
            }
        }

        var errors = new ValidationErrors();
        var valid = await LivePostValidation.ValidateAsync(request, db, errors, cancellationToken);
        var images = new List<LiveImage>();
        var imageIds = request.ImageIds ?? [];
        if (imageIds.Count > LiveLimits.ImagesPerPost)
        {
            errors.Add("imageIds", $"at most {LiveLimits.ImagesPerPost} images per post (got {imageIds.Count}).");
        }
        else if (imageIds.Count > 0)
        {
            var found = await db.LiveImages.Where(i => imageIds.Contains(i.Id)).ToListAsync(cancellationToken);
            for (var i = 0; i < imageIds.Count; i++)
            {
                var image = found.FirstOrDefault(x => x.Id == imageIds[i]);
                if (image is null || image.StreamId != streamId)
                {
                    errors.Add($"imageIds[{i}]", "no image with this id was uploaded to this stream.");
                }
                else if (image.PostId is not null)
                {
                    errors.Add($"imageIds[{i}]", "this image already belongs to another post.");
                }
                else
                {
                    images.Add(image);
                }
            }
        }

        if (valid is null || errors.HasErrors)
        {
            return errors.ToProblem();
        }

        var post = new LivePost
        {
            Kind = valid.Kind, Format = valid.Format, Body = valid.Body, BodyCy = valid.BodyCy, SpeakerId = valid.SpeakerId, LinkUrl = valid.LinkUrl,
            IdempotencyKey = idempotencyKey.Length > 0 ? idempotencyKey : null,
            IdempotencyFingerprint = idempotencyKey.Length > 0 ? fingerprint : null,
        };
        try
        {
            await coverage.CreatePostAsync(stream, post, images, actor, cancellationToken);
        }
        catch (DbUpdateException) when (post.IdempotencyKey is not null)
        {
            // The same key from the same author in two requests at once: the unique index let one in; answer this one
            // with that post (or refuse it, if it was a different request).
            db.ChangeTracker.Clear();
            if (await ReplayAsync(http, db, stream, actor, post.IdempotencyKey, fingerprint, cancellationToken) is { } replayed)
            {
                return replayed;
            }

            throw;
        }

        return TypedResults.Created($"/api/streams/{streamId}/posts?after={post.ChangeSequence - 1}", await ReloadAsync(db, post.Id, stream, cancellationToken));
    }

    /// <summary>
    /// The request header (as in the IETF httpapi Idempotency-Key draft) that makes a retried post safe: a post the same
    /// author already created with the same key in this stream is answered again, as 201 with <c>Idempotent-Replayed: true</c>.
    /// The same key with a different request is refused with 422, as the draft and Stripe do.
    /// </summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private static async Task<Results<Created<LivePostResponse>, ValidationProblem, ProblemHttpResult>?> ReplayAsync(
        HttpContext http, LiveHubDbContext db, LiveStream stream, LiveActor actor, string key, string fingerprint, CancellationToken cancellationToken)
    {
        var existing = await db.LivePosts.AsNoTracking().Where(p => p.StreamId == stream.Id && p.AuthorId == actor.Id && p.IdempotencyKey == key)
            .Select(p => new { p.Id, p.ChangeSequence, p.IdempotencyFingerprint }).FirstOrDefaultAsync(cancellationToken);
        if (existing is null)
        {
            return null;
        }

        // A post stored before fingerprints were kept has none: its key replays it, as it did then.
        if (existing.IdempotencyFingerprint is { } stored && stored != fingerprint)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The Idempotency-Key was used with a different request",
                detail: $"Post {existing.Id} was created with this key and other content; send a new key for a new post.",
                extensions: new Dictionary<string, object?>
                {
                    ["errors"] = new Dictionary<string, string[]> { [IdempotencyKeyHeader] = ["this key was used with a different request."] },
                });
        }

        http.Response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Created($"/api/streams/{stream.Id}/posts?after={existing.ChangeSequence - 1}", await ReloadAsync(db, existing.Id, stream, cancellationToken));
    }

    private static async Task<Results<Ok<LivePostResponse>, ValidationProblem, ProblemHttpResult>> EditPost(
        Guid streamId, Guid postId, LivePostRequest request, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, UserManager<StaffUser> users,
        CancellationToken cancellationToken)
    {
        var (stream, post, problem) = await LoadPostAsync(db, streamId, postId, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new ValidationErrors();
        if (request.ImageIds is { Count: > 0 })
        {
            errors.Add("imageIds", "images cannot be changed by an edit; delete the post and post again.");
        }

        var valid = await LivePostValidation.ValidateAsync(request, db, errors, cancellationToken, existing: post);
        if (valid is null || errors.HasErrors)
        {
            return errors.ToProblem();
        }

        await coverage.EditPostAsync(stream!, post!, p =>
        {
            p.Kind = valid.Kind;
            p.Format = valid.Format;
            p.Body = valid.Body;
            p.BodyCy = valid.BodyCy;
            p.SpeakerId = valid.SpeakerId;
            p.LinkUrl = valid.LinkUrl;
            p.IsKeyMoment |= valid.Kind == LivePostKind.KeyMoment;
        }, await ActorAsync(http, users), cancellationToken);
        return TypedResults.Ok(await ReloadAsync(db, postId, stream!, cancellationToken));
    }

    private static async Task<Results<Ok<LivePostResponse>, ProblemHttpResult>> DeletePost(
        Guid streamId, Guid postId, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, UserManager<StaffUser> users, CancellationToken cancellationToken)
    {
        var (stream, post, problem) = await LoadPostAsync(db, streamId, postId, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await coverage.DeletePostAsync(stream!, post!, await ActorAsync(http, users), cancellationToken);
        return TypedResults.Ok(await ReloadAsync(db, postId, stream!, cancellationToken));
    }

    private static async Task<Results<Ok<LivePostResponse>, ProblemHttpResult>> PinPost(
        Guid streamId, Guid postId, PinRequest request, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, UserManager<StaffUser> users, CancellationToken cancellationToken)
    {
        var (stream, post, problem) = await LoadPostAsync(db, streamId, postId, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await coverage.SetPinnedAsync(stream!, post!, request.Pinned, await ActorAsync(http, users), cancellationToken);
        return TypedResults.Ok(await ReloadAsync(db, postId, stream!, cancellationToken));
    }

    private static async Task<Results<Ok<LivePostResponse>, ProblemHttpResult>> MarkKeyMoment(
        Guid streamId, Guid postId, KeyMomentRequest request, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, UserManager<StaffUser> users, CancellationToken cancellationToken)
    {
        var (stream, post, problem) = await LoadPostAsync(db, streamId, postId, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await coverage.SetKeyMomentAsync(stream!, post!, request.KeyMoment, await ActorAsync(http, users), cancellationToken);
        return TypedResults.Ok(await ReloadAsync(db, postId, stream!, cancellationToken));
    }

    private static async Task<Results<Ok<List<LiveAuditEntry>>, ProblemHttpResult>> GetAudit(Guid streamId, LiveHubDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.LiveStreams.AnyAsync(s => s.Id == streamId, cancellationToken))
        {
            return StreamNotFound(streamId);
        }

        return TypedResults.Ok(await db.LiveAudit.AsNoTracking().Where(a => a.StreamId == streamId).OrderBy(a => a.Id).ToListAsync(cancellationToken));
    }

    private static async Task<Results<Ok<LiveStreamResponse>, ProblemHttpResult>> SetEventCoverage(
        string slug, string action, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, UserManager<StaffUser> users, CancellationToken cancellationToken)
    {
        var e = await db.Events.FirstOrDefaultAsync(x => x.Slug == slug, cancellationToken);
        if (e is null)
        {
            return EventQueries.EventNotFound(slug);
        }

        if (!e.IsPublished)
        {
            return LiveStreamAccess.EventNotPublished();
        }

        return await SetCoverageAsync(e, null, action == "start", http, coverage, users, cancellationToken);
    }

    private static async Task<Results<Ok<LiveStreamResponse>, ProblemHttpResult>> SetSessionCoverage(
        string slug, Guid sessionId, string action, HttpContext http, LiveHubDbContext db, LiveCoverage coverage, UserManager<StaffUser> users, CancellationToken cancellationToken)
    {
        var session = await db.Sessions.Include(s => s.Event).FirstOrDefaultAsync(s => s.Id == sessionId && s.Event!.Slug == slug, cancellationToken);
        if (session is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: $"The event '{slug}' has no session with the id {sessionId}.");
        }

        if (!session.Event!.IsPublished)
        {
            return LiveStreamAccess.EventNotPublished();
        }

        return await SetCoverageAsync(session.Event!, session, action == "start", http, coverage, users, cancellationToken);
    }

    private static async Task<Results<Ok<LiveStreamResponse>, ProblemHttpResult>> SetCoverageAsync(
        Event e, Session? session, bool live, HttpContext http, LiveCoverage coverage, UserManager<StaffUser> users, CancellationToken cancellationToken)
    {
        var stream = await coverage.GetOrCreateStreamAsync(e, session, cancellationToken);
        stream.Event = e;
        stream.Session = session;
        var target = live ? CoverageState.Live : CoverageState.Ended;
        if (stream.State == target)
        {
            return TypedResults.Ok(LiveQueries.ToResponse(stream));
        }

        if (!live && stream.State != CoverageState.Live)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Coverage is not live", detail: "Start coverage before ending it.");
        }

        var title = session?.Title ?? e.Title;
        var marker = live ? $"Live coverage of {title} has started." : $"Live coverage of {title} has ended.";
        // With a Welsh title the marker is bilingual too, like any update: the Welsh beside the English.
        var welshTitle = session is null ? e.TitleCy : session.TitleCy;
        var markerCy = welshTitle is null ? null
            : Localisation.SiteText.Get(live ? "Live coverage of {0} has started." : "Live coverage of {0} has ended.", Localisation.SiteCultures.Welsh, welshTitle);
        await coverage.SetCoverageAsync(stream, session, live, marker, await ActorAsync(http, users), cancellationToken, markerCy);
        return TypedResults.Ok(LiveQueries.ToResponse(stream));
    }

    private static async Task<(LiveStream? Stream, LivePost? Post, ProblemHttpResult? Problem)> LoadPostAsync(
        LiveHubDbContext db, Guid streamId, Guid postId, CancellationToken cancellationToken)
    {
        var (stream, problem) = await LiveStreamAccess.LoadWritableAsync(db, streamId, cancellationToken);
        if (stream is null)
        {
            return (null, null, problem);
        }

        // Looking the post up within the stream means a post of another stream is simply not found here.
        var post = await db.LivePosts.FirstOrDefaultAsync(p => p.Id == postId && p.StreamId == streamId, cancellationToken);
        if (post is null || post.DeletedAtUtc is not null)
        {
            return (stream, null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Post not found",
                detail: $"The stream {streamId} has no post with the id {postId}" + (post is null ? "." : " (it was deleted).")));
        }

        return (stream, post, null);
    }

    private static async Task<LivePostResponse> ReloadAsync(LiveHubDbContext db, Guid postId, LiveStream stream, CancellationToken cancellationToken)
    {
        var post = await db.LivePosts.AsNoTracking().Include(p => p.Speaker).Include(p => p.Images).FirstAsync(p => p.Id == postId, cancellationToken);
        return LiveQueries.ToResponse(post, stream);
    }

    internal static async Task<LiveActor> ActorAsync(HttpContext http, UserManager<StaffUser> users)
    {
        var user = await users.GetUserAsync(http.User);
        return new LiveActor(user?.Id ?? http.User.FindFirstValue(ClaimTypes.NameIdentifier), user is null ? null : user.PublicName);
    }

    internal static bool IsStaff(HttpContext http) => http.User.IsInRole(StaffRoles.Editor) || http.User.IsInRole(StaffRoles.Admin);

    internal static ProblemHttpResult StreamNotFound(Guid streamId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Live stream not found", detail: $"There is no live stream with the id {streamId}.");
}
