using System.Collections.Concurrent;
using System.Text.Json;
using LiveHub.Bluesky;
using LiveHub.Bluesky.RichText;
using LiveHub.Data;
using LiveHub.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.CrossPosting;

/// <summary>
/// Sends one stream's outbox rows to Bluesky strictly in order. Drains (Hangfire jobs on any instance, or the
/// in-process fast path) are serialised by a lease on the stream's <see cref="CrossPostThread"/> row, taken with a
/// conditional UPDATE: Hangfire runs a job at least once and has no per-argument mutex that survives a killed worker,
/// so the lease, not Hangfire, is the one-writer-per-stream guarantee. Every write is idempotent (rkey chosen up
/// front, record JSON frozen before the first attempt), so resuming after a crash cannot duplicate a post either.
/// </summary>
public sealed class CrossPostWorker(
    IServiceScopeFactory scopes,
    BlueskyAccount account,
    CrossPostScheduler scheduler,
    CrossPostTids tids,
    CrossPostInstance instance,
    CrossPostOutageLog outage,
    DataDirectory data,
    IOptions<CrossPostingOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<CrossPostWorker> logger)
{
    // Leases of drains that ended while the database was unreachable, so they could not be given back. Those drains
    // are over, so the leases are released as soon as the database answers again, rather than keeping the stream
    // from being cross-posted until they expire (LeaseDuration).
    private readonly ConcurrentDictionary<Guid, string> _strandedLeases = new();

    public async Task DrainAsync(Guid streamId, CancellationToken cancellationToken)
    {
        // One owner per drain, not per process: two drains of one stream in one process exclude each other too.
        var owner = instance.NewLeaseOwner();
        // A row committed while the previous holder was leaving would wait for the sweep; look once more.
        for (var round = 0; round < 3; round++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
            await ReleaseStrandedLeasesAsync(db);
            if (!await TryLeaseAsync(db, streamId, owner, cancellationToken))
            {
                await WakeWhenLeaseEndsAsync(db, streamId, cancellationToken);
                return;
            }

            var finished = false;
            var heartbeat = KeepLeaseAliveAsync(streamId, owner, out var stopHeartbeat);
            try
            {
                finished = await DrainLeasedAsync(db, streamId, owner, cancellationToken);
            }
            finally
            {
                await stopHeartbeat.CancelAsync();
                await heartbeat;
                stopHeartbeat.Dispose();
                await ReleaseLeaseAsync(db, streamId, owner);
            }

            if (!finished)
            {
                return;
            }

            var now = Now;
            if (!await db.Set<CrossPostItem>().AnyAsync(i => i.StreamId == streamId
                    && (i.State == CrossPostState.Queued || i.State == CrossPostState.Sending) && i.NextAttemptAtUtc <= now, cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Another drain holds the stream. A live holder looks again before it lets go; a dead one (SIGKILL) never lets go,
    /// so this instance wakes the stream when that lease runs out instead of waiting for the next sweep. A live holder
    /// renews its lease meanwhile, and the wake-up then ends at once (and plans the next one): one conditional UPDATE
    /// per lease period, only while the stream is being sent.
    /// </summary>
    private async Task WakeWhenLeaseEndsAsync(LiveHubDbContext db, Guid streamId, CancellationToken cancellationToken)
    {
        var until = await db.Set<CrossPostThread>().Where(t => t.StreamId == streamId).Select(t => t.LeaseUntilUtc).FirstOrDefaultAsync(cancellationToken);
        if (until is { } end)
        {
            await scheduler.ScheduleAsync(streamId, WhenLeaseEnds(end), cancellationToken);
        }
    }

    /// <summary>
    /// At start-up: leases this instance held before it was killed are released at once (that run is over, and no one
    /// else may take them before they run out), so the start-up sweep sends those streams' rows now.
    /// </summary>
    public async Task RecoverOwnLeasesAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        var mine = instance.InstancePrefix;
        var current = instance.BootPrefix;
        var held = db.Set<CrossPostThread>().Where(t => t.LeaseOwner != null && t.LeaseOwner.StartsWith(mine) && !t.LeaseOwner.StartsWith(current));
        var streams = await held.Select(t => t.StreamId).ToListAsync(cancellationToken);
        var released = await held.ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, (string?)null).SetProperty(t => t.LeaseUntilUtc, (DateTime?)null), cancellationToken);
        if (released > 0)
        {
            logger.LogInformation("Took back {Count} cross-posting stream lease(s) held by this instance ({Instance}) before it restarted.", released, instance.Id);
        }

        // Even with nothing queued: the killed drain may have deleted a record and not yet re-threaded the ones after it.
        foreach (var streamId in streams)
        {
            await scheduler.KickAsync(streamId, cancellationToken);
        }
    }

    /// <summary>Triggers every stream that has due rows and no live worker.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        await ReleaseStrandedLeasesAsync(db);
        var now = Now;
        var busy = db.Set<CrossPostThread>().Where(t => t.LeaseUntilUtc != null && t.LeaseUntilUtc > now).Select(t => t.StreamId);
        var streams = await db.Set<CrossPostItem>()
            .Where(i => (i.State == CrossPostState.Queued || i.State == CrossPostState.Sending) && i.NextAttemptAtUtc <= now && !busy.Contains(i.StreamId))
            .Select(i => i.StreamId).Distinct().ToListAsync(cancellationToken);
        // A lease nobody released and nobody renews: its holder died, perhaps between deleting a record and re-threading
        // the ones after it, which no queued row would reveal.
        streams.AddRange(await db.Set<CrossPostThread>().Where(t => t.LeaseOwner != null && t.LeaseUntilUtc != null && t.LeaseUntilUtc <= now)
            .Select(t => t.StreamId).ToListAsync(cancellationToken));
        foreach (var streamId in streams.Distinct())
        {
            await scheduler.KickAsync(streamId, cancellationToken);
        }

        // Due rows behind a lease that has not run out: its holder may be dead (killed just before this instance
        // started), and the next sweep may be late (a killed instance can hold Hangfire's recurring-job lock for its
        // DistributedLockTimeout). This instance wakes those streams itself when the lease ends; a live holder renews
        // it, and the wake-up then only plans the next one.
        var held = await db.Set<CrossPostThread>()
            .Where(t => t.LeaseUntilUtc != null && t.LeaseUntilUtc > now && db.Set<CrossPostItem>().Any(i =>
                i.StreamId == t.StreamId && (i.State == CrossPostState.Queued || i.State == CrossPostState.Sending) && i.NextAttemptAtUtc <= now))
            .Select(t => new { t.StreamId, t.LeaseUntilUtc }).ToListAsync(cancellationToken);
        foreach (var lease in held)
        {
            await scheduler.ScheduleAsync(lease.StreamId, WhenLeaseEnds(lease.LeaseUntilUtc!.Value), cancellationToken);
        }
    }

    private DateTimeOffset WhenLeaseEnds(DateTime leaseUntilUtc)
    {
        var at = new DateTimeOffset(DateTime.SpecifyKind(leaseUntilUtc, DateTimeKind.Utc)) + TimeSpan.FromMilliseconds(100);
        var soonest = clock.GetUtcNow() + TimeSpan.FromMilliseconds(250);
        return at > soonest ? at : soonest;
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task ReleaseLeaseAsync(LiveHubDbContext db, Guid streamId, string owner)
    {
        try
        {
            await db.Set<CrossPostThread>().Where(t => t.StreamId == streamId && t.LeaseOwner == owner)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, (string?)null).SetProperty(t => t.LeaseUntilUtc, (DateTime?)null), CancellationToken.None);
            _strandedLeases.TryRemove(new KeyValuePair<Guid, string>(streamId, owner));
        }
        catch (Exception ex) when (Problems.DatabaseUnavailableHandler.IsUnavailable(ex))
        {
            _strandedLeases[streamId] = owner;
            logger.LogWarning("Could not release the cross-posting lease of stream {StreamId} ({Reason}); releasing it once the database is back.", streamId, ex.Message);
        }
    }

    private async Task ReleaseStrandedLeasesAsync(LiveHubDbContext db)
    {
        foreach (var (streamId, owner) in _strandedLeases)
        {
            await ReleaseLeaseAsync(db, streamId, owner);
        }
    }

    private CrossPostingOptions Options => options.Value;

    private async Task<bool> TryLeaseAsync(LiveHubDbContext db, Guid streamId, string owner, CancellationToken cancellationToken)
    {
        var now = Now;
        var until = now + Options.LeaseDuration;
        var taken = await db.Set<CrossPostThread>()
            .Where(t => t.StreamId == streamId && (t.LeaseOwner == null || t.LeaseUntilUtc == null || t.LeaseUntilUtc < now || t.LeaseOwner == owner))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, owner).SetProperty(t => t.LeaseUntilUtc, until), cancellationToken);
        if (taken == 1)
        {
            return true;
        }

        if (await db.Set<CrossPostThread>().AnyAsync(t => t.StreamId == streamId, cancellationToken))
        {
            return false; // another worker holds it and looks again before it lets go
        }

        try
        {
            db.Set<CrossPostThread>().Add(new CrossPostThread { StreamId = streamId, LeaseOwner = owner, LeaseUntilUtc = until, UpdatedAtUtc = now });
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

    /// <summary>
    /// Renews the lease every third of <see cref="CrossPostingOptions.LeaseDuration"/> while the drain runs, so one slow
    /// write never outlives it, and the lease can stay short: after a crash (SIGKILL, power loss) the stream is picked up
    /// again by the sweep once the dead holder's lease runs out, within a minute rather than after a long fixed lease.
    /// </summary>
    private Task KeepLeaseAliveAsync(Guid streamId, string owner, out CancellationTokenSource stop)
    {
        var cancellation = new CancellationTokenSource();
        stop = cancellation;
        return Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Options.LeaseDuration / 3, clock);
            try
            {
                while (await timer.WaitForNextTickAsync(cancellation.Token))
                {
                    try
                    {
                        await using var scope = scopes.CreateAsyncScope();
                        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
                        var until = Now + Options.LeaseDuration;
                        await db.Set<CrossPostThread>().Where(t => t.StreamId == streamId && t.LeaseOwner == owner)
                            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseUntilUtc, until), cancellation.Token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The drain renews the lease before every write and stops if it was lost; this is only a top-up.
                        logger.LogWarning(ex, "Could not renew the cross-posting lease of stream {StreamId}.", streamId);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The drain ended.
            }
        }, CancellationToken.None);
    }

    /// <summary>True when the stream has nothing due any more; false when it stopped early (lease lost, waiting).</summary>
    private async Task<bool> DrainLeasedAsync(LiveHubDbContext db, Guid streamId, string owner, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // Shutting down: finish the write in hand (done) and leave the rest to the next start or another node.
                return false;
            }

            db.ChangeTracker.Clear();
            var now = Now;
            var until = now + Options.LeaseDuration;
            if (await db.Set<CrossPostThread>().Where(t => t.StreamId == streamId && t.LeaseOwner == owner)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseUntilUtc, until), cancellationToken) == 0)
            {
                logger.LogWarning("Lost the cross-posting lease of stream {StreamId}; stopping.", streamId);
                return false;
            }

            var head = await db.Set<CrossPostItem>().AsNoTracking()
                .Where(i => i.StreamId == streamId && (i.State == CrossPostState.Queued || i.State == CrossPostState.Sending))
                .OrderBy(i => i.ChangeSequence).ThenBy(i => i.Part)
                .Select(i => new { i.Id, i.NextAttemptAtUtc, i.State, i.Action, i.PostId, i.ChangeSequence })
                .FirstOrDefaultAsync(cancellationToken);
            var pausedUntil = await db.Set<CrossPostAccount>().Where(a => a.Id == CrossPostAccount.SingletonId).Select(a => a.PausedUntilUtc).FirstOrDefaultAsync(cancellationToken);
            var due = head is null ? now : pausedUntil is { } paused && paused > head.NextAttemptAtUtc ? paused : head.NextAttemptAtUtc;

            // Before a new record is placed, the records before it must be where they belong (a delete or a re-posted
            // edit earlier in the thread); with nothing left to send, all of them. A delete needs no settled thread,
            // and going first may spare re-threading the record it deletes.
            if (due <= now && head is not { State: CrossPostState.Sending } && head is not { Action: CrossPostAction.Delete })
            {
                var before = head is null || head.Action == CrossPostAction.RecapQuote ? long.MaxValue
                    : head.Action == CrossPostAction.Correction ? head.ChangeSequence
                    : await db.Set<CrossPostItem>().Where(i => i.StreamId == streamId && i.PostId == head.PostId && i.Action == CrossPostAction.Post)
                        .MinAsync(i => i.ChangeSequence, cancellationToken);
                var planned = await PlanRethreadAsync(db, streamId, before, cancellationToken);
                // The claim below changes the head row in the database; a stale tracked copy must not be written back.
                db.ChangeTracker.Clear();
                if (planned)
                {
                    continue;
                }
            }

            if (head is null)
            {
                return true;
            }

            if (due > now)
            {
                await scheduler.ScheduleAsync(streamId, new DateTimeOffset(due, TimeSpan.Zero), cancellationToken);
                return false;
            }

            // Claim: only a row still waiting (or left sending by a crashed holder of this lease) is taken.
            if (await db.Set<CrossPostItem>().Where(i => i.Id == head.Id && (i.State == CrossPostState.Queued || i.State == CrossPostState.Sending))
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.State, CrossPostState.Sending)
                        .SetProperty(i => i.Attempts, i => i.Attempts + 1)
                        .SetProperty(i => i.UpdatedAtUtc, now), cancellationToken) == 0)
            {
                continue;
            }

            var row = await db.Set<CrossPostItem>().FirstAsync(i => i.Id == head.Id, cancellationToken);
            if (await ProcessAsync(db, row, cancellationToken))
            {
                await WakeWaitingStreamsAsync(db, streamId, cancellationToken);
            }
        }
    }

    /// <summary>
    /// After an outage, the first successful write says Bluesky is back: rows of other streams that wait on their
    /// backoff (up to <see cref="CrossPostingOptions.RetryMaxDelay"/>) become due now and their streams are enqueued.
    /// A rate-limit pause still holds them (the drain waits for the account's pause whatever the row says).
    /// </summary>
    private async Task WakeWaitingStreamsAsync(LiveHubDbContext db, Guid except, CancellationToken cancellationToken)
    {
        var now = Now;
        var waiting = await db.Set<CrossPostItem>()
            .Where(i => i.StreamId != except && i.State == CrossPostState.Queued && i.NextAttemptAtUtc > now && i.Attempts > 0)
            .Select(i => i.StreamId).Distinct().ToListAsync(cancellationToken);
        if (waiting.Count == 0)
        {
            return;
        }

        await db.Set<CrossPostItem>()
            .Where(i => waiting.Contains(i.StreamId) && i.State == CrossPostState.Queued && i.NextAttemptAtUtc > now)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.NextAttemptAtUtc, now), cancellationToken);
        // Woken through the fast path, replacing the wake-up each had planned: a Hangfire job would wait for a free
        // worker and its fetch (one of the two delays behind a 9 s late resume in a loaded clean-clone run).
        foreach (var streamId in waiting)
        {
            await scheduler.ScheduleAsync(streamId, new DateTimeOffset(now, TimeSpan.Zero), cancellationToken);
        }
    }

    /// <summary>Sends the claimed row; true when this was the first success after an outage.</summary>
    private async Task<bool> ProcessAsync(LiveHubDbContext db, CrossPostItem row, CancellationToken cancellationToken)
    {
        try
        {
            // Inside the try: a login that fails because Bluesky is down is a retry like any other failed call.
            var connection = await account.GetAsync(cancellationToken);
            if (connection is null)
            {
                await ParkAsync(db, row, CrossPostEnqueuer.NoAccountReason, clearRecord: row.RecordJson is null, cancellationToken);
                return false;
            }

            if (row.Action == CrossPostAction.Delete)
            {
                await DeleteAsync(db, row, connection.Client, cancellationToken);
            }
            else
            {
                await PublishAsync(db, row, connection, cancellationToken);
            }

            return outage.Succeeded();
        }
        catch (XrpcException ex) when (ex.IsRetryable && !cancellationToken.IsCancellationRequested)
        {
            // Bluesky's 429 and the client's own login guard both mean "the account must wait", not "this post is bad".
            var rateLimited = ex.StatusCode == 429 || ex.Error == XrpcErrors.LoginThrottled;
            await RetryLaterAsync(db, row, ex.Message, rateLimited ? ex.RetryAfter ?? ex.RateLimit?.SuggestedDelay(clock.GetUtcNow()) : ex.RetryAfter, rateLimited, cancellationToken);
        }
        catch (XrpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A 4xx answer means the PDS did not write the record: a retry may rebuild it from scratch.
            var notWritten = ex.StatusCode is >= 400 and < 500 && !ex.IsAmbiguous;
            var reason = ex.RequiresAttention ? $"The Bluesky account needs attention (reconnect it in Settings): {ex.Message}" : ex.Message;
            await ParkAsync(db, row, reason, clearRecord: notWritten, cancellationToken);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            await RetryLaterAsync(db, row, ex.Message, null, false, cancellationToken);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The client's own request timeout: Bluesky did not answer in time.
            await RetryLaterAsync(db, row, $"Bluesky did not answer in time ({ex.Message})", null, false, cancellationToken);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Cross-post {ItemId} cannot be sent.", row.Id);
            await ParkAsync(db, row, ex.Message, clearRecord: row.RecordJson is null, cancellationToken);
        }

        return false;
    }

    private async Task PublishAsync(LiveHubDbContext db, CrossPostItem row, BlueskyAccount.Connection connection, CancellationToken cancellationToken)
    {
        // Unpublishing an event or deleting it or its session ends its coverage everywhere, Bluesky included:
        // what was still queued is not sent.
        if (!await LiveStreamAccess.IsPublicAsync(db, row.StreamId, cancellationToken))
        {
            await SkipAsync(db, row, "The event was unpublished or removed (or its session deleted) before this update was cross-posted.", cancellationToken);
            return;
        }

        if (row.Action == CrossPostAction.RecapQuote)
        {
            await PublishRecapQuoteAsync(db, row, connection, cancellationToken);
            return;
        }

        if (row.RecordJson is null)
        {
            var post = await db.LivePosts.AsNoTracking().Include(p => p.Images).FirstOrDefaultAsync(p => p.Id == row.PostId, cancellationToken);
            if (post is null || post.DeletedAtUtc is not null)
            {
                await SkipAsync(db, row, "The live post was deleted before it was cross-posted.", cancellationToken);
                return;
            }

            // Its place in the thread: after the record before its slot (usually the end of the thread).
            var rows = await ThreadRowsAsync(db, row.StreamId, cancellationToken);
            var slots = CrossPostChain.Slots(rows);
            var chain = CrossPostChain.Order(rows, slots);
            var (root, parent) = CrossPostChain.Place(chain, slots, slots[row.Id], row.Part);
            var reply = root is null ? null : new ReplyRef(root, parent!);
            var record = await BuildRecordAsync(db, row, post, reply, CrossPostChain.QuoteFor(chain, row), connection, cancellationToken);
            row.Rkey ??= tids.Next();
            row.RecordJson = connection.Client.Feed.PreparePost(record, row.Rkey).Json;
            row.UpdatedAtUtc = Now;
            // Frozen before the first write: every retry, here or after a restart, sends these exact bytes.
            await db.SaveChangesAsync(cancellationToken);
        }

        var result = await connection.Client.Feed.PublishAsync(new PreparedRecord(PostRecord.Collection, row.Rkey!, row.RecordJson), cancellationToken);
        var now = Now;
        row.Uri = result.Uri;
        row.Cid = result.Cid;
        row.State = CrossPostState.Posted;
        row.LastError = null;
        row.CompletedAtUtc = now;
        row.UpdatedAtUtc = now;

        await db.SaveChangesAsync(cancellationToken);

        // A re-threaded copy is on Bluesky now: the record it replaces goes. Not before: the copy keeps the images
        // alive (the PDS deletes a blob with the last record that references it).
        var replaced = await db.Set<CrossPostItem>()
            .Where(i => i.StreamId == row.StreamId && i.PostId == row.PostId && i.Action == row.Action && i.ChangeSequence == row.ChangeSequence
                && i.Part == row.Part && i.Id != row.Id && i.State == CrossPostState.Replaced && i.RemovedAtUtc == null && i.Rkey != null)
            .ToListAsync(cancellationToken);
        foreach (var old in replaced)
        {
            await connection.Client.Feed.DeletePostAsync(old.Rkey!, cancellationToken);
            old.RemovedAtUtc = Now;
            old.UpdatedAtUtc = Now;
            await db.SaveChangesAsync(cancellationToken);
        }

        await UpdateThreadAsync(db, row.StreamId, cancellationToken);
        await SlowDownIfExhaustedAsync(db, connection.Client, cancellationToken);
    }

    /// <summary>The stream's Post and Correction rows, tracked (a recap's quote post stands outside the thread).</summary>
    private static Task<List<CrossPostItem>> ThreadRowsAsync(LiveHubDbContext db, Guid streamId, CancellationToken cancellationToken) =>
        db.Set<CrossPostItem>().Where(i => i.StreamId == streamId && i.Action != CrossPostAction.Delete && i.Action != CrossPostAction.RecapQuote)
            .ToListAsync(cancellationToken);

    /// <summary>
    /// A recap: one post of its own (no reply) that quotes the thread's root as it is now (every row before this one is
    /// settled, re-threading included). The record is frozen before the first write, like every other row.
    /// </summary>
    private async Task PublishRecapQuoteAsync(LiveHubDbContext db, CrossPostItem row, BlueskyAccount.Connection connection, CancellationToken cancellationToken)
    {
        if (row.RecordJson is null)
        {
            var rows = await ThreadRowsAsync(db, row.StreamId, cancellationToken);
            var chain = CrossPostChain.Order(rows, CrossPostChain.Slots(rows));
            if (chain.Count == 0 || chain[0].Uri is null || chain[0].Cid is null)
            {
                await SkipAsync(db, row, "The coverage has no thread on Bluesky to quote.", cancellationToken);
                return;
            }

            var stream = await db.LiveStreams.AsNoTracking().FirstOrDefaultAsync(s => s.Id == row.StreamId, cancellationToken);
            var settings = stream is null ? null
                : await db.Set<CrossPostEventSettings>().AsNoTracking().FirstOrDefaultAsync(s => s.EventId == stream.EventId, cancellationToken);
            var language = settings?.Language ?? await db.Set<CrossPostAccount>().Where(a => a.Id == CrossPostAccount.SingletonId).Select(a => a.DefaultLanguage).FirstOrDefaultAsync(cancellationToken);
            var record = new PostRecord
            {
                Text = row.Text ?? "",
                CreatedAt = clock.GetUtcNow(),
                Langs = string.IsNullOrWhiteSpace(language) ? null : [language],
                Facets = await FacetBuilder.BuildAsync(row.Text ?? "", connection.Handles, cancellationToken),
                Embed = new RecordEmbed(CrossPostChain.Ref(chain[0])),
            };
            row.Rkey ??= tids.Next();
            row.RecordJson = connection.Client.Feed.PreparePost(record, row.Rkey).Json;
            row.UpdatedAtUtc = Now;
            await db.SaveChangesAsync(cancellationToken);
        }

        var result = await connection.Client.Feed.PublishAsync(new PreparedRecord(PostRecord.Collection, row.Rkey!, row.RecordJson), cancellationToken);
        var now = Now;
        row.Uri = result.Uri;
        row.Cid = result.Cid;
        row.State = CrossPostState.Posted;
        row.LastError = null;
        row.CompletedAtUtc = now;
        row.UpdatedAtUtc = now;
        await db.SaveChangesAsync(cancellationToken);
        await SlowDownIfExhaustedAsync(db, connection.Client, cancellationToken);
    }

    /// <summary>
    /// Finds the first record, in thread order and before slot <paramref name="before"/>, that is not where it belongs
    /// (its parent, root or quoted update was deleted or replaced, or it was written before a record that now precedes it)
    /// and queues a copy of it in its place, to reply to its new predecessor; the original is marked replaced and is
    /// deleted once the copy is on Bluesky. One record per call: the copy must be written before the next one can
    /// reply to it. Only database work; the copy is sent as the stream's next row, with the usual retries.
    /// </summary>
    private async Task<bool> PlanRethreadAsync(LiveHubDbContext db, Guid streamId, long before, CancellationToken cancellationToken)
    {
        var rows = await ThreadRowsAsync(db, streamId, cancellationToken);
        var now = Now;

        // A copy written just before a crash, whose original was not deleted yet: send it again (a no-op) to finish.
        foreach (var old in rows.Where(r => r.State == CrossPostState.Replaced && r.RemovedAtUtc is null))
        {
            if (rows.FirstOrDefault(r => r.Id != old.Id && r.PostId == old.PostId && r.Action == old.Action && r.ChangeSequence == old.ChangeSequence
                    && r.Part == old.Part && r.State == CrossPostState.Posted) is { } copy)
            {
                copy.State = CrossPostState.Queued;
                copy.NextAttemptAtUtc = now;
                copy.UpdatedAtUtc = now;
                await db.SaveChangesAsync(cancellationToken);
                return true;
            }
        }

        var slots = CrossPostChain.Slots(rows);
        var chain = CrossPostChain.Order(rows, slots);
        for (var i = 0; i < chain.Count; i++)
        {
            var row = chain[i];
            if (slots[row.Id] >= before)
            {
                break;
            }

            if (row.RecordJson is null)
            {
                continue;
            }

            var (root, parent) = i == 0 ? ((StrongRef?)null, (StrongRef?)null) : (CrossPostChain.Ref(chain[0]), CrossPostChain.Ref(chain[i - 1]));
            var quoting = row.Action == CrossPostAction.Correction && row.Part == 0;
            var quote = quoting ? CrossPostChain.QuoteFor(chain, row) : null;
            var actual = CrossPostChain.Read(row.RecordJson);
            if (actual.Root == root && actual.Parent == parent && (!quoting || actual.Quote == quote))
            {
                continue;
            }

            db.Set<CrossPostItem>().Add(new CrossPostItem
            {
                StreamId = row.StreamId,
                PostId = row.PostId,
                PostSequence = row.PostSequence,
                ChangeSequence = row.ChangeSequence,
                Part = row.Part,
                PartCount = row.PartCount,
                Action = row.Action,
                State = CrossPostState.Queued,
                Text = row.Text,
                Langs = row.Langs,
                Rkey = tids.Next(),
                RecordJson = CrossPostChain.Rewrite(row.RecordJson, root, parent, quoting, quote),
                NextAttemptAtUtc = now,
                CreatedAtUtc = now,
                UpdatedAtUtc = now,
            });
            row.State = CrossPostState.Replaced;
            row.LastError = "Re-threaded: an update before it in the thread was deleted or replaced, so a copy replies to its new predecessor.";
            row.UpdatedAtUtc = now;
            await db.SaveChangesAsync(cancellationToken);
            logger.LogDebug("Re-threading cross-post {ItemId} of stream {StreamId}.", row.Id, streamId);
            return true;
        }

        return false;
    }

    /// <summary>Keeps the stream's root and last record (the console's thread link) in step with the chain.</summary>
    private async Task UpdateThreadAsync(LiveHubDbContext db, Guid streamId, CancellationToken cancellationToken)
    {
        var rows = await ThreadRowsAsync(db, streamId, cancellationToken);
        var chain = CrossPostChain.Order(rows, CrossPostChain.Slots(rows));
        var thread = await db.Set<CrossPostThread>().FirstAsync(t => t.StreamId == streamId, cancellationToken);
        (thread.RootUri, thread.RootCid) = chain.Count == 0 ? (null, null) : (chain[0].Uri, chain[0].Cid);
        (thread.LastUri, thread.LastCid) = chain.Count == 0 ? (null, null) : (chain[^1].Uri, chain[^1].Cid);
        thread.UpdatedAtUtc = Now;
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<PostRecord> BuildRecordAsync(LiveHubDbContext db, CrossPostItem row, LivePost post, ReplyRef? reply, StrongRef? quote,
        BlueskyAccount.Connection connection, CancellationToken cancellationToken)
    {
        var stream = await db.LiveStreams.AsNoTracking().Include(s => s.Event).Include(s => s.Session)
            .FirstOrDefaultAsync(s => s.Id == row.StreamId, cancellationToken);
        var settings = stream is null ? null
            : await db.Set<CrossPostEventSettings>().AsNoTracking().FirstOrDefaultAsync(s => s.EventId == stream.EventId, cancellationToken);
        var language = settings?.Language ?? await db.Set<CrossPostAccount>().Where(a => a.Id == CrossPostAccount.SingletonId).Select(a => a.DefaultLanguage).FirstOrDefaultAsync(cancellationToken);

        PostEmbed? embed = null;
        var images = post.Images.OrderBy(i => i.Position).Take(ImagesEmbed.MaxImages).ToList();
        var withImages = row.Part == 0 && images.Count > 0 && (row.Action == CrossPostAction.Post || quote is not null);
        if (withImages)
        {
            var embedded = new List<EmbeddedImage>();
            foreach (var image in images)
            {
                var bytes = await File.ReadAllBytesAsync(Path.Combine(LiveImageEndpoints.MediaFolder(data), image.FileName), cancellationToken);
                var blob = await connection.Client.Repo.UploadBlobAsync(bytes, image.ContentType, cancellationToken);
                embedded.Add(new EmbeddedImage(blob, image.AltText, image.Width > 0 && image.Height > 0 ? new AspectRatio(image.Width, image.Height) : null));
            }

            embed = new ImagesEmbed(embedded);
        }

        if (quote is not null)
        {
            // A correction lands later in the thread: it quotes the update it corrects (with the current images, if any).
            embed = embed is null ? new RecordEmbed(quote) : new RecordWithMediaEmbed(quote, embed);
        }
        else if (reply is null && stream?.Event is { } e && Options.PublicBaseUrl is { } baseUrl)
        {
            embed = LinkCard(baseUrl, e, stream.Session);
        }

        return new PostRecord
        {
            Text = row.Text ?? "",
            CreatedAt = clock.GetUtcNow(),
            // The row's own languages when its text is Welsh, English or both (a bilingual update), else the account's.
            Langs = row.Langs is { Length: > 0 } langs ? langs.Split(',') : string.IsNullOrWhiteSpace(language) ? null : [language],
            Facets = await FacetBuilder.BuildAsync(row.Text ?? "", connection.Handles, cancellationToken),
            Reply = reply,
            Embed = embed,
        };
    }

    /// <summary>The card for the live page, from our own data: no remote fetch, no thumbnail.</summary>
    internal static ExternalEmbed LinkCard(Uri baseUrl, Events.Event e, Events.Session? session)
    {
        var root = baseUrl.ToString().TrimEnd('/');
        var url = session is null ? $"{root}/live/{e.Slug}" : $"{root}/live/{e.Slug}/sessions/{session.Id}";
        var title = session is null ? $"Live: {e.Title}" : $"Live: {session.Title}";
        var description = session is null ? e.Summary ?? $"Live coverage of {e.Title}" : $"{e.Title}" + (session.Room is { } room ? $" \u00B7 {room}" : "");
        return new ExternalEmbed(url, title, description.Length > 300 ? description[..297] + "..." : description);
    }

    private async Task DeleteAsync(LiveHubDbContext db, CrossPostItem row, BlueskyClient client, CancellationToken cancellationToken)
    {
        var targets = await db.Set<CrossPostItem>()
            .Where(i => i.PostId == row.PostId && i.Action != CrossPostAction.Delete && i.RemovedAtUtc == null && i.ChangeSequence < row.ChangeSequence
                && i.Rkey != null && (i.State == CrossPostState.Posted || i.RecordJson != null))
            .OrderBy(i => i.ChangeSequence).ThenBy(i => i.Part).ToListAsync(cancellationToken);
        foreach (var target in targets)
        {
            await client.Feed.DeletePostAsync(target.Rkey!, cancellationToken);
            target.RemovedAtUtc = Now;
            target.UpdatedAtUtc = Now;
            if (target.State is CrossPostState.Posted or CrossPostState.Replaced)
            {
                target.State = CrossPostState.Deleted;
                target.LastError = null;
            }
            else
            {
                target.State = CrossPostState.Skipped;
                target.LastError = "Deleted: the live post was deleted or replaced.";
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        // The records after the deleted ones are re-threaded before the next record is placed (PlanRethreadAsync).
        row.State = CrossPostState.Deleted;
        row.LastError = null;
        row.CompletedAtUtc = Now;
        row.UpdatedAtUtc = Now;
        await db.SaveChangesAsync(cancellationToken);
        await UpdateThreadAsync(db, row.StreamId, cancellationToken);
    }

    private async Task RetryLaterAsync(LiveHubDbContext db, CrossPostItem row, string reason, TimeSpan? retryAfter, bool rateLimited, CancellationToken cancellationToken)
    {
        var now = Now;
        if (rateLimited && retryAfter is { } limitWait && limitWait > TimeSpan.Zero)
        {
            // A rate limit with a reset time says when to come back and nothing about this post: the wait does not
            // count toward MaxAttempts, so a long limit (or a login limit after an outage) never parks anything.
            row.Attempts = Math.Max(0, row.Attempts - 1);
            var until = now + limitWait;
            row.State = CrossPostState.Queued;
            row.NextAttemptAtUtc = until + Jitter();
            row.LastError = Truncate($"Rate limited by Bluesky until {until.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)} UTC: {reason}");
            row.UpdatedAtUtc = now;
            await db.SaveChangesAsync(cancellationToken);
            // The limit is the account's: every stream waits, on every instance.
            await db.Set<CrossPostAccount>().Where(a => a.PausedUntilUtc == null || a.PausedUntilUtc < until)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.PausedUntilUtc, until), cancellationToken);
            outage.Failed($"rate limited until {until:u}: {reason}", rateLimited: true);
            logger.LogDebug("Cross-post {ItemId} of stream {StreamId} is rate limited until {Until}: {Reason}", row.Id, row.StreamId, until, reason);
            return;
        }

        if (row.Attempts >= Options.MaxAttempts)
        {
            await ParkAsync(db, row, $"Gave up after {row.Attempts} attempts: {reason}", clearRecord: false, cancellationToken);
            return;
        }

        // Started before Bluesky came back (the first success woke only the rows that were waiting, not this one in
        // flight): come back as soon as a first retry would, not after the backoff this outage had built up.
        var attemptStarted = new DateTimeOffset(DateTime.SpecifyKind(row.UpdatedAtUtc, DateTimeKind.Utc));
        var recovered = outage.RecoveredSince(attemptStarted);
        var delay = recovered ? Backoff(1, retryAfter) : Backoff(row.Attempts, retryAfter);
        row.State = CrossPostState.Queued;
        row.NextAttemptAtUtc = now + delay;
        row.LastError = Truncate($"Attempt {row.Attempts} failed, retrying: {reason}");
        row.UpdatedAtUtc = now;
        await db.SaveChangesAsync(cancellationToken);
        if (!recovered && outage.RecoveredSince(attemptStarted))
        {
            // Bluesky came back between the check above and this commit, and the wake-up of the waiting rows may have
            // read this one while it was still sending: shorten its wait here, as the wake-up would have.
            delay = Backoff(1, retryAfter);
            row.NextAttemptAtUtc = now + delay;
            await db.SaveChangesAsync(cancellationToken);
        }
        outage.Failed(reason, attemptStartedAt: attemptStarted);
        // One warning per outage (CrossPostOutageLog); each failed call only at debug level.
        logger.LogDebug("Cross-post {ItemId} of stream {StreamId} failed (attempt {Attempt}); retrying in {Delay}: {Reason}",
            row.Id, row.StreamId, row.Attempts, delay, reason);
    }

    /// <summary>
    /// Exponential backoff with "equal jitter": between half and all of min(base × 2^(attempts−1), max). The lower half
    /// is fixed so the attempt budget spans a known minimum time: with the defaults (1 s, 5 min, 20 attempts) a row is
    /// parked only after at least 29 minutes of failures (at most 58), so an outage of that length parks nothing.
    /// A server-given wait is a floor, with a little jitter on top.
    /// </summary>
    internal TimeSpan Backoff(int attempts, TimeSpan? retryAfter)
    {
        if (retryAfter is { } wait && wait > TimeSpan.Zero)
        {
            return wait + Jitter();
        }

        var ceiling = TimeSpan.FromTicks((long)Math.Min(Options.RetryMaxDelay.Ticks, Options.RetryBaseDelay.Ticks * Math.Pow(2, Math.Clamp(attempts - 1, 0, 40))));
        return ceiling / 2 + TimeSpan.FromTicks((long)(ceiling.Ticks / 2 * Random.Shared.NextDouble()));
    }

    private TimeSpan Jitter() => TimeSpan.FromTicks((long)(Options.RetryBaseDelay.Ticks * Random.Shared.NextDouble()));

    private async Task SlowDownIfExhaustedAsync(LiveHubDbContext db, BlueskyClient client, CancellationToken cancellationToken)
    {
        if (client.LastRateLimit is { Remaining: 0, Reset: { } reset } && reset > clock.GetUtcNow())
        {
            var until = reset.UtcDateTime;
            await db.Set<CrossPostAccount>().Where(a => a.PausedUntilUtc == null || a.PausedUntilUtc < until)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.PausedUntilUtc, until), cancellationToken);
        }
    }

    private async Task ParkAsync(LiveHubDbContext db, CrossPostItem row, string reason, bool clearRecord, CancellationToken cancellationToken)
    {
        row.State = CrossPostState.Failed;
        row.LastError = Truncate(reason);
        row.UpdatedAtUtc = Now;
        if (clearRecord && row.Action != CrossPostAction.Delete)
        {
            // Certainly not written: a retry builds the record afresh (new key, current thread end).
            row.RecordJson = null;
            row.Rkey = tids.Next();
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.LogWarning("Cross-post {ItemId} of stream {StreamId} failed for good: {Reason}", row.Id, row.StreamId, reason);
    }

    private async Task SkipAsync(LiveHubDbContext db, CrossPostItem row, string reason, CancellationToken cancellationToken)
    {
        row.State = CrossPostState.Skipped;
        row.LastError = reason;
        row.CompletedAtUtc = Now;
        row.UpdatedAtUtc = Now;
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string Truncate(string value) => value.Length <= CrossPostLimits.Error ? value : value[..(CrossPostLimits.Error - 1)] + "\u2026";
}
