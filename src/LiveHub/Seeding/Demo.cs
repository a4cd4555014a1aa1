using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Seeding;

/// <summary>The demo event as it stands: the event, its live panel and the panel's stream (tracked).</summary>
internal sealed record DemoState(Event Event, Session Panel, LiveStream PanelStream);

/// <summary>
/// Keeps one demo event, built from the seeded conference, dated around the current hour: a session that has just
/// ended, the panel live now, and one to come. The real seeded events keep their real dates. Every instance runs
/// this; the unique slug makes creation happen once, and dating is a function of the hour, so instances agree.
/// A demo event that staff deleted stays deleted.
/// </summary>
internal sealed class DemoEvent(LiveHubDbContext db, SeedDirectory directory, TimeProvider clock, ILogger<DemoEvent> logger)
{
    public const string Slug = "demo-second-place-partnership-conference";
    public const string SourceSlug = "second-place-partnership-conference";
    public const string PanelKey = "panel";
    public const string Byline = "LPIP Hub comms team (replay)";
    private const string RedatedSessionKey = "close";

    /// <summary>The demo, created or moved to the current hour if needed; null if it was deleted or cannot be built.</summary>
    public async Task<DemoState?> EnsureAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var e = await db.Events.IgnoreQueryFilters().Include(x => x.Sessions).FirstOrDefaultAsync(x => x.Slug == Slug, cancellationToken);
        if (e is null)
        {
            e = await CreateAsync(now, cancellationToken);
            if (e is null)
            {
                return null;
            }
        }

        if (e.DeletedAtUtc is not null)
        {
            return null;
        }

        // The panel is the session whose stream the demo created with the event.
        var stream = await db.LiveStreams.Where(s => s.EventId == e.Id && s.SessionId != null)
            .OrderBy(s => s.CreatedAtUtc).ThenBy(s => s.Id).FirstOrDefaultAsync(cancellationToken);
        var panel = e.Sessions.FirstOrDefault(s => s.Id == stream?.SessionId && s.DeletedAtUtc is null);
        if (stream is null || panel is null)
        {
            return null;
        }

