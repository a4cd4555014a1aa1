using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using LiveHub.Bluesky;
using LiveHub.Data;
using LiveHub.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LiveHub.CrossPosting;

/// <summary>
/// Writes the outbox rows for a live change inside the change's own transaction, so a committed post always has
/// its rows and a rolled-back one never does. Cross-posting disabled for the event: no rows at all. Enabled but
/// no account connected: rows are written as skipped, with that reason, so the console shows why nothing went out.
/// </summary>
internal sealed class CrossPostEnqueuer(CrossPostCommitSignal signal, CrossPostTids tids, TimeProvider clock) : ILiveChangeInterceptor
{
    public const string NoAccountReason = "No Bluesky account is connected.";

    public async Task OnChangeAsync(LiveHubDbContext db, LiveStream stream, LivePost? post, LiveChangeKind kind, CancellationToken cancellationToken)
    {
        // A replay (the demo) repeats coverage that happened long ago: it must never reach the hub's Bluesky account.
        if (post is null || kind is LiveChangeKind.PostPinned or LiveChangeKind.PostKeyMoment || post.AuthorId == LiveActor.ReplayId)
        {
            return;
        }

        var settings = await db.Set<CrossPostEventSettings>().AsNoTracking().FirstOrDefaultAsync(s => s.EventId == stream.EventId, cancellationToken);
        if (settings is not { Enabled: true })
        {
            return;
        }

        var account = await db.Set<CrossPostAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == CrossPostAccount.SingletonId, cancellationToken);
        var connected = account is { Handle: not null, ProtectedAppPassword: not null };
        var hashtags = settings.Hashtags ?? account?.DefaultHashtags;
        var now = clock.GetUtcNow().UtcDateTime;
        var items = db.Set<CrossPostItem>();
        var queued = false;

        switch (kind)
        {
            case LiveChangeKind.PostCreated or LiveChangeKind.CoverageStarted or LiveChangeKind.CoverageEnded:
                queued = await AddPostRowsAsync(CrossPostAction.Post);
                break;

            case LiveChangeKind.PostEdited:
            {
                var existing = await items.AsNoTracking().Where(i => i.PostId == post.Id).ToListAsync(cancellationToken);
                if (!existing.Any(IsLive))
                {
                    break;
                }

                if (settings.EditMode == CrossPostEditMode.DeleteAndRepost)
                {
                    queued = await AddDeleteAsync(existing);
                    queued |= await AddPostRowsAsync(CrossPostAction.Post);
                }
                else
                {
                    queued = await AddPostRowsAsync(CrossPostAction.Correction);
                }

                break;
            }

            case LiveChangeKind.PostDeleted:
                queued = await AddDeleteAsync(await items.AsNoTracking().Where(i => i.PostId == post.Id).ToListAsync(cancellationToken));
                break;
        }

        if (!await db.Set<CrossPostThread>().AnyAsync(t => t.StreamId == stream.Id, cancellationToken))
        {
            db.Set<CrossPostThread>().Add(new CrossPostThread { StreamId = stream.Id, UpdatedAtUtc = now });
        }

        if (queued)
        {
            signal.KickAfterCommit(db, stream.Id);
        }

        async Task<bool> AddPostRowsAsync(CrossPostAction action)
        {
            string? speaker = null;
            if (post.Kind == LivePostKind.Quote && post.SpeakerId is { } speakerId)
            {
                speaker = await db.Speakers.Where(s => s.Id == speakerId).Select(s => s.Name).FirstOrDefaultAsync(cancellationToken);
            }

            var chunks = CrossPostText.ComposeParts(post, speaker, hashtags, action == CrossPostAction.Correction);
            for (var i = 0; i < chunks.Count; i++)
            {
                var row = NewRow(action, i, chunks.Count, chunks[i].Text, tids.Next());
                row.Langs = chunks[i].Langs;
                items.Add(row);
            }

            return connected;
        }

