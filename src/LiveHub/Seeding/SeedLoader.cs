using LiveHub.Data;
using LiveHub.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Seeding;

public sealed class SeedOptions
{
    public const string Section = "Seeds";

    /// <summary>Folder with speakers.json and events.json. Relative paths are under the content root; empty means "find it".</summary>
    public string? Path { get; set; }

    /// <summary>Load the seeds on start when the database has no events and no speakers.</summary>
    public bool LoadWhenEmpty { get; set; } = true;

    /// <summary>
    /// Keep a demo event dated around today with a session live now, its panel thread replayed into the live stream.
    /// Unset: on for the embedded SQLite default, off for PostgreSQL (see <see cref="DemoIsOn"/>).
    /// </summary>
    public bool? Demo { get; set; }

    /// <summary>Time between two replayed posts of the demo.</summary>
    public TimeSpan DemoReplayInterval { get; set; } = TimeSpan.FromSeconds(20);

    public bool DemoIsOn(Data.DatabaseProvider provider) => Demo ?? provider == Data.DatabaseProvider.Sqlite;
}

/// <summary>The resolved seed folder, or null if there is none (for example in a trimmed container).</summary>
public sealed record SeedDirectory(string? Path);

/// <summary>Loads the demo data in seeds/ through the same validation as the API.</summary>
public sealed class SeedLoader(LiveHubDbContext db, SeedDirectory directory, TimeProvider clock, IEnumerable<ISeedPart> parts, ILogger<SeedLoader> logger)
{
    public async Task<bool> IsDatabaseEmptyAsync(CancellationToken cancellationToken) =>
        !await db.Events.IgnoreQueryFilters().AnyAsync(cancellationToken) && !await db.Speakers.AnyAsync(cancellationToken);

    /// <summary>Removes all events, sessions and speakers (and what hangs off them), then loads the seeds.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var part in parts.Reverse())
        {
            await part.ClearAsync(db, cancellationToken);
        }

