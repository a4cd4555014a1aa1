using System.Globalization;
using System.Text.RegularExpressions;
using LiveHub.Bluesky;
using LiveHub.Bluesky.RichText;
using LiveHub.Data;
using LiveHub.Problems;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.CrossPosting;

public static partial class CrossPostEndpoints
{
    public static void MapCrossPostEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/crosspost").WithTags("Cross-posting")
            .RequireAuthorization(StaffPolicies.Admin).RequireAntiforgeryForCookies();
        admin.MapGet("/settings", GetSettings);
        admin.MapPut("/settings", PutSettings);
        admin.MapPut("/account", ConnectAccount);
        admin.MapDelete("/account", DisconnectAccount);
        admin.MapGet("/events", ListEvents);
        admin.MapPut("/events/{slug}", PutEvent);
        admin.MapGet("/jobs", CrossPostJobs.GetAsync);

        // The live console (editors): each post's state, and retry/skip for failed ones.
        var editor = app.MapGroup("/api").WithTags("Cross-posting")
            .RequireAuthorization(StaffPolicies.Editor).RequireAntiforgeryForCookies();
        editor.MapGet("/streams/{id:guid}/crosspost", GetStream);
        editor.MapPost("/crosspost/{id:guid}/retry", Retry);
        editor.MapPost("/crosspost/{id:guid}/skip", Skip);
    }

    internal static async Task<Ok<CrossPostSettingsResponse>> GetSettings(LiveHubDbContext db, IOptions<CrossPostingOptions> options, CancellationToken cancellationToken) =>
        TypedResults.Ok(ToResponse(await db.Set<CrossPostAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == CrossPostAccount.SingletonId, cancellationToken), options.Value));

    private static async Task<Results<Ok<CrossPostSettingsResponse>, ValidationProblem>> PutSettings(
        CrossPostSettingsRequest request, LiveHubDbContext db, IOptions<CrossPostingOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var hashtags = NormaliseHashtags("defaultHashtags", request.DefaultHashtags, errors);
        var language = NormaliseLanguage("defaultLanguage", request.DefaultLanguage, errors);
        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        var account = await LoadOrCreateAccountAsync(db, cancellationToken);
        account.DefaultHashtags = hashtags;
        account.DefaultLanguage = language;
        account.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(account, options.Value));
    }

    /// <summary>Logs in with the handle and app password (against the configured service) before storing anything.</summary>
    private static async Task<Results<Ok<CrossPostSettingsResponse>, ValidationProblem, ProblemHttpResult>> ConnectAccount(
        ConnectAccountRequest request, LiveHubDbContext db, BlueskyAccount bluesky, IOptions<CrossPostingOptions> options, TimeProvider clock,
        ILogger<BlueskyAccount> logger, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var handle = request.Handle?.Trim().TrimStart('@');
        if (errors.Required("handle", handle))
        {
            errors.MaxLength("handle", handle, CrossPostLimits.Handle);
        }

        if (errors.Required("appPassword", request.AppPassword))
        {
            errors.MaxLength("appPassword", request.AppPassword, 128);
        }

        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        BlueskySession session;
        try
        {
            session = await bluesky.TestLoginAsync(handle!, request.AppPassword!.Trim(), cancellationToken);
        }
        catch (XrpcException ex) when (ex.StatusCode is 401 or 400 || ex.RequiresAttention)
        {
            errors.Add("appPassword", $"Bluesky refused this handle and app password ({ex.Error ?? ex.StatusCode.ToString(CultureInfo.InvariantCulture)}). Create an app password under Settings → Privacy and security → App passwords.");
            return errors.ToProblem();
        }
        catch (XrpcException ex) when (ex.StatusCode == 429 || ex.Error == XrpcErrors.LoginThrottled)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many Bluesky logins",
                detail: "Bluesky limits logins per account; wait a few minutes before trying again.");
        }
        catch (XrpcException ex)
        {
            logger.LogWarning(ex, "Testing the Bluesky login failed.");
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Bluesky could not be reached",
                detail: "The login could not be tested; nothing was saved. Try again later.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var account = await LoadOrCreateAccountAsync(db, cancellationToken);
        account.Handle = session.Handle;
        account.Did = session.Did;
        account.ProtectedAppPassword = bluesky.Protect(request.AppPassword!.Trim());
        // The session from the test login is kept, so the worker does not log in again (logins are scarce).
        account.ProtectedSession = bluesky.ProtectSession(session);
        account.ConnectionStamp = Guid.NewGuid();
        account.ConnectedAtUtc = now;
        account.PausedUntilUtc = null;
        account.UpdatedAtUtc = now;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(account, options.Value));
    }

    private static async Task<Ok<CrossPostSettingsResponse>> DisconnectAccount(LiveHubDbContext db, IOptions<CrossPostingOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var account = await LoadOrCreateAccountAsync(db, cancellationToken);
        account.Handle = null;
        account.Did = null;
        account.ProtectedAppPassword = null;
        account.ProtectedSession = null;
        account.ConnectedAtUtc = null;
        account.ConnectionStamp = Guid.NewGuid();
        account.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(account, options.Value));
    }

    private static async Task<Ok<List<CrossPostEventResponse>>> ListEvents(LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var events = await db.Events.AsNoTracking().OrderByDescending(e => e.StartsAtUtc)
            .Select(e => new { e.Id, e.Slug, e.Title, e.StartsAtUtc }).ToListAsync(cancellationToken);
        var settings = await db.Set<CrossPostEventSettings>().AsNoTracking().ToDictionaryAsync(s => s.EventId, cancellationToken);
        return TypedResults.Ok(events.Select(e =>
        {
            var s = settings.GetValueOrDefault(e.Id);
            return new CrossPostEventResponse(e.Id, e.Slug, e.Title, Utc(e.StartsAtUtc), s?.Enabled ?? false, s?.EditMode ?? CrossPostEditMode.CorrectionReply, s?.Hashtags, s?.Language);
        }).ToList());
    }

    private static async Task<Results<Ok<CrossPostEventResponse>, ValidationProblem, ProblemHttpResult>> PutEvent(
        string slug, CrossPostEventRequest request, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var e = await db.Events.FirstOrDefaultAsync(x => x.Slug == slug, cancellationToken);
        if (e is null)
        {
            return Events.EventQueries.EventNotFound(slug);
        }

        var errors = new ValidationErrors();
        var hashtags = NormaliseHashtags("hashtags", request.Hashtags, errors);
        var language = NormaliseLanguage("language", request.Language, errors);
        if (request.Enabled is null)
        {
            errors.Add("enabled", "is required (true or false).");
        }

        if (errors.HasErrors)
        {
            return errors.ToProblem();
        }

        var settings = await db.Set<CrossPostEventSettings>().FirstOrDefaultAsync(s => s.EventId == e.Id, cancellationToken);
        if (settings is null)
        {
            settings = new CrossPostEventSettings { EventId = e.Id };
            db.Set<CrossPostEventSettings>().Add(settings);
        }

        settings.Enabled = request.Enabled!.Value;
        settings.EditMode = request.EditMode ?? CrossPostEditMode.CorrectionReply;
        settings.Hashtags = hashtags;
        settings.Language = language;
        settings.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new CrossPostEventResponse(e.Id, e.Slug, e.Title, Utc(e.StartsAtUtc), settings.Enabled, settings.EditMode, settings.Hashtags, settings.Language));
    }

    private static async Task<Results<Ok<CrossPostStreamResponse>, ProblemHttpResult>> GetStream(Guid id, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var stream = await db.LiveStreams.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (stream is null)
        {
            return Live.LiveEndpoints.StreamNotFound(id);
        }

        var enabled = await db.Set<CrossPostEventSettings>().AnyAsync(s => s.EventId == stream.EventId && s.Enabled, cancellationToken);
        var connected = await db.Set<CrossPostAccount>().AnyAsync(a => a.Handle != null && a.ProtectedAppPassword != null, cancellationToken);
        var thread = await db.Set<CrossPostThread>().AsNoTracking().FirstOrDefaultAsync(t => t.StreamId == id, cancellationToken);
        var items = await db.Set<CrossPostItem>().AsNoTracking().Where(i => i.StreamId == id)
            .OrderBy(i => i.ChangeSequence).ThenBy(i => i.Part).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var pending = items.Where(i => i.State is CrossPostState.Queued or CrossPostState.Sending).ToList();
        var head = pending.FirstOrDefault();
        var paused = await db.Set<CrossPostAccount>().Where(a => a.Id == CrossPostAccount.SingletonId).Select(a => a.PausedUntilUtc).FirstOrDefaultAsync(cancellationToken);
        var wait = WaitReasons(head, thread, paused, now);
        var posts = items.GroupBy(i => i.PostId)
            .Select(g =>
            {
                var rows = g.ToList();
                var list = rows.Select(i => ToResponse(i) with { FirstPartUrl = FirstPartUrl(rows, i), Wait = wait(i) }).ToList();
                var first = rows.Where(i => i.Action == CrossPostAction.Post && i.Part == 0 && CrossPostChain.IsInChain(i)).Select(i => BlueskyUrl(i.Uri)).LastOrDefault();
                var error = rows.Where(i => i.State == CrossPostState.Failed).Select(i => i.LastError).FirstOrDefault();
                var waiting = rows.Where(i => i.State is CrossPostState.Queued or CrossPostState.Sending).Select(wait).FirstOrDefault();
                return new CrossPostPostResponse(g.Key, g.First().PostSequence, PostState(rows), first, error, list, waiting);
            })
            .OrderBy(p => p.PostSequence).ToList();
        return TypedResults.Ok(new CrossPostStreamResponse(id, enabled, connected, BlueskyUrl(thread?.RootUri), posts,
            pending.Count,
            head is null ? null : Utc(paused is { } p && p > head.NextAttemptAtUtc ? p : head.NextAttemptAtUtc),
            head?.LastError,
            paused is { } until && until > now ? Utc(until) : null,
            head is null ? null : wait(head)));
    }

    /// <summary>For a later part of a split update: the link to its first part.</summary>
    private static string? FirstPartUrl(List<CrossPostItem> rows, CrossPostItem item) =>
        item.Part <= 0 || item.Action == CrossPostAction.Delete ? null
        : rows.Where(r => r.Action == item.Action && r.ChangeSequence == item.ChangeSequence && r.Part == 0 && CrossPostChain.IsInChain(r))
            .Select(r => BlueskyUrl(r.Uri)).FirstOrDefault();

    /// <summary>Why each waiting item of a stream waits (rows go out strictly in order, so only the head waits on its own account).</summary>
    private static Func<CrossPostItem, CrossPostWait?> WaitReasons(CrossPostItem? head, CrossPostThread? thread, DateTime? paused, DateTime now)
    {
        CrossPostWait? headWait = null;
        if (head is not null)
        {
            var leased = thread is { LeaseOwner: { } owner, LeaseUntilUtc: { } leaseUntil } && leaseUntil > now;
            headWait = paused is { } p && p > now
                ? new CrossPostWait("rateLimit", "Bluesky rate-limited the account; every stream waits until then.", Utc(p))
                : head.NextAttemptAtUtc > now
                    ? new CrossPostWait("backoff", head.LastError ?? "Retrying after a failed attempt.", Utc(head.NextAttemptAtUtc))
                    : leased
                        ? new CrossPostWait("lease", $"Instance {thread!.LeaseOwner!.Split('/')[0]} is sending this stream (it renews its lease while it runs; " +
                            "if it was stopped, another instance takes over when the lease ends, and it takes back its own at once when it restarts).", Utc(thread.LeaseUntilUtc!.Value))
                        : new CrossPostWait("due", "Due now: a worker picks it up next.", null);
        }

        return item =>
        {
            if (item.State is not (CrossPostState.Queued or CrossPostState.Sending) || head is null)
            {
                return null;
            }

            return item.Id == head.Id || headWait!.Reason == "rateLimit"
                ? headWait
                : new CrossPostWait("order", $"Waits for update #{head.PostSequence}: a stream's updates go out in order.", headWait!.Until);
        };
    }

    private static async Task<Results<Ok<CrossPostItemResponse>, ProblemHttpResult>> Retry(
        Guid id, LiveHubDbContext db, CrossPostKicker kicker, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await db.Set<CrossPostItem>()
            .Where(i => i.Id == id && (i.State == CrossPostState.Failed || i.State == CrossPostState.Skipped) && i.RemovedAtUtc == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.State, CrossPostState.Queued).SetProperty(i => i.Attempts, 0)
                .SetProperty(i => i.NextAttemptAtUtc, now).SetProperty(i => i.LastError, (string?)null)
                .SetProperty(i => i.CompletedAtUtc, (DateTime?)null).SetProperty(i => i.UpdatedAtUtc, now), cancellationToken);
        var item = await db.Set<CrossPostItem>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (item is null)
        {
            return ItemNotFound(id);
        }

        if (changed == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing to retry",
                detail: $"Only failed or skipped items can be retried; this one is {item.State.ToString().ToLowerInvariant()}.");
        }

        await kicker.KickAsync(item.StreamId, cancellationToken);
        return TypedResults.Ok(ToResponse(item));
    }

    private static async Task<Results<Ok<CrossPostItemResponse>, ProblemHttpResult>> Skip(
        Guid id, HttpContext http, LiveHubDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var who = http.User.Identity?.Name ?? "staff";
        var changed = await db.Set<CrossPostItem>()
            .Where(i => i.Id == id && (i.State == CrossPostState.Failed || i.State == CrossPostState.Queued))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.State, CrossPostState.Skipped).SetProperty(i => i.LastError, $"Skipped by {who}.")
                .SetProperty(i => i.CompletedAtUtc, now).SetProperty(i => i.UpdatedAtUtc, now), cancellationToken);
        var item = await db.Set<CrossPostItem>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (item is null)
        {
            return ItemNotFound(id);
        }

        return changed == 0
            ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cannot skip",
                detail: $"Only queued or failed items can be skipped; this one is {item.State.ToString().ToLowerInvariant()}.")
            : TypedResults.Ok(ToResponse(item));
    }

    internal static CrossPostItemResponse ToResponse(CrossPostItem i) => new(
        i.Id, i.StreamId, i.PostId, i.PostSequence, i.ChangeSequence, i.Part, i.PartCount, i.Action, i.State, i.Attempts,
        i.State is CrossPostState.Queued or CrossPostState.Sending ? Utc(i.NextAttemptAtUtc) : null,
        i.LastError, i.Uri, i.RemovedAtUtc is null ? BlueskyUrl(i.Uri) : null, i.RemovedAtUtc is not null, Utc(i.CreatedAtUtc),
        i.CompletedAtUtc is { } done ? Utc(done) : null,
        CanRetry: i.State is CrossPostState.Failed or CrossPostState.Skipped && i.RemovedAtUtc is null,
        CanSkip: i.State is CrossPostState.Failed or CrossPostState.Queued);

    /// <summary>https://bsky.app/profile/{did}/post/{rkey} for an at:// URI of a post.</summary>
    internal static string? BlueskyUrl(string? atUri)
    {
        if (atUri is null)
        {
            return null;
        }

        try
        {
            var parsed = AtUri.Parse(atUri);
            return $"https://bsky.app/profile/{parsed.Repo}/post/{parsed.Rkey}";
        }
        catch (FormatException)
        {
            return null;
        }
    }

    internal static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static CrossPostState PostState(List<CrossPostItem> items) =>
        items.Any(i => i.State == CrossPostState.Failed) ? CrossPostState.Failed
        : items.Any(i => i.State == CrossPostState.Sending) ? CrossPostState.Sending
        : items.Any(i => i.State == CrossPostState.Queued) ? CrossPostState.Queued
        : items.Any(CrossPostChain.IsInChain) ? CrossPostState.Posted
        : items.Any(i => i.Action == CrossPostAction.Delete && i.State == CrossPostState.Deleted) ? CrossPostState.Deleted
        : CrossPostState.Skipped;

    private static CrossPostSettingsResponse ToResponse(CrossPostAccount? account, CrossPostingOptions options) => new(
        account?.Handle is { } handle ? new CrossPostAccountResponse(handle, account.Did, account.ConnectedAtUtc is { } at ? Utc(at) : null) : null,
        account?.DefaultHashtags,
        account?.DefaultLanguage,
        options.ServiceUrl.ToString(),
        options.PublicBaseUrl?.ToString(),
        account?.PausedUntilUtc is { } paused ? Utc(paused) : null);

    private static async Task<CrossPostAccount> LoadOrCreateAccountAsync(LiveHubDbContext db, CancellationToken cancellationToken)
    {
        var account = await db.Set<CrossPostAccount>().FirstOrDefaultAsync(a => a.Id == CrossPostAccount.SingletonId, cancellationToken);
        if (account is null)
        {
            account = new CrossPostAccount { ConnectionStamp = Guid.NewGuid() };
            db.Set<CrossPostAccount>().Add(account);
        }

        return account;
    }

    private static string? NormaliseHashtags(string field, string? value, ValidationErrors errors)
    {
        var tags = CrossPostText.Hashtags(value).ToList();
        if (tags.Count == 0)
        {
            return null;
        }

        if (tags.Count > 8)
        {
            errors.Add(field, $"at most 8 hashtags (got {tags.Count}).");
        }

        foreach (var tag in tags.Where(t => PostText.CountGraphemes(t) > PostText.MaxTagGraphemes + 1 || FacetDetector.Detect(t).Count != 1))
        {
            errors.Add(field, $"'{tag}' is not a hashtag Bluesky would link (letters or digits, not only digits, at most 64 characters).");
        }

        var joined = string.Join(' ', tags);
        errors.MaxLength(field, joined, CrossPostLimits.Hashtags);
        return joined;
    }

    private static string? NormaliseLanguage(string field, string? value, ValidationErrors errors)
    {
        var language = value?.Trim();
        if (string.IsNullOrEmpty(language))
        {
            return null;
        }

        if (language.Length > CrossPostLimits.Language || !LanguageTag().IsMatch(language))
        {
            errors.Add(field, "must be a BCP-47 language tag such as 'en' or 'pt-BR'.");
        }

        return language;
    }

    private static ProblemHttpResult ItemNotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Cross-post not found", detail: $"There is no cross-post item with the id {id}.");

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    private static partial Regex LanguageTag();
}