        // Keep the panel "now": move the whole event when the current hour leaves the panel's slot.
        if (now < panel.StartsAtUtc || now >= panel.EndsAtUtc - TimeSpan.FromMinutes(10))
        {
            var shift = Anchor(now) - panel.StartsAtUtc;
            e.StartsAtUtc += shift;
            e.EndsAtUtc += shift;
            e.Revision++;
            e.UpdatedAtUtc = now;
            foreach (var s in e.Sessions.Where(s => s.DeletedAtUtc is null))
            {
                s.StartsAtUtc += shift;
                s.EndsAtUtc += shift;
                s.Revision++;
                s.UpdatedAtUtc = now;
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        return new DemoState(e, panel, stream);
    }

    private static DateTime Anchor(DateTime now) => new(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc);

    private async Task<Event?> CreateAsync(DateTime now, CancellationToken cancellationToken)
    {
        if (directory.Path is not { } folder)
        {
            logger.LogWarning("No seed folder found; the demo event cannot be built.");
            return null;
        }

        var seededEvents = await SeedFiles.ReadAsync<List<SeedEvent>>(Path.Combine(folder, "events.json"), cancellationToken);
        var seededSpeakers = await SeedFiles.ReadAsync<List<SeedSpeaker>>(Path.Combine(folder, "speakers.json"), cancellationToken);
        var source = seededEvents.FirstOrDefault(x => x.Slug == SourceSlug);
        var report = source?.Sessions?.FirstOrDefault(s => s.Key == "report");
        var panel = source?.Sessions?.FirstOrDefault(s => s.Key == PanelKey);
        if (source is null || report is null || panel is null)
        {
            logger.LogWarning("The seeds have no event '{Slug}' with the sessions 'report' and 'panel'; no demo event.", SourceSlug);
            return null;
        }

        // Speakers are the seeded people if they are there (matched by name); a demo without them still runs.
        var names = seededSpeakers.ToDictionary(s => s.Key, s => s.Name, StringComparer.Ordinal);
        var wanted = names.Values.ToList();
        var people = await db.Speakers.Where(s => wanted.Contains(s.Name)).ToListAsync(cancellationToken);
        Speaker? Person(string? key) => key is not null && names.TryGetValue(key, out var name) ? people.FirstOrDefault(p => p.Name == name) : null;

        var anchor = Anchor(now);
        var e = new Event
        {
            Slug = Slug,
            Title = $"{source.Title} (demo replay)",
            Summary = "A demonstration built from the hub's 2024 conference: its panel is replayed as live coverage, one update at a time.",
            Description = "This event is not real. LiveHub creates it on a first run so that there is something to follow: "
                + "it is dated around the current hour, the panel is live now, and the hub's own coverage of the 2024 panel comes in again "
                + "at a readable pace, exactly as attendees would see a live session. Nothing from the replay is posted to Bluesky.\n\n"
                + "The real conference, with its real date, is in the past events. Set Seeds:Demo to false to turn the demo off.",
            StartsAtUtc = anchor.AddHours(-1),
            EndsAtUtc = anchor.AddHours(3),
            TimeZoneId = source.TimeZone,
            Venue = await DemoVenueAsync(db, source, now, cancellationToken),
            OnlineUrl = source.OnlineUrl,
            Tags = [.. (source.Tags ?? []).Append("demo").Distinct()],
            Organiser = source.Organiser,
            IsPublished = true,
            FirstPublishedAtUtc = now,
            LiveByline = Byline,
            CreatedAtUtc = now,
            UpdatedAtUtc = now,
        };

        Session NewSession(string title, string? description, DateTime start, DateTime end, string? room, string? chair, IReadOnlyList<string>? speakers, CoverageState coverage)
        {
            var session = new Session
            {
                EventId = e.Id,
                Title = title,
                Description = description,
                StartsAtUtc = start,
                EndsAtUtc = end,
                Room = room,
                ChairId = Person(chair)?.Id,
                Coverage = coverage,
                CreatedAtUtc = now,
                UpdatedAtUtc = now,
            };
            var position = 0;
            foreach (var speaker in (speakers ?? []).Select(Person).OfType<Speaker>())
            {
                session.Speakers.Add(new SessionSpeaker { SessionId = session.Id, SpeakerId = speaker.Id, Position = position++ });
            }

            return session;
        }

        var reportSession = NewSession(report.Title, report.Description, anchor.AddHours(-1), anchor, report.Room, report.Chair, report.Speakers, CoverageState.Upcoming);
        var panelSession = NewSession(panel.Title, panel.Description, anchor, anchor.AddHours(2), panel.Room, panel.Chair, panel.Speakers, CoverageState.Live);
        var closing = NewSession(
            "Close and next steps",
            "A short wrap-up of the day and what the partnership plans next. (Part of the demo: nothing is said here.)",
            anchor.AddHours(2), anchor.AddHours(3), report.Room, null, null, CoverageState.Upcoming);
        e.Sessions.AddRange([reportSession, panelSession, closing]);
        db.Events.Add(e);
        var panelStream = new LiveStream
        {
            EventId = e.Id,
            SessionId = panelSession.Id,
            Key = LiveCoverage.SessionStreamKey(panelSession.Id),
            State = CoverageState.Live,
            StartedAtUtc = now,
            CreatedAtUtc = now,
        };
        db.LiveStreams.Add(panelStream);
        await AddDemoQuestionsAsync(folder, panelStream.Id, now, cancellationToken);

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Created the demo event {Slug}: its panel is live now, replayed from the seeds (Seeds:Demo=false turns it off).", Slug);
            return e;
        }
        catch (DbUpdateException)
        {
            // Another instance created it first (the slug is unique): use theirs.
            db.ChangeTracker.Clear();
            return await db.Events.IgnoreQueryFilters().Include(x => x.Sessions).FirstOrDefaultAsync(x => x.Slug == Slug, cancellationToken);
        }
    }