        await db.Sessions.IgnoreQueryFilters().ExecuteDeleteAsync(cancellationToken);
        await db.Events.IgnoreQueryFilters().ExecuteDeleteAsync(cancellationToken);
        await db.Venues.ExecuteDeleteAsync(cancellationToken);
        await db.Speakers.ExecuteDeleteAsync(cancellationToken);
        // What this context tracked from an earlier load is gone from the database: forget it (venue and slug lookups read it).
        db.ChangeTracker.Clear();
        await LoadCoreAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LoadCoreAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task LoadCoreAsync(CancellationToken cancellationToken)
    {
        var folder = directory.Path ?? throw new InvalidOperationException("No seed folder was found; set Seeds:Path.");
        var now = clock.GetUtcNow().UtcDateTime;
        var seededSpeakers = await SeedFiles.ReadAsync<List<SeedSpeaker>>(System.IO.Path.Combine(folder, "speakers.json"), cancellationToken);
        var seededEvents = await SeedFiles.ReadAsync<List<SeedEvent>>(System.IO.Path.Combine(folder, "events.json"), cancellationToken);

        var speakers = new Dictionary<string, Speaker>(StringComparer.Ordinal);
        foreach (var s in seededSpeakers)
        {
            var errors = EventValidation.Validate(new SpeakerWriteRequest(s.Name, s.Role, s.Affiliation, s.BlueskyHandle, s.Bio, s.Slug ?? s.Key, s.PhotoUrl, s.PhotoAltText, s.Links), out var valid);
            Check(errors, $"speakers.json '{s.Key}'");
            var speaker = await SpeakerEndpoints.NewAsync(db, valid!, now, cancellationToken);
            speakers.Add(s.Key, speaker);
            db.Speakers.Add(speaker);
        }

        var context = new SeedContext(folder, speakers, now);
        foreach (var se in seededEvents)
        {
            var errors = EventValidation.Validate(new EventWriteRequest(se.Slug, se.Title, se.Summary, se.Description, se.StartsAt, se.EndsAt, se.TimeZone,
                se.Venue, se.OnlineUrl, se.Status, se.Tags, se.Organiser, se.ImageUrl, se.IsPublished), out var valid);
            Check(errors, $"events.json '{se.Slug}'");
            var (_, venue) = await Venues.VenueDirectory.ResolveAsync(db, valid!, now, errors, cancellationToken);
            Check(errors, $"events.json '{se.Slug}'");
            var e = new Event { Slug = se.Slug, Title = valid!.Title, TimeZoneId = valid.TimeZoneId, CreatedAtUtc = now, UpdatedAtUtc = now };
            EventChanges.Apply(e, valid, se.Slug, now, venue);
            e.Revision = 0;
            db.Events.Add(e);
            context.Events[se.Slug] = e;

            foreach (var ss in se.Sessions ?? [])
            {
                var speakerIds = (ss.Speakers ?? []).Select(key => Lookup(speakers, key, se.Slug, ss.Key).Id).ToList();
                var chairId = ss.Chair is null ? (Guid?)null : Lookup(speakers, ss.Chair, se.Slug, ss.Key).Id;
                var sessionErrors = EventValidation.Validate(new SessionWriteRequest(ss.Title, ss.Description, ss.StartsAt, ss.EndsAt, ss.Room, ss.Track,
                    chairId, speakerIds, ss.Status, ss.Coverage), e, out var validSession);
                Check(sessionErrors, $"events.json '{se.Slug}' session '{ss.Key}'");
                var session = new Session { EventId = e.Id, Title = validSession!.Title, CreatedAtUtc = now, UpdatedAtUtc = now };
                EventChanges.Apply(session, validSession, now);
                session.Revision = 0;
                e.Sessions.Add(session);
                context.Sessions[(se.Slug, ss.Key)] = session;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var part in parts)
        {
            await part.LoadAsync(db, context, cancellationToken);
        }

        logger.LogInformation("Loaded seed data from {Folder}: {Events} events, {Speakers} speakers.", folder, seededEvents.Count, seededSpeakers.Count);
    }

    private static Speaker Lookup(Dictionary<string, Speaker> speakers, string key, string eventSlug, string sessionKey) =>
        speakers.TryGetValue(key, out var speaker)
            ? speaker
            : throw new InvalidDataException($"events.json '{eventSlug}' session '{sessionKey}': no speaker with key '{key}' in speakers.json.");

    private static void Check(Problems.ValidationErrors errors, string where)
    {
        if (errors.HasErrors)
        {
            var reasons = errors.ToDictionary().SelectMany(e => e.Value.Select(reason => $"{e.Key} {reason}"));
            throw new InvalidDataException($"Seed {where} is invalid: {string.Join("; ", reasons)}");
        }
    }
}

/// <summary>What the core seed step created, for feature-specific seed parts (such as live threads) to build on.</summary>
public sealed record SeedContext(string Folder, IReadOnlyDictionary<string, Speaker> Speakers, DateTime Now)
{
    public Dictionary<string, Event> Events { get; } = new(StringComparer.Ordinal);
    public Dictionary<(string EventSlug, string SessionKey), Session> Sessions { get; } = [];
}

/// <summary>A feature's own seed data, loaded after events and speakers and cleared before them.</summary>
public interface ISeedPart
{
    Task LoadAsync(LiveHubDbContext db, SeedContext context, CancellationToken cancellationToken);

    Task ClearAsync(LiveHubDbContext db, CancellationToken cancellationToken);
}

/// <summary>Loads the seeds on first start (empty database).</summary>
internal sealed class SeedOnFirstStart(IServiceProvider services, IOptions<SeedOptions> options, ILogger<SeedOnFirstStart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.LoadWhenEmpty)
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var loader = scope.ServiceProvider.GetRequiredService<SeedLoader>();
        if (scope.ServiceProvider.GetRequiredService<SeedDirectory>().Path is null)
        {
            logger.LogWarning("No seed folder found; starting with an empty database.");
            return;
        }

        if (await loader.IsDatabaseEmptyAsync(cancellationToken))
        {
            await loader.LoadAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
