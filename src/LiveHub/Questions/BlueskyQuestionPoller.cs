using LiveHub.Bluesky;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Questions;

/// <summary>
/// Reads the replies to each live, cross-posted stream's Bluesky thread (getPostThread on the thread's root, through
/// the hub account's PDS, which asks its AppView) and queues every reply by someone else as a pending question.
/// One read per stream per <see cref="QuestionsOptions.PollInterval"/>; after a failure the stream waits twice as
/// long each time (up to <see cref="QuestionsOptions.MaxBackoff"/>), and after a 429 every stream waits at least
/// until the limit resets. The next read time is stored per stream and claimed with a conditional update, so a
/// restart neither re-reads at once nor forgets a backoff, and two instances do not both read the same stream in a
/// round. A reply is stored once, whoever reads it: its AT URI is unique.
/// </summary>
public sealed class BlueskyQuestionPoller(
    IServiceScopeFactory scopes,
    BlueskyAccount account,
    IOptions<QuestionsOptions> options,
    TimeProvider clock,
    ILogger<BlueskyQuestionPoller> logger)
{
    /// <summary>The AppView's maximum: the hub's own posts form one long chain, and replies hang anywhere below it.</summary>
    public const int ThreadDepth = 1000;

    /// <summary>Reads every stream whose turn has come; returns the number of new questions queued.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled || !settings.PollBluesky)
        {
            return 0;
        }

        var connection = await account.GetAsync(cancellationToken);
        if (connection is null)
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        var hubDid = await db.Set<CrossPostAccount>().AsNoTracking().Where(a => a.Id == CrossPostAccount.SingletonId)
            .Select(a => a.Did).FirstOrDefaultAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await (
            from s in db.LiveStreams.AsNoTracking().Visible(db)
            join t in db.Set<CrossPostThread>() on s.Id equals t.StreamId
            where s.State == CoverageState.Live && t.RootUri != null
            join p in db.Set<QuestionPollState>() on s.Id equals p.StreamId into polls
            from p in polls.DefaultIfEmpty()
            where p == null || p.NextPollAtUtc <= now
            select new { s.Id, t.RootUri, Next = p == null ? (DateTime?)null : p.NextPollAtUtc, Failures = p == null ? 0 : p.ConsecutiveFailures })
            .ToListAsync(cancellationToken);

        var added = 0;
        foreach (var stream in due)
        {
            if (!await ClaimAsync(db, stream.Id, stream.Next, now + settings.PollInterval, cancellationToken))
            {
                continue; // another instance took this round
            }

            PostThreadResult? thread;
            try
            {
                thread = await connection.Client.Feed.GetPostThreadAsync(stream.RootUri!, depth: ThreadDepth, parentHeight: 0, cancellationToken);
            }
            catch (XrpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                var wait = Backoff(settings, stream.Failures + 1, ex);
                await FailedAsync(db, stream.Id, now + wait, ex, cancellationToken);
                if (ex.StatusCode == 429)
                {
                    // The limit is the account's (or the address's): the other streams would only meet it too.
                    logger.LogWarning("Bluesky rate-limited the question poll; waiting {Wait} before reading threads again.", wait);
                    await PostponeAllAsync(db, [.. due.Select(d => d.Id).Where(id => id != stream.Id)], now + wait, cancellationToken);
                    break;
                }

                logger.LogWarning("Could not read the Bluesky thread of stream {Stream} ({Error}); next try in {Wait}.", stream.Id, ex.Message, wait);
                continue;
            }

            added += await StoreAsync(db, stream.Id, thread, hubDid ?? connection.Client.Session?.Did, cancellationToken);
            await db.Set<QuestionPollState>().Where(p => p.StreamId == stream.Id).ExecuteUpdateAsync(s => s
                .SetProperty(p => p.LastPolledAtUtc, now)
                .SetProperty(p => p.ConsecutiveFailures, 0)
                .SetProperty(p => p.LastError, (string?)null), cancellationToken);
        }

        return added;
    }

    /// <summary>Doubling from the poll interval, capped; never sooner than the server asked (Retry-After, RateLimit-Reset).</summary>
    public static TimeSpan Backoff(QuestionsOptions settings, int failures, XrpcException ex)
    {
        var doubled = settings.PollInterval * Math.Pow(2, Math.Min(failures, 20));
        var wait = doubled > settings.MaxBackoff ? settings.MaxBackoff : doubled;
        if (ex.RetryAfter is { } asked && asked > wait)
        {
            wait = asked;
        }

        return ex.StatusCode == 429 && wait < TimeSpan.FromMinutes(1) && ex.RetryAfter is null ? TimeSpan.FromMinutes(1) : wait;
    }

    private static async Task<bool> ClaimAsync(LiveHubDbContext db, Guid streamId, DateTime? seen, DateTime next, CancellationToken cancellationToken)
    {
        if (seen is { } previous)
        {
            return await db.Set<QuestionPollState>().Where(p => p.StreamId == streamId && p.NextPollAtUtc == previous)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextPollAtUtc, next), cancellationToken) == 1;
        }

        db.Add(new QuestionPollState { StreamId = streamId, NextPollAtUtc = next });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private static Task<int> FailedAsync(LiveHubDbContext db, Guid streamId, DateTime next, XrpcException ex, CancellationToken cancellationToken)
    {
        var error = $"{ex.StatusCode} {ex.Error}: {ex.Message}";
        if (error.Length > QuestionLimits.Error)
        {
            error = error[..QuestionLimits.Error];
        }

        return db.Set<QuestionPollState>().Where(p => p.StreamId == streamId).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.NextPollAtUtc, next)
            .SetProperty(p => p.ConsecutiveFailures, p => p.ConsecutiveFailures + 1)
            .SetProperty(p => p.LastError, error), cancellationToken);
    }

    private static async Task PostponeAllAsync(LiveHubDbContext db, List<Guid> streamIds, DateTime until, CancellationToken cancellationToken)
    {
        foreach (var streamId in streamIds)
        {
            var updated = await db.Set<QuestionPollState>().Where(p => p.StreamId == streamId && p.NextPollAtUtc < until)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextPollAtUtc, until), cancellationToken);
            if (updated == 0 && !await db.Set<QuestionPollState>().AnyAsync(p => p.StreamId == streamId, cancellationToken))
            {
                await ClaimAsync(db, streamId, null, until, cancellationToken);
            }
        }
    }

    /// <summary>Queues the replies not seen before. Replies by the hub's account are its own thread, not questions.</summary>
    private async Task<int> StoreAsync(LiveHubDbContext db, Guid streamId, PostThreadResult? thread, string? hubDid, CancellationToken cancellationToken)
    {
        if (thread is null)
        {
            return 0; // the thread's root is gone (deleted): nothing to read
        }

        var replies = new List<PostView>();
        Collect(thread.Thread, replies, hubDid, isRoot: true);
        var uris = replies.Select(r => r.Uri).Distinct().ToList();
        if (uris.Count == 0)
        {
            return 0;
        }

        var known = (await db.Set<Question>().Where(q => q.BlueskyUri != null && uris.Contains(q.BlueskyUri)).Select(q => q.BlueskyUri!).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        var now = clock.GetUtcNow().UtcDateTime;
        var added = 0;
        foreach (var reply in replies.DistinctBy(r => r.Uri).Where(r => !known.Contains(r.Uri)))
        {
            if (ToQuestion(streamId, reply, now) is not { } question)
            {
                continue;
            }

            db.Add(question);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                added++;
            }
            catch (DbUpdateException)
            {
                // Stored meanwhile by another instance: the unique URI keeps it single.
                logger.LogDebug("Reply {Uri} was already stored.", reply.Uri);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        if (added > 0)
        {
            logger.LogInformation("Queued {Count} question(s) from Bluesky replies for stream {Stream}.", added, streamId);
        }

        return added;
    }

    private static void Collect(ThreadNode node, List<PostView> replies, string? hubDid, bool isRoot)
    {
        // Blocked and not-found replies carry no content to show, and whatever hangs below them is not in the view.
        if (node is not ThreadViewPost view)
        {
            return;
        }

        if (!isRoot && view.Post.Author.Did != hubDid)
        {
            replies.Add(view.Post);
        }

        foreach (var reply in view.Replies)
        {
            Collect(reply, replies, hubDid, isRoot: false);
        }
    }

    private static Question? ToQuestion(Guid streamId, PostView post, DateTime now)
    {
        var text = post.Text.Trim();
        if (text.Length == 0 || post.Uri.Length > QuestionLimits.Uri)
        {
            return null; // an image or a like-in-words with no text is not a question
        }

        var links = QuestionText.LinksFrom(text, post.Facets);
        if (text.Length > QuestionLimits.Text)
        {
            var cut = QuestionLimits.Text - 1;
            if (char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            text = text[..cut] + "…";
            links = [.. links.Where(l => l.Start + l.Length <= cut)];
        }

        // The AppView's rule: a post is as old as the earlier of its createdAt and the time it was indexed (so a
        // backdated or future-dated reply cannot jump the queue).
        var asked = post.CreatedAt is { } created && (post.IndexedAt is null || created < post.IndexedAt) ? created : post.IndexedAt ?? now;
        var askedUtc = asked.UtcDateTime > now ? now : asked.UtcDateTime;
        return new Question
        {
            StreamId = streamId,
            Source = QuestionSource.Bluesky,
            Status = QuestionStatus.Pending,
            Text = text,
            LinksJson = QuestionText.LinksJson(links),
            BlueskyUri = post.Uri,
            BlueskyCid = post.Cid.Length <= 128 ? post.Cid : null,
            AuthorDid = post.Author.Did.Length <= 256 ? post.Author.Did : null,
            AuthorHandle = QuestionText.IsHandle(post.Author.Handle) ? post.Author.Handle : null,
            ImageCount = post.ImageCount,
            AskedAtUtc = askedUtc,
            UpdatedAtUtc = now,
        };
    }
}

/// <summary>Runs <see cref="BlueskyQuestionPoller"/> on a timer; a failed round is logged and the next one runs as planned.</summary>
internal sealed class BlueskyQuestionPolling(BlueskyQuestionPoller poller, IOptions<QuestionsOptions> options, TimeProvider clock,
    ILogger<BlueskyQuestionPolling> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !options.Value.PollBluesky)
        {
            return;
        }

        // Ticks more often than the interval so a stream's turn (stored per stream) is met closely.
        var tick = options.Value.PollInterval < TimeSpan.FromSeconds(10) ? options.Value.PollInterval : TimeSpan.FromSeconds(5);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await poller.PollOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The Bluesky question poll failed; trying again next round.");
            }

            await Task.Delay(tick, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
