using LiveHub.Data;
using LiveHub.Events.Pages;
using LiveHub.Live;
using LiveHub.Pages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Events;

/// <summary>A session a speaker takes part in, as their page lists it.</summary>
public sealed record SpeakerSessionItem(string EventTitle, string EventUrl, string SessionTitle, string SessionUrl, TimeRange When, bool IsChair, EventStatus Status, bool IsUpcoming);

/// <summary>A quote of the speaker from live coverage: its sanitised HTML, where it was said, and its permalink.</summary>
public sealed record SpeakerQuoteItem(string Html, string StreamTitle, string EventTitle, DateTimeOffset At, string TimeZone, string Permalink);

/// <summary>/speakers and /speakers/{slug}: only speakers a published event already shows (see <see cref="SpeakerEndpoints.Public"/>).</summary>
public static class SpeakerPages
{
    /// <summary>At most this many quotes on a speaker's page, newest first.</summary>
    public const int MaxQuotes = 50;

    public static void MapSpeakerPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/speakers", SpeakersList).ExcludeFromDescription();
        app.MapGet("/speakers/{slug}", SpeakerPage).ExcludeFromDescription();
    }

    private static async Task<RazorComponentResult<SpeakersListPage>> SpeakersList(LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var speakers = await SpeakerEndpoints.Public(db).AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken);
        return new RazorComponentResult<SpeakersListPage>(new { Speakers = (IReadOnlyList<SpeakerResponse>)[.. speakers.Select(EventMapping.ToResponse)] });
    }

    private static async Task<RazorComponentResult> SpeakerPage(string slug, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var speaker = await SpeakerEndpoints.Public(db).AsNoTracking().FirstOrDefaultAsync(s => s.Slug == slug, cancellationToken);
        if (speaker is null)
        {
            return new RazorComponentResult<NotFoundPage>(new { Message = "There is no speaker called '{0}'.", Subject = slug }) { StatusCode = StatusCodes.Status404NotFound };
        }

        return new RazorComponentResult<SpeakerPage>(new
        {
            Speaker = EventMapping.ToResponse(speaker),
            Sessions = await SessionsAsync(db, speaker.Id, clock.GetUtcNow().UtcDateTime, cancellationToken),
            Quotes = await QuotesAsync(db, speaker.Id, cancellationToken),
        });
    }

    /// <summary>Sessions of published events the speaker chairs or speaks in: upcoming first (soonest on top), then past ones (latest on top).</summary>
    internal static async Task<IReadOnlyList<SpeakerSessionItem>> SessionsAsync(LiveHubDbContext db, Guid speakerId, DateTime now, CancellationToken cancellationToken)
    {
        var sessions = await db.Sessions.AsNoTracking().Include(s => s.Event)
            .Where(s => (s.ChairId == speakerId || s.Speakers.Any(x => x.SpeakerId == speakerId)) && s.Event!.IsPublished)
            .ToListAsync(cancellationToken);
        var items = sessions.Select(s => new SpeakerSessionItem(
            s.Event!.Title, EventMapping.PageUrl(s.Event), s.Title, EventStructuredData.SessionPageUrl(s.Event.Slug, s.Id),
            EventMapping.When(s.StartsAtUtc, s.EndsAtUtc, s.Event.TimeZoneId), s.ChairId == speakerId,
            s.Event.Status == EventStatus.Cancelled ? EventStatus.Cancelled : s.Status, s.EndsAtUtc >= now)).ToList();
        return [.. items.Where(i => i.IsUpcoming).OrderBy(i => i.When.StartsAt), .. items.Where(i => !i.IsUpcoming).OrderByDescending(i => i.When.StartsAt)];
    }

    /// <summary>The speaker's quotes in live coverage the public can read now (published event, existing session, post not deleted).</summary>
    internal static async Task<IReadOnlyList<SpeakerQuoteItem>> QuotesAsync(LiveHubDbContext db, Guid speakerId, CancellationToken cancellationToken)
    {
        var visibleStreams = db.LiveStreams.Visible(db).Select(s => s.Id);
        var posts = await db.LivePosts.AsNoTracking()
            .Include(p => p.Stream).ThenInclude(s => s!.Event)
            .Include(p => p.Stream).ThenInclude(s => s!.Session)
            .Where(p => p.SpeakerId == speakerId && p.Kind == LivePostKind.Quote && p.DeletedAtUtc == null && visibleStreams.Contains(p.StreamId))
            .OrderByDescending(p => p.CreatedAtUtc).Take(MaxQuotes)
            .ToListAsync(cancellationToken);
        return [.. posts.Select(p => new SpeakerQuoteItem(
            p.BodyHtml, LiveQueries.StreamTitle(p.Stream!), p.Stream!.Event!.Title,
            new DateTimeOffset(p.CreatedAtUtc, TimeSpan.Zero), p.Stream.Event.TimeZoneId, $"{LiveQueries.PageUrl(p.Stream)}#post-{p.Sequence}"))];
    }
}