    /// <summary>
    /// seeds/demo-questions.json: a few audience questions for the demo panel (invented; the sources record none), so
    /// that a first run shows the questions panel, the board and the moderation queue. Written as web questions.
    /// </summary>
    private async Task AddDemoQuestionsAsync(string folder, Guid streamId, DateTime now, CancellationToken cancellationToken)
    {
        var file = Path.Combine(folder, "demo-questions.json");
        if (!File.Exists(file))
        {
            return;
        }

        var seeded = await SeedFiles.ReadAsync<SeedDemoQuestions>(file, cancellationToken);
        var asked = now.AddMinutes(-seeded.Questions.Count);
        foreach (var question in seeded.Questions)
        {
            // The same rules as a question typed on the live page.
            if (Questions.QuestionText.ValidateWebText(question.Text, new Problems.ValidationErrors()) is null)
            {
                throw new InvalidDataException($"{file}: \"{question.Text}\" is not a question the live page would take (plain text, at most {Questions.QuestionLimits.WebText} characters, {Questions.QuestionText.MaxLinks} links).");
            }

            asked = asked.AddMinutes(1);
            db.Set<Questions.Question>().Add(new Questions.Question
            {
                StreamId = streamId,
                Source = Questions.QuestionSource.Web,
                Status = question.Status,
                Text = question.Text,
                AskedAtUtc = asked,
                ModeratedAtUtc = question.Status == Questions.QuestionStatus.Pending ? null : asked,
                UpdatedAtUtc = asked,
            });
        }
    }

    /// <summary>The seeded panel thread, in order, as the replay posts it (the end marker left out: the demo panel never ends).</summary>
    public async Task<IReadOnlyList<SeedLivePost>> ThreadAsync(CancellationToken cancellationToken)
    {
        if (directory.Path is not { } folder || !File.Exists(Path.Combine(folder, "live", SourceSlug + ".json")))
        {
            return [];
        }

        var thread = await SeedFiles.ReadAsync<SeedLiveThread>(Path.Combine(folder, "live", SourceSlug + ".json"), cancellationToken);
        return [.. thread.Posts.Where(p => (p.Session ?? thread.Session) == PanelKey && p.Kind != LivePostKind.SessionEnded)];
    }

    /// <summary>The seeded conference's venue row (shared, as venues are), or a new one when the seeds did not make it.</summary>
    private static async Task<Venues.Venue?> DemoVenueAsync(LiveHubDbContext db, SeedEvent source, DateTime now, CancellationToken cancellationToken)
    {
        if (source.Venue is not { Name: { Length: > 0 } name } venue)
        {
            return null;
        }

        return await db.Venues.FirstOrDefaultAsync(v => v.Name == name && v.Address == venue.Address, cancellationToken)
            ?? new Venues.Venue
            {
                Slug = await Venues.VenueDirectory.FreeSlugAsync(db, name, cancellationToken),
                Name = name,
                Address = venue.Address,
                Latitude = venue.Latitude,
                Longitude = venue.Longitude,
                TimeZoneId = source.TimeZone,
                CreatedAtUtc = now,
                UpdatedAtUtc = now,
            };
    }
}

