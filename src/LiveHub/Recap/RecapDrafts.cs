using System.Globalization;
using System.Text;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Live;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Recap;

/// <summary>
/// Builds a recap draft from a session's coverage: its key moments, quotes (with the speaker) and pinned post, in the
/// order they were posted, one Markdown list item each with the venue time.
/// </summary>
public static class RecapDrafts
{
    public const string NothingMarked = "Nothing was marked as a key moment, quoted or pinned during the coverage: write the recap here.";

    public static async Task<SessionRecap?> BuildOrRefreshAsync(LiveHubDbContext db, LiveStream stream, DateTime now, long builtFromChange, bool overwriteEdits,
        CancellationToken cancellationToken)
    {
        if (stream.SessionId is not { } sessionId)
        {
            return null; // Recaps are per session; the event-wide stream has none.
        }

        var session = await db.Sessions.AsNoTracking().Include(s => s.Event).FirstOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        if (session?.Event is not { } e)
        {
            return null;
        }

        var posts = await db.LivePosts.AsNoTracking().Include(p => p.Speaker)
            .Where(p => p.StreamId == stream.Id && p.DeletedAtUtc == null && (p.IsKeyMoment || p.IsPinned || p.Kind == LivePostKind.Quote || p.Kind == LivePostKind.KeyMoment))
            .OrderBy(p => p.Sequence).ToListAsync(cancellationToken);
        var body = Draft(e, session, posts);

        var recap = await db.Set<SessionRecap>().FirstOrDefaultAsync(r => r.StreamId == stream.Id, cancellationToken);
        if (recap is null)
        {
            recap = new SessionRecap
            {
                StreamId = stream.Id,
                EventId = e.Id,
                SessionId = sessionId,
                Title = Truncate($"Recap: {session.Title}", RecapLimits.Title),
                Body = body,
                BuiltFromChange = builtFromChange,
                CreatedAtUtc = now,
                UpdatedAtUtc = now,
                Version = 1,
            };
            db.Add(recap);
        }
        else if (recap.EditedAtUtc is null || overwriteEdits)
        {
            recap.Body = body;
            recap.BuiltFromChange = builtFromChange;
            recap.EditedAtUtc = null;
            recap.EditedByName = null;
            recap.UpdatedAtUtc = now;
            recap.Version++;
        }

        return recap;
    }

    public static string Draft(Event e, Session session, IReadOnlyList<LivePost> posts)
    {
        VenueTime.TryFindZone(e.TimeZoneId, out var zone);
        var text = new StringBuilder();
        text.Append("Recap of ").Append(Escape(session.Title)).Append(" at ").Append(Escape(e.Title)).Append(", ")
            .Append(VenueTime.ToLocal(session.StartsAtUtc, zone).ToString("d MMMM yyyy", CultureInfo.InvariantCulture)).Append(".\n\n");
        if (posts.Count == 0)
        {
            return text.Append(NothingMarked).ToString();
        }

        foreach (var post in posts)
        {
            var time = VenueTime.ToLocal(post.CreatedAtUtc, zone).ToString("HH:mm", CultureInfo.InvariantCulture);
            var content = Flatten(post.Format == LivePostFormat.Markdown ? post.Body : Escape(post.Body));
            text.Append("- **").Append(time).Append("** ");
            if (post.Kind == LivePostKind.Quote)
            {
                text.Append('“').Append(content).Append('”');
                if (post.Speaker is { } speaker)
                {
                    text.Append(" — ").Append(Escape(speaker.Name));
                }
            }
            else
            {
                text.Append(post.IsPinned ? "(Pinned) " : "").Append(content);
            }

            text.Append('\n');
        }

        return Truncate(text.ToString().TrimEnd(), RecapLimits.Body);
    }

    /// <summary>One list item per post: the lines of a post are joined.</summary>
    private static string Flatten(string body) =>
        string.Join(' ', body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Plain text inside Markdown: characters with a meaning there are escaped, so the text shows as typed.</summary>
    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '\\' or '*' or '_' or '[' or ']' or '`' or '<' or '>' or '~' or '#' or '|' or '!' or '(' or ')' or '&')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}

/// <summary>Builds (or refreshes) the draft in the same transaction that ends a session's coverage.</summary>
internal sealed class RecapDraftInterceptor(TimeProvider clock) : ILiveChangeInterceptor
{
    public async Task OnChangeAsync(LiveHubDbContext db, LiveStream stream, LivePost? post, LiveChangeKind kind, CancellationToken cancellationToken)
    {
        if (kind == LiveChangeKind.CoverageEnded && stream.SessionId is not null)
        {
            await RecapDrafts.BuildOrRefreshAsync(db, stream, clock.GetUtcNow().UtcDateTime, stream.LastChange, overwriteEdits: false, cancellationToken);
        }
    }
}
