using LiveHub.Data;
using LiveHub.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Venues;

/// <summary>
/// The migration that introduced speaker and venue pages gave existing rows placeholder slugs ("migrated-{id}"): SQL
/// cannot turn names into slugs the same way on every provider. On the next start, after the migrations, each gets a
/// slug made from its name, as new ones do.
/// </summary>
internal sealed class MigratedSlugTidy(IServiceProvider services, IOptions<DatabaseOptions> options, ILogger<MigratedSlugTidy> logger) : IHostedService
{
    public const string Prefix = "migrated-";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStartup)
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        var speakers = await db.Speakers.Where(s => s.Slug.StartsWith(Prefix)).OrderBy(s => s.CreatedAtUtc).ToListAsync(cancellationToken);
        var venues = await db.Venues.Where(v => v.Slug.StartsWith(Prefix)).OrderBy(v => v.CreatedAtUtc).ToListAsync(cancellationToken);
        if (speakers.Count + venues.Count == 0)
        {
            return;
        }

        foreach (var speaker in speakers)
        {
            speaker.Slug = await SpeakerEndpoints.FreeSlugAsync(db, speaker.Name, cancellationToken);
        }

        foreach (var venue in venues)
        {
            venue.Slug = await VenueDirectory.FreeSlugAsync(db, venue.Name, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Gave {Speakers} speaker(s) and {Venues} venue(s) slugs made from their names.", speakers.Count, venues.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
