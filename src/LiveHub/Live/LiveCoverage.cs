using LiveHub.Operations;
using LiveHub.Data;
using LiveHub.Events;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Live;

public enum LiveChangeKind
{
    PostCreated,
    PostEdited,
    PostDeleted,
    PostPinned,
    PostKeyMoment,
    CoverageStarted,
    CoverageEnded,
}

public sealed record LiveActor(string? Id, string? Name)
{
    /// <summary>
    /// The author id of posts replayed from past coverage (the demo). It is no staff account's id (those are
    /// GUIDs), and posts by it are never cross-posted.
    /// </summary>
    public const string ReplayId = "livehub:replay";
}

/// <summary>
/// Runs inside the transaction that saves a live change, so that whatever it writes (the cross-post
/// outbox, for one) is committed together with the change or not at all.
/// </summary>
public interface ILiveChangeInterceptor
{
    Task OnChangeAsync(LiveHubDbContext db, LiveStream stream, LivePost? post, LiveChangeKind kind, CancellationToken cancellationToken);
}

/// <summary>
/// Every change to a live stream goes through here: one transaction that takes the stream's next
/// numbers, saves the change and its audit entry, lets interceptors add their rows, and tells the
/// change bus, which fans the change out to every instance once it is committed.
/// </summary>
public sealed class LiveCoverage(
    LiveHubDbContext db,
    ILiveChangeBus bus,
    IEnumerable<ILiveChangeInterceptor> interceptors,
    TimeProvider clock,
    LiveHubMetrics metrics)
{
    public static string EventStreamKey => "event";

    public static string SessionStreamKey(Guid sessionId) => $"session:{sessionId}";

    public async Task<LiveStream> GetOrCreateStreamAsync(Event e, Session? session, CancellationToken cancellationToken)
    {
        var key = session is null ? EventStreamKey : SessionStreamKey(session.Id);
        var existing = await db.LiveStreams.FirstOrDefaultAsync(s => s.EventId == e.Id && s.Key == key, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var stream = new LiveStream
        {
            EventId = e.Id,
            SessionId = session?.Id,
            Key = key,
            State = session?.Coverage ?? CoverageState.Upcoming,
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        };
        db.LiveStreams.Add(stream);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return stream;
        }
        catch (DbUpdateException)
        {
            // Another request created it first; use theirs.
            db.Entry(stream).State = EntityState.Detached;
            return await db.LiveStreams.FirstAsync(s => s.EventId == e.Id && s.Key == key, cancellationToken);
        }
    }

    public async Task<LivePost> CreatePostAsync(LiveStream stream, LivePost post, IReadOnlyList<LiveImage> images, LiveActor actor, CancellationToken cancellationToken)
    {
        var created = await CreatePostCoreAsync(stream, post, images, actor, cancellationToken);
        metrics.PostPublished(created.Kind.ToString());
        return created;
    }

    private Task<LivePost> CreatePostCoreAsync(LiveStream stream, LivePost post, IReadOnlyList<LiveImage> images, LiveActor actor, CancellationToken cancellationToken) =>
        ChangeAsync(stream, LiveChangeKind.PostCreated, actor, newPost: true, (change, sequence, now) =>
        {
            post.StreamId = stream.Id;
            post.Sequence = sequence;
            post.ChangeSequence = change;
            post.CreatedAtUtc = now;
            post.AuthorId = actor.Id;
            post.AuthorName = actor.Name;
            post.IsKeyMoment |= post.Kind == LivePostKind.KeyMoment;
            for (var i = 0; i < images.Count; i++)
            {
                images[i].PostId = post.Id;
                images[i].Position = i;
            }

            db.LivePosts.Add(post);
            return Task.FromResult(post);
        }, cancellationToken);

    public Task<LivePost> EditPostAsync(LiveStream stream, LivePost post, Action<LivePost> edit, LiveActor actor, CancellationToken cancellationToken) =>
        ChangeAsync(stream, LiveChangeKind.PostEdited, actor, newPost: false, (change, _, now) =>
        {
            edit(post);
            post.ChangeSequence = change;
            post.EditedAtUtc = now;
            post.Version++;
            return Task.FromResult(post);
        }, cancellationToken);

    public Task<LivePost> DeletePostAsync(LiveStream stream, LivePost post, LiveActor actor, CancellationToken cancellationToken) =>
        ChangeAsync(stream, LiveChangeKind.PostDeleted, actor, newPost: false, (change, _, now) =>
        {
            post.ChangeSequence = change;
            post.DeletedAtUtc = now;
            post.IsPinned = false;
            post.Version++;
            return Task.FromResult(post);
        }, cancellationToken);

    public Task<LivePost> SetPinnedAsync(LiveStream stream, LivePost post, bool pinned, LiveActor actor, CancellationToken cancellationToken) =>
        ChangeAsync(stream, LiveChangeKind.PostPinned, actor, newPost: false, async (change, _, _) =>
        {
            if (pinned)
            {
                // One pinned post per stream: the newly pinned one replaces any other.
                var others = await db.LivePosts.Where(p => p.StreamId == stream.Id && p.IsPinned && p.Id != post.Id).ToListAsync(cancellationToken);
                foreach (var other in others)
                {
                    other.IsPinned = false;
                    other.ChangeSequence = change;
                    other.Version++;
                }
            }

            post.IsPinned = pinned;
            post.ChangeSequence = change;
            post.Version++;
            return post;
        }, cancellationToken);

    public Task<LivePost> SetKeyMomentAsync(LiveStream stream, LivePost post, bool keyMoment, LiveActor actor, CancellationToken cancellationToken) =>
        ChangeAsync(stream, LiveChangeKind.PostKeyMoment, actor, newPost: false, (change, _, _) =>
        {
            post.IsKeyMoment = keyMoment;
            post.ChangeSequence = change;
            post.Version++;
            return Task.FromResult(post);
        }, cancellationToken);

    /// <summary>Opens or closes coverage: sets the stream's and the session's state and posts a marker.</summary>
    public Task<LivePost> SetCoverageAsync(LiveStream stream, Session? session, bool live, string markerText, LiveActor actor, CancellationToken cancellationToken, string? markerTextCy = null) =>
        ChangeAsync(stream, live ? LiveChangeKind.CoverageStarted : LiveChangeKind.CoverageEnded, actor, newPost: true, (change, sequence, now) =>
        {
            stream.State = live ? CoverageState.Live : CoverageState.Ended;
            stream.StartedAtUtc = live ? stream.StartedAtUtc ?? now : stream.StartedAtUtc;
            stream.EndedAtUtc = live ? null : now;
            stream.StateChange = change;
            if (session is not null)
            {
                session.Coverage = stream.State;
            }

            var marker = new LivePost
            {
                StreamId = stream.Id,
                Sequence = sequence,
                ChangeSequence = change,
                Kind = live ? LivePostKind.SessionStarted : LivePostKind.SessionEnded,
                Body = markerText,
                BodyCy = markerTextCy,
                CreatedAtUtc = now,
                AuthorId = actor.Id,
                AuthorName = actor.Name,
            };
            db.LivePosts.Add(marker);
            return Task.FromResult(marker);
        }, cancellationToken);

    private async Task<LivePost> ChangeAsync(
        LiveStream stream,
        LiveChangeKind kind,
        LiveActor actor,
        bool newPost,
        Func<long, int, DateTime, Task<LivePost>> apply,
        CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Taking the numbers locks the stream row until commit, so concurrent changes to one stream
        // are numbered, and committed, strictly one after another.
        await db.LiveStreams.Where(s => s.Id == stream.Id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.LastChange, x => x.LastChange + 1)
            .SetProperty(x => x.LastSequence, x => x.LastSequence + (newPost ? 1 : 0)), cancellationToken);
        var counters = await db.LiveStreams.AsNoTracking().Where(s => s.Id == stream.Id)
            .Select(s => new { s.LastChange, s.LastSequence }).SingleAsync(cancellationToken);
        // Already written by the UPDATE above: record them as the stored values, not as changes.
        var entry = db.Entry(stream);
        entry.Property(s => s.LastChange).CurrentValue = entry.Property(s => s.LastChange).OriginalValue = counters.LastChange;
        entry.Property(s => s.LastSequence).CurrentValue = entry.Property(s => s.LastSequence).OriginalValue = counters.LastSequence;

        var now = clock.GetUtcNow().UtcDateTime;
        var post = await apply(counters.LastChange, counters.LastSequence, now);
        db.LiveAudit.Add(new LiveAuditEntry
        {
            StreamId = stream.Id,
            PostId = post.Id,
            Action = kind.ToString(),
            ActorId = actor.Id,
            ActorName = actor.Name,
            AtUtc = now,
            ChangeSequence = counters.LastChange,
        });

        foreach (var interceptor in interceptors)
        {
            await interceptor.OnChangeAsync(db, stream, post, kind, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await bus.BeforeCommitAsync(db, stream.Id, counters.LastChange, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        bus.AfterCommit(stream.Id, counters.LastChange);
        return post;
    }
}
