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

    /// <summary>A personal agenda: these sessions only. Not cached (there may be many); changed when its list changed.</summary>
    public sealed record Agenda(Guid AgendaId, IReadOnlySet<Guid> SessionIds, DateTime ChangedAtUtc) : FeedScope;
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
        var agenda = scope as FeedScope.Agenda;
        if (agenda is null && _cache.TryGetValue(key, out var cached) && cached.Version == version)
        {
            return cached.Feed;
        }

        var events = await LoadAsync(db, scope, now, cancellationToken);
        var keepSince = KeepCancelledSince(now);
        var firstPublished = events.ToDictionary(e => e.Id, e => e.FirstPublishedAtUtc);
        // A deleted session stays as a cancelled tombstone for the grace period, if the public could have seen it.
        Func<Session, bool> inWindow = s => s.DeletedAtUtc is { } deleted
            ? deleted >= keepSince && firstPublished[s.EventId] <= deleted
            : s.Status != Events.EventStatus.Cancelled || (s.CancelledAtUtc ?? s.UpdatedAtUtc) >= keepSince;
        Func<Session, bool> includeSession = scope switch
        {
            FeedScope.OneSession one => s => s.Id == one.SessionId,
            FeedScope.Agenda picked => s => picked.SessionIds.Contains(s.Id) && inWindow(s),
            _ => inWindow,
        };
        var calendar = FeedBuilder.Build(header, events, includeSession, baseUrl, Options, includeEvents: scope is not (FeedScope.OneSession or FeedScope.Agenda));
        var body = _serializer.SerializeToUtf8Bytes(calendar);

        // Validators must cover everything that could have changed the bytes: removals (deletion, unpublishing,
        // a tag taken off) leave no row in the feed, so the newest change anywhere is used, never in the future.
        var lastModified = new[] { calendar.LastModified ?? DateTime.MinValue, dataVersion, agenda?.ChangedAtUtc ?? DateTime.MinValue }.Max();
        var feed = RenderedFeed.Create(body, lastModified > now ? now : lastModified);
        if (agenda is not null)
        {
            return feed;
        }

        if (_cache.Count >= MaxCachedFeeds)
        {
            _cache.Clear();
        }

        _cache[key] = (version, feed);
        return feed;
    }

    /// <summary>Cancelled and deleted events and sessions stay in feeds (as STATUS:CANCELLED) if that happened at or after this.</summary>
    public DateTime KeepCancelledSince(DateTime now) => now.AddDays(-Options.KeepCancelledDays);

    /// <summary>
    /// Deleted rows are loaded too: within the grace period they are published as cancelled tombstones (same UID,
    /// higher SEQUENCE), so subscribed calendars remove them instead of keeping a ghost entry.
    /// </summary>
    private async Task<List<Event>> LoadAsync(LiveHubDbContext db, FeedScope scope, DateTime now, CancellationToken cancellationToken)
    {
        IQueryable<Event> query = db.Events.IgnoreQueryFilters().AsNoTracking()
            .Include(e => e.Sessions).ThenInclude(s => s.Speakers).ThenInclude(x => x.Speaker)
            .Include(e => e.Sessions).ThenInclude(s => s.Chair)
            .AsSplitQuery();
        var keepSince = KeepCancelledSince(now);
        switch (scope)
        {
            case FeedScope.OneEvent one:
                query = query.Where(e => e.Id == one.EventId);
                break;
            case FeedScope.OneSession one:
                query = query.Where(e => e.Id == one.EventId);
                break;
            case FeedScope.Agenda agenda:
            {
                var ids = agenda.SessionIds.ToList();
                query = query.Where(e => e.IsPublished && e.Sessions.Any(s => ids.Contains(s.Id))
                    && (e.DeletedAtUtc == null || (e.DeletedAtUtc >= keepSince && e.FirstPublishedAtUtc != null && e.FirstPublishedAtUtc <= e.DeletedAtUtc)));
                break;
            }

            default:
                var since = now.AddDays(-Options.PastDays);
                query = query.Where(e => e.IsPublished && (e.SeriesEndsAtUtc ?? e.EndsAtUtc) >= since
                    && (e.DeletedAtUtc == null || (e.DeletedAtUtc >= keepSince && e.FirstPublishedAtUtc != null && e.FirstPublishedAtUtc <= e.DeletedAtUtc))
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