/// <summary>
/// While the demo is on, posts the seeded panel thread into the demo panel's live stream, one post per
/// Seeds:DemoReplayInterval, and starts over when it reaches the end. Where it is comes from the database (the last
/// replayed post's idempotency key, "demo:{round}:{index}"), so a restart carries on, and the unique key per stream
/// and author means two instances, or a restart racing the old process, never post the same step twice. Replayed
/// posts carry <see cref="LiveActor.ReplayId"/> as their author, which cross-posting ignores. Staff ending the
/// panel's coverage stops the replay.
/// </summary>
internal sealed class DemoReplay(
    IServiceScopeFactory scopes,
    IOptions<SeedOptions> options,
    IOptions<DatabaseOptions> database,
    TimeProvider clock,
    ILogger<DemoReplay> logger) : BackgroundService
{
    private const string KeyPrefix = "demo:";
    private IReadOnlyList<SeedLivePost>? _thread;

    private bool _stopped;

    /// <summary>The first step runs before the app takes requests, so the very first page already shows the demo.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.DemoIsOn(database.Value.Provider))
        {
            try
            {
                _stopped = !await StepAsync(options.Value.DemoReplayInterval, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The demo must never keep the app from starting.
                logger.LogWarning(ex, "The demo event could not be prepared on start; trying again in the background.");
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DemoIsOn(database.Value.Provider) || _stopped)
        {
            return;
        }

        var interval = options.Value.DemoReplayInterval;
        var tick = TimeSpan.FromTicks(Math.Clamp(interval.Ticks / 2, TimeSpan.FromMilliseconds(25).Ticks, TimeSpan.FromSeconds(5).Ticks));
        using var timer = new PeriodicTimer(tick, clock);
        do
        {
            try
            {
                if (!await StepAsync(interval, stoppingToken))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or TimeoutException)
            {
                // A database outage or a concurrent instance: the next tick tries again from what is stored.
                logger.LogDebug(ex, "The demo replay step failed; trying again.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Anything else is a bug, but the demo must never stop the host (a failed BackgroundService would).
                logger.LogWarning(ex, "The demo replay step failed; trying again.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One step: false when there is nothing to replay, ever (no seeded thread).</summary>
    internal async Task<bool> StepAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var demo = scope.ServiceProvider.GetRequiredService<DemoEvent>();
        var state = await demo.EnsureAsync(cancellationToken);
        _thread ??= await demo.ThreadAsync(cancellationToken);
        if (_thread.Count == 0)
        {
            return false;
        }

        // Deleted by staff, or its coverage ended: nothing to do until that changes.
        if (state is null || state.PanelStream.State != CoverageState.Live)
        {
            return true;
        }

        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        var last = await db.LivePosts.AsNoTracking()
            .Where(p => p.StreamId == state.PanelStream.Id && p.AuthorId == LiveActor.ReplayId && p.IdempotencyKey != null)
            .OrderByDescending(p => p.Sequence)
            .Select(p => new { p.IdempotencyKey, p.CreatedAtUtc })
            .FirstOrDefaultAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        if (last is not null && now < last.CreatedAtUtc + interval)
        {
            return true;
        }

        var (round, index) = last is null ? (0, 0) : Next(last.IdempotencyKey!, _thread.Count);
        var key = $"{KeyPrefix}{round}:{index}";
        if (await db.LivePosts.AnyAsync(p => p.StreamId == state.PanelStream.Id && p.AuthorId == LiveActor.ReplayId && p.IdempotencyKey == key, cancellationToken))
        {
            return true;
        }

        var item = _thread[index];
        Guid? speakerId = null;
        if (item.Speaker is not null)
        {
            var speakers = await scope.ServiceProvider.GetRequiredService<SeedDirectory>().SpeakerNamesAsync(cancellationToken);
            var name = speakers.GetValueOrDefault(item.Speaker);
            speakerId = await db.Speakers.Where(s => s.Name == name).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(cancellationToken);
        }

        var post = new LivePost
        {
            Kind = item.Kind,
            Format = item.Format ?? LivePostFormat.PlainText,
            Body = item.Body,
            SpeakerId = speakerId,
            IdempotencyKey = key,
        };
        // Staff may have ended the coverage while this step was reading: look again just before posting.
        await db.Entry(state.PanelStream).ReloadAsync(cancellationToken);
        if (state.PanelStream.State != CoverageState.Live)
        {
            return true;
        }

        var coverage = scope.ServiceProvider.GetRequiredService<LiveCoverage>();
        try
        {
            await coverage.CreatePostAsync(state.PanelStream, post, [], new LiveActor(LiveActor.ReplayId, DemoEvent.Byline), cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another instance posted this step first.
        }

        return true;
    }

    private static (int Round, int Index) Next(string key, int count)
    {
        var parts = key[KeyPrefix.Length..].Split(':');
        var round = int.TryParse(parts[0], out var r) ? r : 0;
        var index = parts.Length > 1 && int.TryParse(parts[1], out var i) ? i : -1;
        return index + 1 >= count ? (round + 1, 0) : (round, index + 1);
    }
}

internal static class SeedDirectoryExtensions
{
    public static async Task<IReadOnlyDictionary<string, string>> SpeakerNamesAsync(this SeedDirectory directory, CancellationToken cancellationToken) =>
        directory.Path is { } folder
            ? (await SeedFiles.ReadAsync<List<SeedSpeaker>>(Path.Combine(folder, "speakers.json"), cancellationToken)).ToDictionary(s => s.Key, s => s.Name, StringComparer.Ordinal)
            : new Dictionary<string, string>();
}

/// <summary>seeds/demo-questions.json.</summary>
internal sealed record SeedDemoQuestions(string Event, string? Session, string? Note, IReadOnlyList<SeedDemoQuestion> Questions);

internal sealed record SeedDemoQuestion(Questions.QuestionStatus Status, string Text);
