using LiveHub.Bluesky.RichText;
using LiveHub.Data;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.CrossPosting;

public enum RecapQuoteOutcome
{
    Queued,
    /// <summary>This recap's quote post was queued before: it goes out once, however often the recap is published.</summary>
    AlreadyQueued,
    /// <summary>Cross-posting is off for the event, or no account is connected.</summary>
    NotEnabled,
}

/// <summary>
/// Queues a published recap as one Bluesky post quoting the stream's thread root, in the outbox (a
/// <see cref="CrossPostAction.RecapQuote"/> row written in the caller's transaction), so it is sent exactly once,
/// with the outbox's retries, and survives a restart. The worker sends it after the stream's other rows.
/// </summary>
internal sealed class CrossPostRecapQuotes(CrossPostCommitSignal signal, TimeProvider clock, Microsoft.Extensions.Options.IOptions<CrossPostingOptions> options)
{
    /// <summary>
    /// Adds the row (not saved: the caller saves and commits it with the recap, in a transaction). The link uses the
    /// address the link cards use (CrossPosting:PublicBaseUrl), else <paramref name="requestBaseUrl"/>.
    /// </summary>
    public async Task<RecapQuoteOutcome> EnqueueAsync(LiveHubDbContext db, Guid eventId, Guid streamId, Guid recapId, string title, string recapPath,
        string requestBaseUrl, CancellationToken cancellationToken)
    {
        var url = (options.Value.PublicBaseUrl?.ToString().TrimEnd('/') ?? requestBaseUrl) + recapPath;
        var items = db.Set<CrossPostItem>();
        if (await items.AnyAsync(i => i.PostId == recapId && i.Action == CrossPostAction.RecapQuote, cancellationToken))
        {
            return RecapQuoteOutcome.AlreadyQueued;
        }

        var enabled = await db.Set<CrossPostEventSettings>().AnyAsync(s => s.EventId == eventId && s.Enabled, cancellationToken);
        var connected = await db.Set<CrossPostAccount>().AnyAsync(a => a.Id == CrossPostAccount.SingletonId && a.Handle != null && a.ProtectedAppPassword != null, cancellationToken);
        if (!enabled || !connected)
        {
            return RecapQuoteOutcome.NotEnabled;
        }

        // After every change of the stream so far: the thread it quotes is complete by then.
        var last = await db.LiveStreams.Where(s => s.Id == streamId).Select(s => s.LastChange).FirstAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        items.Add(new CrossPostItem
        {
            StreamId = streamId,
            PostId = recapId,
            PostSequence = 0,
            ChangeSequence = last + 1,
            Part = 0,
            PartCount = 1,
            Action = CrossPostAction.RecapQuote,
            State = CrossPostState.Queued,
            Text = Text(title, url),
            NextAttemptAtUtc = now,
            CreatedAtUtc = now,
            UpdatedAtUtc = now,
        });
        signal.KickAfterCommit(db, streamId);
        return RecapQuoteOutcome.Queued;
    }

    /// <summary>"Recap: {title}" and the recap's address, the title shortened to fit one post.</summary>
    internal static string Text(string title, string url)
    {
        var text = $"Recap: {title}\n{url}";
        while (!PostText.Fits(text) && title.Length > 1)
        {
            title = title[..^2] + "…";
            text = $"Recap: {title}\n{url}";
        }

        return text;
    }
}
