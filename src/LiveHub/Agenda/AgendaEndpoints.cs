using LiveHub.Calendar;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Agenda;

/// <summary>
/// Personal agendas. No account: the agenda's token is the credential, sent in the <c>Agenda-Token</c> header to
/// the API (never in an API URL) and part of the private feed's URL, since calendar apps can only fetch a URL.
/// A token that matches nothing is answered 404 without repeating it, and counted against the caller's address.
/// </summary>
public static class AgendaEndpoints
{
    public const string TokenHeader = "Agenda-Token";
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static void MapAgendaEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/agendas", Create).WithTags("Agenda").RequireRateLimiting(AgendaFeature.CreateRateLimit);
        var mine = app.MapGroup("/api/agenda").WithTags("Agenda");
        mine.MapGet("/", Get);
        mine.MapPut("/sessions/{sessionId:guid}", AddSession);
        mine.MapDelete("/sessions/{sessionId:guid}", RemoveSession);
        mine.MapPost("/token", RotateToken);
        mine.MapDelete("/", Revoke);
        app.MapMethods("/agenda/{token}.ics", GetAndHead, Feed).WithTags("Calendar feeds").WithName("AgendaFeed");
    }

    private static async Task<Results<Created<AgendaResponse>, ValidationProblem>> Create(
        AgendaCreateRequest? request, HttpContext http, LiveHubDbContext db, PublicUrls urls, IOptions<AgendaOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var wanted = request?.SessionIds ?? [];
        var errors = new ValidationErrors();
        if (wanted.Count > options.Value.MaxSessions)
        {
            errors.Add("sessionIds", $"may list at most {options.Value.MaxSessions} sessions (got {wanted.Count}).");
            return errors.ToProblem();
        }

        var distinct = wanted.Distinct().ToList();
        var found = await PublicSessions(db).Where(s => distinct.Contains(s.Id)).Select(s => s.Id).ToListAsync(cancellationToken);
        for (var i = 0; i < wanted.Count; i++)
        {
            if (!found.Contains(wanted[i]))
            {
                errors.Add($"sessionIds[{i}]", $"no published session has the id {wanted[i]}.");
            }
        }

        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var token = AgendaTokens.New();
        var agenda = new PersonalAgenda { TokenHash = AgendaTokens.Hash(token)!, CreatedAtUtc = now, UpdatedAtUtc = now };
        agenda.Sessions.AddRange(distinct.Select(id => new AgendaSession { AgendaId = agenda.Id, SessionId = id, AddedAtUtc = now }));
        db.Set<PersonalAgenda>().Add(agenda);
        await db.SaveChangesAsync(cancellationToken);
        NoStore(http);
        return TypedResults.Created("/api/agenda", await ResponseAsync(db, agenda, token, http, urls, options.Value, cancellationToken));
    }

    private static async Task<IResult> Get(
        HttpContext http, LiveHubDbContext db, AgendaLookupThrottle throttle, PublicUrls urls, IOptions<AgendaOptions> options, CancellationToken cancellationToken)
    {
        var (agenda, token, problem) = await FindAsync(http, db, throttle, cancellationToken);
        if (agenda is null)
        {
            return problem!;
        }

        NoStore(http);
        return TypedResults.Ok(await ResponseAsync(db, agenda, token!, http, urls, options.Value, cancellationToken));
    }

    private static async Task<IResult> AddSession(
        Guid sessionId, HttpContext http, LiveHubDbContext db, AgendaLookupThrottle throttle, PublicUrls urls, IOptions<AgendaOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (agenda, token, problem) = await FindAsync(http, db, throttle, cancellationToken);
        if (agenda is null)
        {
            return problem!;
        }

        if (!agenda.Sessions.Any(s => s.SessionId == sessionId))
        {
            if (!await PublicSessions(db).AnyAsync(s => s.Id == sessionId, cancellationToken))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found", detail: $"No published session has the id {sessionId}.");
            }

            if (agenda.Sessions.Count >= options.Value.MaxSessions)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Agenda full",
                    detail: $"An agenda holds at most {options.Value.MaxSessions} sessions; remove one first.");
            }

            var now = clock.GetUtcNow().UtcDateTime;
            agenda.Sessions.Add(new AgendaSession { AgendaId = agenda.Id, SessionId = sessionId, AddedAtUtc = now });
            agenda.UpdatedAtUtc = now;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // The same add from another tab won the race: the session is in the agenda either way.
                db.ChangeTracker.Clear();
                agenda = await db.Set<PersonalAgenda>().Include(a => a.Sessions).FirstAsync(a => a.Id == agenda.Id, cancellationToken);
            }
        }

        NoStore(http);
        return TypedResults.Ok(await ResponseAsync(db, agenda, token!, http, urls, options.Value, cancellationToken));
    }

    private static async Task<IResult> RemoveSession(
        Guid sessionId, HttpContext http, LiveHubDbContext db, AgendaLookupThrottle throttle, PublicUrls urls, IOptions<AgendaOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (agenda, token, problem) = await FindAsync(http, db, throttle, cancellationToken);
        if (agenda is null)
        {
            return problem!;
        }

        if (agenda.Sessions.FirstOrDefault(s => s.SessionId == sessionId) is { } item)
        {
            agenda.Sessions.Remove(item);
            agenda.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
        }

        NoStore(http);
        return TypedResults.Ok(await ResponseAsync(db, agenda, token!, http, urls, options.Value, cancellationToken));
    }

    /// <summary>A new token for the same agenda: the old feed URL stops working at once.</summary>
    private static async Task<IResult> RotateToken(
        HttpContext http, LiveHubDbContext db, AgendaLookupThrottle throttle, PublicUrls urls, IOptions<AgendaOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (agenda, _, problem) = await FindAsync(http, db, throttle, cancellationToken);
        if (agenda is null)
        {
            return problem!;
        }

        var token = AgendaTokens.New();
        agenda.TokenHash = AgendaTokens.Hash(token)!;
        agenda.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        NoStore(http);
        return TypedResults.Ok(await ResponseAsync(db, agenda, token, http, urls, options.Value, cancellationToken));
    }

    private static async Task<IResult> Revoke(HttpContext http, LiveHubDbContext db, AgendaLookupThrottle throttle, CancellationToken cancellationToken)
    {
        var (agenda, _, problem) = await FindAsync(http, db, throttle, cancellationToken);
        if (agenda is null)
        {
            return problem!;
        }

        db.Set<PersonalAgenda>().Remove(agenda);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Feed(
        string token, HttpContext http, LiveHubDbContext db, AgendaLookupThrottle throttle, FeedService feeds, PublicUrls urls, CancellationToken cancellationToken)
    {
        if (throttle.IsBlocked(http))
        {
            return TooMany(http, throttle);
        }

        var hash = AgendaTokens.Hash(token);
        var agenda = hash is null ? null : await db.Set<PersonalAgenda>().AsNoTracking().Include(a => a.Sessions).FirstOrDefaultAsync(a => a.TokenHash == hash, cancellationToken);
        if (agenda is null)
        {
            throttle.RecordFailure(http);
            // Nothing from the URL is repeated: the answer is the same for every token that matches nothing.
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Feed not found",
                detail: "No agenda has this address. It may have been deleted, or replaced by a new link.");
        }

        var baseUrl = urls.BaseUrl(http.Request);
        var header = new FeedHeader(
            "My LiveHub agenda",
            "The sessions you picked on LiveHub: new times, changes and cancellations arrive on their own.",
            AgendaUrls.Feed(baseUrl, token),
            AgendaUrls.Page(baseUrl));
        var scope = new FeedScope.Agenda(agenda.Id, agenda.Sessions.Select(s => s.SessionId).ToHashSet(), agenda.UpdatedAtUtc);
        var feed = await feeds.RenderAsync(db, scope, header, baseUrl, cancellationToken);
        // Private to whoever holds the link: shared caches must not keep it.
        return new CalendarFeedResult(feed, "private, no-cache", downloadFileName: null);
    }

    /// <summary>Sessions anyone may see: not deleted, in a published event that is not deleted.</summary>
    private static IQueryable<Session> PublicSessions(LiveHubDbContext db) => db.Sessions.Where(s => s.Event!.IsPublished && s.Event.DeletedAtUtc == null);

    private static async Task<(PersonalAgenda? Agenda, string? Token, IResult? Problem)> FindAsync(
        HttpContext http, LiveHubDbContext db, AgendaLookupThrottle throttle, CancellationToken cancellationToken)
    {
        if (throttle.IsBlocked(http))
        {
            return (null, null, TooMany(http, throttle));
        }

        string? token = http.Request.Headers[TokenHeader];
        if (string.IsNullOrEmpty(token))
        {
            var errors = new ValidationErrors();
            errors.Add(TokenHeader, "is required: send the agenda's token in this header.");
            return (null, null, errors.ToProblem());
        }

        var hash = AgendaTokens.Hash(token);
        var agenda = hash is null ? null : await db.Set<PersonalAgenda>().Include(a => a.Sessions).FirstOrDefaultAsync(a => a.TokenHash == hash, cancellationToken);
        if (agenda is null)
        {
            throttle.RecordFailure(http);
            return (null, null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Agenda not found",
                detail: "No agenda has this token. It may have been deleted, or replaced by a new link."));
        }

        return (agenda, token, null);
    }

    private static ProblemHttpResult TooMany(HttpContext http, AgendaLookupThrottle throttle)
    {
        http.Response.Headers.RetryAfter = throttle.RetryAfterSeconds(http).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many agenda lookups",
            detail: "Too many lookups from this address matched no agenda. Try again after the time in Retry-After.");
    }

    private static void NoStore(HttpContext http) => http.Response.Headers.CacheControl = "no-store";

    private static async Task<AgendaResponse> ResponseAsync(
        LiveHubDbContext db, PersonalAgenda agenda, string token, HttpContext http, PublicUrls urls, AgendaOptions options, CancellationToken cancellationToken)
    {
        var ids = agenda.Sessions.Select(s => s.SessionId).ToList();
        // Deleted sessions and events are listed (as removed) so the attendee sees what happened; unpublished ones are not.
        var sessions = await db.Sessions.IgnoreQueryFilters().AsNoTracking().Include(s => s.Event)
            .Where(s => ids.Contains(s.Id) && s.Event!.IsPublished)
            .ToListAsync(cancellationToken);
        var items = sessions
            .OrderBy(s => s.StartsAtUtc).ThenBy(s => s.Id)
            .Select(s =>
            {
                var e = s.Event!;
                var removed = s.DeletedAtUtc is not null || e.DeletedAtUtc is not null;
                var status = removed || s.Status == EventStatus.Cancelled || e.Status == EventStatus.Cancelled ? EventStatus.Cancelled
                    : s.Status == EventStatus.Postponed || e.Status == EventStatus.Postponed ? EventStatus.Postponed
                    : EventStatus.Scheduled;
                return new AgendaSessionResponse(s.Id, s.Title, e.Slug, e.Title, EventMapping.When(s.StartsAtUtc, s.EndsAtUtc, e.TimeZoneId), s.Room, status, removed,
                    removed ? "/events" : $"/events/{Uri.EscapeDataString(e.Slug)}#session-{s.Id:D}");
            })
            .ToList();
        var feedUrl = AgendaUrls.Feed(urls.BaseUrl(http.Request), token);
        return new AgendaResponse(token, feedUrl, PublicUrls.Webcal(feedUrl), new DateTimeOffset(agenda.UpdatedAtUtc, TimeSpan.Zero), options.MaxSessions, items);
    }
}

public static class AgendaUrls
{
    public static string Feed(string baseUrl, string token) => $"{baseUrl}/agenda/{token}.ics";

    public static string Page(string baseUrl) => $"{baseUrl}/agenda";
}
