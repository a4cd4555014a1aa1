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
    CrossPostOutageLog outage,
    DataDirectory data,
    IOptions<CrossPostingOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<CrossPostWorker> logger)
{
    private readonly string _instance = $"{Environment.MachineName}:{Environment.ProcessId}";

    // Leases of drains that ended while the database was unreachable, so they could not be given back. Those drains
    // are over, so the leases are released as soon as the database answers again, rather than keeping the stream
    // from being cross-posted until they expire (LeaseDuration).
    private readonly ConcurrentDictionary<Guid, string> _strandedLeases = new();

    public async Task DrainAsync(Guid streamId, CancellationToken cancellationToken)
    {
        // One owner per drain, not per process: two drains of one stream in one process exclude each other too.
        var owner = $"{_instance}:{Guid.NewGuid():N}";
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
            var at = new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc)) + TimeSpan.FromMilliseconds(100);
            var soonest = clock.GetUtcNow() + TimeSpan.FromMilliseconds(250);
            await scheduler.ScheduleAsync(streamId, at > soonest ? at : soonest, cancellationToken);
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
        foreach (var streamId in streams)
        {
            await scheduler.KickAsync(streamId, cancellationToken);
        }
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
                .Select(i => new { i.Id, i.NextAttemptAtUtc })
                .FirstOrDefaultAsync(cancellationToken);
            if (head is null)
            {
                return true;
            }

            var pausedUntil = await db.Set<CrossPostAccount>().Where(a => a.Id == CrossPostAccount.SingletonId).Select(a => a.PausedUntilUtc).FirstOrDefaultAsync(cancellationToken);
            var due = pausedUntil is { } paused && paused > head.NextAttemptAtUtc ? paused : head.NextAttemptAtUtc;
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

        var thread = await db.Set<CrossPostThread>().FirstAsync(t => t.StreamId == row.StreamId, cancellationToken);
        if (row.RecordJson is null)
        {
            var post = await db.LivePosts.AsNoTracking().Include(p => p.Images).FirstOrDefaultAsync(p => p.Id == row.PostId, cancellationToken);
            if (post is null || post.DeletedAtUtc is not null)
            {
                await SkipAsync(db, row, "The live post was deleted before it was cross-posted.", cancellationToken);
                return;
            }

            var record = await BuildRecordAsync(db, row, post, thread, connection, cancellationToken);
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

        var parent = ReplyParentUri(row.RecordJson);
        if (parent is null && thread.RootUri is null)
        {
            (thread.RootUri, thread.RootCid, thread.LastUri, thread.LastCid) = (result.Uri, result.Cid, result.Uri, result.Cid);
        }
        else if (parent is not null && parent == (thread.LastUri ?? thread.RootUri))
        {
            // Only a post that replied to the current end of the thread becomes its new end (a late retry does not).
            (thread.LastUri, thread.LastCid) = (result.Uri, result.Cid);
        }

        thread.UpdatedAtUtc = now;
        await db.SaveChangesAsync(cancellationToken);
        await SlowDownIfExhaustedAsync(db, connection.Client, cancellationToken);
    }

    private async Task<PostRecord> BuildRecordAsync(LiveHubDbContext db, CrossPostItem row, LivePost post, CrossPostThread thread,
        BlueskyAccount.Connection connection, CancellationToken cancellationToken)
    {
        var stream = await db.LiveStreams.AsNoTracking().Include(s => s.Event).Include(s => s.Session)
            .FirstOrDefaultAsync(s => s.Id == row.StreamId, cancellationToken);
        var settings = stream is null ? null
            : await db.Set<CrossPostEventSettings>().AsNoTracking().FirstOrDefaultAsync(s => s.EventId == stream.EventId, cancellationToken);
        var language = settings?.Language ?? await db.Set<CrossPostAccount>().Where(a => a.Id == CrossPostAccount.SingletonId).Select(a => a.DefaultLanguage).FirstOrDefaultAsync(cancellationToken);

        ReplyRef? reply = thread.RootUri is null
            ? null
            : new ReplyRef(new StrongRef(thread.RootUri, thread.RootCid!), new StrongRef(thread.LastUri ?? thread.RootUri, thread.LastCid ?? thread.RootCid!));

        PostEmbed? embed = null;
        var images = post.Images.OrderBy(i => i.Position).Take(ImagesEmbed.MaxImages).ToList();
        if (row.Action == CrossPostAction.Post && row.Part == 0 && images.Count > 0)
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
        else if (reply is null && stream?.Event is { } e && Options.PublicBaseUrl is { } baseUrl)
        {
            embed = LinkCard(baseUrl, e, stream.Session);
        }

        return new PostRecord
        {
            Text = row.Text ?? "",
            CreatedAt = clock.GetUtcNow(),
            Langs = string.IsNullOrWhiteSpace(language) ? null : [language],
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
        var removed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            await client.Feed.DeletePostAsync(target.Rkey!, cancellationToken);
            target.RemovedAtUtc = Now;
            target.UpdatedAtUtc = Now;
            if (target.State != CrossPostState.Posted)
            {
                target.State = CrossPostState.Skipped;
                target.LastError = "Deleted: the live post was deleted or replaced.";
            }

            if (target.Uri is not null)
            {
                removed.Add(target.Uri);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        var thread = await db.Set<CrossPostThread>().FirstAsync(t => t.StreamId == row.StreamId, cancellationToken);
        var lastGone = thread.LastUri is not null && removed.Contains(thread.LastUri);
        if (lastGone || (thread.RootUri is not null && removed.Contains(thread.RootUri)))
        {
            var remaining = await db.Set<CrossPostItem>()
                .Where(i => i.StreamId == row.StreamId && i.State == CrossPostState.Posted && i.Action != CrossPostAction.Delete && i.RemovedAtUtc == null && i.Uri != null)
                .OrderByDescending(i => i.ChangeSequence).ThenByDescending(i => i.Part)
                .Select(i => new { i.Uri, i.Cid }).FirstOrDefaultAsync(cancellationToken);
            if (remaining is null)
            {
                // Nothing of the thread is left: the next post starts a new one, with the card.
                (thread.RootUri, thread.RootCid, thread.LastUri, thread.LastCid) = (null, null, null, null);
            }
            else if (lastGone)
            {
                (thread.LastUri, thread.LastCid) = (remaining.Uri, remaining.Cid);
            }

            thread.UpdatedAtUtc = Now;
        }

        row.State = CrossPostState.Posted;
        row.LastError = null;
        row.CompletedAtUtc = Now;
        row.UpdatedAtUtc = Now;
        await db.SaveChangesAsync(cancellationToken);
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
        outage.Failed(reason);
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

    private static string? ReplyParentUri(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("reply", out var reply) && reply.TryGetProperty("parent", out var parent)
            ? parent.GetProperty("uri").GetString()
            : null;
    }

    private static string Truncate(string value) => value.Length <= CrossPostLimits.Error ? value : value[..(CrossPostLimits.Error - 1)] + "\u2026";
}