        async Task<bool> AddDeleteAsync(List<CrossPostItem> existing)
        {
            // Rows nobody has started on are simply not sent; anything that may be on Bluesky gets a delete. The skip is
            // conditional: a drain may claim the row between our read and this write (it then needs the delete).
            var claimed = false;
            foreach (var row in existing.Where(r => r.Action != CrossPostAction.Delete && r.State is CrossPostState.Queued or CrossPostState.Failed && r.RecordJson is null))
            {
                var skipped = await items.Where(i => i.Id == row.Id && (i.State == CrossPostState.Queued || i.State == CrossPostState.Failed) && i.RecordJson == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.State, CrossPostState.Skipped)
                        .SetProperty(i => i.LastError, "The live post was deleted or replaced before it was cross-posted.")
                        .SetProperty(i => i.UpdatedAtUtc, now), cancellationToken);
                if (skipped == 1)
                {
                    row.State = CrossPostState.Skipped;
                }
                else
                {
                    claimed = true;
                }
            }

            if (!claimed && !existing.Any(r => r.Action != CrossPostAction.Delete && r.RemovedAtUtc is null
                && (r.State is CrossPostState.Posted or CrossPostState.Sending or CrossPostState.Replaced || r.RecordJson is not null)))
            {
                return false;
            }

            // Part -1: within one change (an edit in delete-and-repost mode) the delete goes before the new posts.
            items.Add(NewRow(CrossPostAction.Delete, -1, 1, null, null));
            return connected;
        }

        CrossPostItem NewRow(CrossPostAction action, int part, int count, string? text, string? rkey) => new()
        {
            StreamId = stream.Id,
            PostId = post.Id,
            PostSequence = post.Sequence,
            ChangeSequence = post.ChangeSequence,
            Part = part,
            PartCount = count,
            Action = action,
            State = connected ? CrossPostState.Queued : CrossPostState.Skipped,
            LastError = connected ? null : NoAccountReason,
            Text = text,
            Rkey = rkey,
            NextAttemptAtUtc = now,
            CreatedAtUtc = now,
            UpdatedAtUtc = now,
            CompletedAtUtc = connected ? null : now,
        };
    }

    private static bool IsLive(CrossPostItem row) =>
        row.Action != CrossPostAction.Delete && row.RemovedAtUtc is null && row.State is CrossPostState.Queued or CrossPostState.Sending or CrossPostState.Posted;
}

/// <summary>One TID source per process: record keys are strictly increasing within it.</summary>
public sealed class CrossPostTids(TimeProvider clock)
{
    private readonly TidGenerator _generator = new(clock);

    public string Next() => _generator.Next();
}

/// <summary>
/// Remembers, per DbContext, which streams got rows in the open transaction, and triggers their jobs once it
/// commits (the fast path); a rollback forgets them. Registered as an EF transaction interceptor.
/// </summary>
internal sealed class CrossPostCommitSignal(IServiceProvider services, ILogger<CrossPostCommitSignal> logger) : DbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, ConcurrentDictionary<Guid, byte>> _pending = new();

    public void KickAfterCommit(DbContext db, Guid streamId) => _pending.GetOrCreateValue(db).TryAdd(streamId, 0);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context, kick: true);
        return Task.CompletedTask;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Flush(eventData.Context, kick: true);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context, kick: false);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Flush(eventData.Context, kick: false);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context, kick: false);
        return Task.CompletedTask;
    }

    private void Flush(DbContext? context, bool kick)
    {
        if (context is null || !_pending.TryGetValue(context, out var streams))
        {
            return;
        }

        _pending.Remove(context);
        if (!kick)
        {
            return;
        }

        var kicker = services.GetRequiredService<CrossPostKicker>();
        foreach (var streamId in streams.Keys)
        {
            // Not awaited: the request that saved the post should not wait for the scheduler's own write.
            _ = KickAsync(kicker, streamId);
        }
    }

    private async Task KickAsync(CrossPostKicker kicker, Guid streamId)
    {
        try
        {
            await kicker.KickAsync(streamId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The sweep picks the stream up later; a failed fast path only costs latency.
            logger.LogWarning(ex, "Could not trigger cross-posting for stream {StreamId}; the sweep will.", streamId);
        }
    }
}
