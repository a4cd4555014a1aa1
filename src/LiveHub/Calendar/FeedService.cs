using System.Collections.Concurrent;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.ICalendar.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Calendar;

/// <summary>Which feed: all events, one tag, one event, or one session.</summary>
internal abstract record FeedScope
{
    public sealed record All : FeedScope;

    public sealed record Tag(string Name) : FeedScope;

    public sealed record OneEvent(Guid EventId) : FeedScope;

    public sealed record OneSession(Guid EventId, Guid SessionId) : FeedScope;
}

/// <summary>
/// Loads, builds and caches feeds. A rendered feed is reused while nothing in the database has changed (the
/// newest UpdatedAtUtc of events, sessions and speakers, deleted ones included) within the same minute; the
/// minute matters because the feed window and the cancellation grace period move with the clock.
/// </summary>
internal sealed class FeedService(IOptions<CalendarOptions> options, TimeProvider clock)
{
    private const int MaxCachedFeeds = 1_000;
    private readonly ConcurrentDictionary<string, (string Version, RenderedFeed Feed)> _cache = new(StringComparer.Ordinal);
    private readonly CalendarSerializer _serializer = new();

    public CalendarOptions Options => options.Value;

    public async Task<RenderedFeed> RenderAsync(LiveHubDbContext db, FeedScope scope, FeedHeader header, string baseUrl, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var dataVersion = await DataVersionAsync(db, cancellationToken);
        var key = $"{scope}|{baseUrl}|{header}";
        var version = $"{dataVersion.Ticks}|{now:yyyyMMddHHmm}";
        if (_cache.TryGetValue(key, out var cached) && cached.Version == version)
        {
            return cached.Feed;
        }

        var events = await LoadAsync(db, scope, now, cancellationToken);
        var keepSince = now.AddDays(-Options.KeepCancelledDays);
        Func<Session, bool> includeSession = scope is FeedScope.OneSession one
            ? s => s.Id == one.SessionId
            : s => s.Status != Events.EventStatus.Cancelled || (s.CancelledAtUtc ?? s.UpdatedAtUtc) >= keepSince;
        var calendar = FeedBuilder.Build(header, events, includeSession, baseUrl, Options, includeEvents: scope is not FeedScope.OneSession);
        var body = _serializer.SerializeToUtf8Bytes(calendar);

        // Validators must cover everything that could have changed the bytes: removals (deletion, unpublishing,
        // a tag taken off) leave no row in the feed, so the newest change anywhere is used, never in the future.
        var lastModified = new[] { calendar.LastModified ?? DateTime.MinValue, dataVersion }.Max();
        var feed = RenderedFeed.Create(body, lastModified > now ? now : lastModified);
        if (_cache.Count >= MaxCachedFeeds)
        {
            _cache.Clear();
        }

        _cache[key] = (version, feed);
        return feed;
    }

    private async Task<List<Event>> LoadAsync(LiveHubDbContext db, FeedScope scope, DateTime now, CancellationToken cancellationToken)
    {
        IQueryable<Event> query = db.Events.AsNoTracking()
            .Include(e => e.Sessions).ThenInclude(s => s.Speakers).ThenInclude(x => x.Speaker)
            .Include(e => e.Sessions).ThenInclude(s => s.Chair)
            .AsSplitQuery();
        switch (scope)
        {
            case FeedScope.OneEvent one:
                query = query.Where(e => e.Id == one.EventId);
                break;
            case FeedScope.OneSession one:
                query = query.Where(e => e.Id == one.EventId);
                break;
            default:
                var since = now.AddDays(-Options.PastDays);
                var keepSince = now.AddDays(-Options.KeepCancelledDays);
                query = query.Where(e => e.IsPublished && e.EndsAtUtc >= since
                    && (e.Status != Events.EventStatus.Cancelled || (e.CancelledAtUtc ?? e.UpdatedAtUtc) >= keepSince));
                if (scope is FeedScope.Tag tag)
                {
                    query = query.Where(e => e.Tags.Contains(tag.Name));
                }

                break;
        }

        return await query.ToListAsync(cancellationToken);
    }

    private static async Task<DateTime> DataVersionAsync(LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var events = await db.Events.IgnoreQueryFilters().MaxAsync(e => (DateTime?)e.UpdatedAtUtc, cancellationToken);
        var sessions = await db.Sessions.IgnoreQueryFilters().MaxAsync(s => (DateTime?)s.UpdatedAtUtc, cancellationToken);
        var speakers = await db.Speakers.MaxAsync(s => (DateTime?)s.UpdatedAtUtc, cancellationToken);
        return new[] { events, sessions, speakers }.Max() ?? DateTime.UnixEpoch;
    }
}
