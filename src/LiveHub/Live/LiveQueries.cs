using LiveHub.Data;
using LiveHub.Events;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Live;

/// <summary>Reads streams and posts into the shapes clients receive.</summary>
public sealed class LiveQueries(LiveHubDbContext db, LiveSnapshotCache snapshots)
{
    /// <summary>How many of the newest posts a fresh join receives; older ones are paged over HTTP.</summary>
    public const int InitialPosts = 100;

    /// <summary>The stream if it may be read: see <see cref="LiveStreamAccess.Visible"/>.</summary>
    public Task<LiveStream?> FindStreamAsync(Guid streamId, CancellationToken cancellationToken, bool includeDrafts = false) =>
        db.LiveStreams.Where(s => s.Id == streamId).Visible(db, includeDrafts).Include(s => s.Event).Include(s => s.Session)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Everything changed after <paramref name="after"/>; or, as a <paramref name="snapshot"/> for a
    /// fresh client, the current state: the newest posts and the pinned one, without tombstones.
    /// Null when the stream may not be read (see <see cref="LiveStreamAccess.Visible"/>).
    /// </summary>
    public async Task<LiveChanges?> ChangesAsync(Guid streamId, long after, CancellationToken cancellationToken, bool snapshot = false, bool includeDrafts = false)
    {
        // Read the stream first: every change numbered up to its LastChange is already committed, so
        // the posts read next cover (after, Through] completely.
        var stream = await db.LiveStreams.AsNoTracking().Where(s => s.Id == streamId).Visible(db, includeDrafts)
            .Include(s => s.Event).Include(s => s.Session).FirstOrDefaultAsync(cancellationToken);
        if (stream is null)
        {
            return null;
        }

        var upTo = stream.LastChange;
        var reset = !snapshot && after > upTo;
        if (snapshot || reset)
        {
            return await SnapshotOfAsync(stream, cancellationToken) with { Reset = reset };
        }

        after = Math.Max(after, 0);
        var posts = await PostsQuery().Where(p => p.StreamId == streamId && p.ChangeSequence > after && p.ChangeSequence <= upTo)
            .OrderBy(p => p.ChangeSequence).ToListAsync(cancellationToken);
        return new LiveChanges(streamId, after, Math.Max(upTo, after), ToResponse(stream), [.. posts.Select(p => ToResponse(p, stream))]);
    }

    /// <summary>
    /// A fresh client's join: the stream read now, and its snapshot from the <see cref="LiveSnapshotCache"/> when the
    /// stream reads as it did when that was built. Null when the stream may not be read.
    /// </summary>
    public async Task<LiveSnapshot?> JoinSnapshotAsync(Guid streamId, CancellationToken cancellationToken)
    {
        var stream = await db.LiveStreams.AsNoTracking().Where(s => s.Id == streamId).Visible(db)
            .Include(s => s.Event).Include(s => s.Session).FirstOrDefaultAsync(cancellationToken);
        return stream is null
            ? null
            : await snapshots.GetAsync(ToResponse(stream), stream.Event!.LiveByline, () => SnapshotOfAsync(stream, cancellationToken), cancellationToken);
    }

    /// <summary>The newest posts and the pinned one, without tombstones, as of the stream's <see cref="LiveStream.LastChange"/>.</summary>
    private async Task<LiveChanges> SnapshotOfAsync(LiveStream stream, CancellationToken cancellationToken)
    {
        var upTo = stream.LastChange;
        var newest = await PostsQuery().Where(p => p.StreamId == stream.Id && p.DeletedAtUtc == null && p.ChangeSequence <= upTo)
            .OrderByDescending(p => p.Sequence).Take(InitialPosts).ToListAsync(cancellationToken);
        var pinned = await PostsQuery().Where(p => p.StreamId == stream.Id && p.IsPinned && p.DeletedAtUtc == null && p.ChangeSequence <= upTo)
            .ToListAsync(cancellationToken);
        List<LivePost> posts = [.. newest.Concat(pinned).DistinctBy(p => p.Id).OrderBy(p => p.Sequence)];
        return new LiveChanges(stream.Id, 0, upTo, ToResponse(stream), [.. posts.Select(p => ToResponse(p, stream))]);
    }

