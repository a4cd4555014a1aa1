using System.Text.Json.Serialization;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Seeding;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Live;

public sealed record SeedLivePost(string At, LivePostKind Kind, string Body, string? Session, string? Speaker, LivePostFormat? Format, bool? Pinned);

public sealed record SeedLiveThread(string Event, string? Session, [property: JsonPropertyName("note")] string? Note, IReadOnlyList<SeedLivePost> Posts);

/// <summary>Loads seeds/live/*.json: sample threads, written straight to the tables (never cross-posted).</summary>
internal sealed class LiveSeedPart : ISeedPart
{
    public async Task LoadAsync(LiveHubDbContext db, SeedContext context, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(context.Folder, "live");
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var thread = await SeedFiles.ReadAsync<SeedLiveThread>(file, cancellationToken);
            if (!context.Events.TryGetValue(thread.Event, out var e))
            {
                throw new InvalidDataException($"{file}: no event '{thread.Event}' in events.json.");
            }

            VenueTime.TryFindZone(e.TimeZoneId, out var zone);
            var streams = new Dictionary<string, LiveStream>(StringComparer.Ordinal);
            foreach (var (item, index) in thread.Posts.Select((p, i) => (p, i)))
            {
                var sessionKey = item.Session ?? thread.Session;
                var stream = Stream(db, context, e, sessionKey, streams, file);
                if (!VenueTime.TryParse(item.At, zone, out var at))
                {
                    throw new InvalidDataException($"{file}: post {index + 1} has an invalid time '{item.At}'.");
                }

                Guid? speakerId = null;
                if (item.Speaker is not null)
                {
                    speakerId = context.Speakers.TryGetValue(item.Speaker, out var speaker)
                        ? speaker.Id
                        : throw new InvalidDataException($"{file}: post {index + 1} names an unknown speaker '{item.Speaker}'.");
                }

                stream.LastSequence++;
                stream.LastChange++;
                if (item.Kind == LivePostKind.SessionStarted)
                {
                    stream.StartedAtUtc = at;
                }
                else if (item.Kind == LivePostKind.SessionEnded)
                {
                    stream.EndedAtUtc = at;
                    stream.State = CoverageState.Ended;
                    stream.StateChange = stream.LastChange;
                }

                db.LivePosts.Add(new LivePost
                {
                    StreamId = stream.Id,
                    Sequence = stream.LastSequence,
                    ChangeSequence = stream.LastChange,
                    Kind = item.Kind,
                    Format = item.Format ?? LivePostFormat.PlainText,
                    Body = item.Body,
                    SpeakerId = speakerId,
                    IsKeyMoment = item.Kind == LivePostKind.KeyMoment,
                    IsPinned = item.Pinned ?? false,
                    AuthorName = "LPIP Hub comms team",
                    CreatedAtUtc = at,
                });
            }

            foreach (var stream in streams.Values.Where(s => s.StartedAtUtc is null && s.LastSequence > 0))
            {
                stream.StartedAtUtc = stream.CreatedAtUtc;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task ClearAsync(LiveHubDbContext db, CancellationToken cancellationToken)
    {
        await db.LiveAudit.ExecuteDeleteAsync(cancellationToken);
        await db.LiveImages.ExecuteDeleteAsync(cancellationToken);
        await db.LivePosts.ExecuteDeleteAsync(cancellationToken);
        await db.LiveStreams.ExecuteDeleteAsync(cancellationToken);
    }

    private static LiveStream Stream(LiveHubDbContext db, SeedContext context, Event e, string? sessionKey, Dictionary<string, LiveStream> streams, string file)
    {
        var key = sessionKey ?? "";
        if (streams.TryGetValue(key, out var existing))
        {
            return existing;
        }

        Session? session = null;
        if (sessionKey is not null && !context.Sessions.TryGetValue((e.Slug, sessionKey), out session))
        {
            throw new InvalidDataException($"{file}: event '{e.Slug}' has no session '{sessionKey}'.");
        }

        var stream = new LiveStream
        {
            EventId = e.Id,
            SessionId = session?.Id,
            Key = session is null ? LiveCoverage.EventStreamKey : LiveCoverage.SessionStreamKey(session.Id),
            State = session?.Coverage ?? CoverageState.Upcoming,
            CreatedAtUtc = session?.StartsAtUtc ?? e.StartsAtUtc,
        };
        db.LiveStreams.Add(stream);
        streams[key] = stream;
        return stream;
    }
}
