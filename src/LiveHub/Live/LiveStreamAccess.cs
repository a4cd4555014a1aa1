using LiveHub.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Live;

/// <summary>
/// A stream follows its event and its session: it can be read while its event exists and is published
/// (staff may also read a draft event's streams, to prepare) and its session, if it has one, exists; and
/// it can be written to only while the public can read it. Everything that reads or writes a stream by
/// its id goes through here, so no path serves or stores posts of a removed or hidden stream.
/// </summary>
public static class LiveStreamAccess
{
    /// <summary>Streams whose event is not deleted (and published, unless <paramref name="includeDrafts"/>) and whose session, if any, is not deleted.</summary>
    public static IQueryable<LiveStream> Visible(this IQueryable<LiveStream> streams, LiveHubDbContext db, bool includeDrafts = false) =>
        streams.Where(s => db.Events.Any(e => e.Id == s.EventId && (includeDrafts || e.IsPublished))
            && (s.SessionId == null || db.Sessions.Any(x => x.Id == s.SessionId)));

    /// <summary>Whether anyone may read the stream now (published event, existing session).</summary>
    public static Task<bool> IsPublicAsync(LiveHubDbContext db, Guid streamId, CancellationToken cancellationToken) =>
        db.LiveStreams.Where(s => s.Id == streamId).Visible(db).AnyAsync(cancellationToken);

    /// <summary>
    /// The stream (tracked, with its event and session) if staff may change it now; otherwise why not:
    /// 404 when it, its event or its session does not exist (any more), 409 when its event is a draft.
    /// </summary>
    public static async Task<(LiveStream? Stream, ProblemHttpResult? Problem)> LoadWritableAsync(LiveHubDbContext db, Guid streamId, CancellationToken cancellationToken)
    {
        var head = await db.LiveStreams.AsNoTracking().Where(s => s.Id == streamId).Select(s => new
        {
            EventExists = db.Events.Any(e => e.Id == s.EventId),
            Published = db.Events.Any(e => e.Id == s.EventId && e.IsPublished),
            SessionExists = s.SessionId == null || db.Sessions.Any(x => x.Id == s.SessionId),
        }).FirstOrDefaultAsync(cancellationToken);
        if (head is null)
        {
            return (null, LiveEndpoints.StreamNotFound(streamId));
        }

        if (!head.EventExists || !head.SessionExists)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Live stream not found",
                detail: $"The live stream {streamId} was removed: its {(head.EventExists ? "session" : "event")} has been deleted."));
        }

        if (!head.Published)
        {
            return (null, EventNotPublished());
        }

        var stream = await db.LiveStreams.Include(s => s.Event).Include(s => s.Session).FirstAsync(s => s.Id == streamId, cancellationToken);
        return (stream, null);
    }

    public static ProblemHttpResult EventNotPublished() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The event is not published",
            detail: "Live coverage is public: publish the event before posting to or starting its coverage.");
}

/// <summary>
/// Saves a change that takes streams out of public view (an event unpublished or deleted, a session deleted)
/// and, in the same transaction, tells every instance to close those streams: their listeners get a "closed"
/// message and leave the streams' groups, on every instance, as soon as the change is committed.
/// </summary>
public sealed class LiveStreamClosing(LiveHubDbContext db, ILiveChangeBus bus)
{
    /// <param name="sessionId">Only this session's stream; null: every stream of the event.</param>
    public async Task SaveAndCloseAsync(Guid eventId, Guid? sessionId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var streams = await db.LiveStreams.Where(s => s.EventId == eventId && (sessionId == null || s.SessionId == sessionId))
            .Select(s => s.Id).ToListAsync(cancellationToken);
        await bus.BeforeCloseAsync(db, streams, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        bus.AfterClose(streams);
    }
}