    /// <summary>Older posts, newest first, before a sequence number (for scrolling back).</summary>
    public async Task<LivePostPage?> PageAsync(Guid streamId, int before, int limit, CancellationToken cancellationToken)
    {
        var stream = await db.LiveStreams.AsNoTracking().Include(s => s.Event).FirstOrDefaultAsync(s => s.Id == streamId, cancellationToken);
        if (stream is null)
        {
            return null;
        }

        var posts = await PostsQuery().Where(p => p.StreamId == streamId && p.Sequence < before && p.DeletedAtUtc == null)
            .OrderByDescending(p => p.Sequence).Take(limit).ToListAsync(cancellationToken);
        var next = posts.Count == limit ? posts[^1].Sequence : (int?)null;
        return new LivePostPage(streamId, [.. posts.Select(p => ToResponse(p, stream))], next);
    }

    /// <summary>All posts of a stream, oldest first, for server-rendered pages and feeds.</summary>
    public Task<List<LivePost>> AllPostsAsync(Guid streamId, bool includeDeleted, CancellationToken cancellationToken) =>
        PostsQuery().Where(p => p.StreamId == streamId && (includeDeleted || p.DeletedAtUtc == null))
            .OrderBy(p => p.Sequence).ToListAsync(cancellationToken);

    private IQueryable<LivePost> PostsQuery() =>
        db.LivePosts.AsNoTracking().Include(p => p.Speaker).Include(p => p.Images.OrderBy(i => i.Position)).AsSplitQuery();

    public static string StreamTitle(LiveStream stream) =>
        stream.Session is { } session ? session.Title : stream.Event?.Title ?? "Live coverage";

    public static string PageUrl(LiveStream stream) =>
        stream.SessionId is { } sessionId ? $"/live/{stream.Event!.Slug}/sessions/{sessionId}" : $"/live/{stream.Event!.Slug}";

    public static LiveStreamResponse ToResponse(LiveStream stream) => new(
        stream.Id,
        stream.EventId,
        stream.Event!.Slug,
        stream.Event.Title,
        stream.SessionId,
        StreamTitle(stream),
        stream.State,
        Utc(stream.StartedAtUtc),
        Utc(stream.EndedAtUtc),
        Utc(stream.Session?.StartsAtUtc ?? stream.Event.StartsAtUtc),
        Utc(stream.Session?.EndsAtUtc ?? stream.Event.EndsAtUtc),
        stream.LastSequence,
        stream.LastChange,
        stream.Event.TimeZoneId,
        PageUrl(stream),
        stream.Event.TitleCy,
        stream.Session is { } session ? session.TitleCy : stream.Event.TitleCy);

    public static LivePostResponse ToResponse(LivePost post, LiveStream stream)
    {
        var permalink = $"{PageUrl(stream)}#post-{post.Sequence}";
        if (post.DeletedAtUtc is not null)
        {
            return new LivePostResponse(post.Id, post.StreamId, post.Sequence, post.ChangeSequence, post.Kind, Deleted: true, post.Format,
                Body: null, Html: null, Speaker: null, LinkUrl: null, Images: [], Pinned: false, KeyMoment: false, Author: null,
                Utc(post.CreatedAtUtc)!.Value, Utc(post.EditedAtUtc), post.Version, permalink);
        }

        return new LivePostResponse(post.Id, post.StreamId, post.Sequence, post.ChangeSequence, post.Kind, Deleted: false, post.Format,
            post.Body, post.BodyHtml,
            post.Speaker is null ? null : Events.EventMapping.Ref(post.Speaker),
            post.LinkUrl,
            [.. post.Images.OrderBy(i => i.Position).Select(i => new LiveImageResponse(i.Id, LiveImages.Url(i), i.AltText, i.Width, i.Height))],
            post.IsPinned, post.IsKeyMoment, PublicAuthor(post, stream), Utc(post.CreatedAtUtc)!.Value, Utc(post.EditedAtUtc), post.Version, permalink,
            post.BodyCy, post.BodyCyHtml);
    }

    /// <summary>The byline the public sees: the event's byline if it has one, else the staff member's display name as posted.</summary>
    public static string? PublicAuthor(LivePost post, LiveStream stream) => stream.Event?.LiveByline ?? post.AuthorName;

    private static DateTimeOffset? Utc(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc), TimeSpan.Zero) : null;
}
