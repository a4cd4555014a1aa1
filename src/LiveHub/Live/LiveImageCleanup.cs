using LiveHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Live;

/// <summary>
/// Removes images nobody may see any more, rows and files: uploads never attached to a post within
/// <see cref="LiveOptions.UnattachedImageGracePeriod"/>, and the images of deleted posts. A deleted post's
/// images are deleted rather than kept: an image is usually taken down because it should not have been
/// shown (a face, a slide, a badge), and the audit log records who deleted the post and when.
/// Runs at start and then every <see cref="LiveOptions.ImageCleanupInterval"/>; several instances may run
/// it at once (each row is deleted by one of them, and only then its file).
/// </summary>
public sealed class LiveImageCleanup(
    IServiceScopeFactory scopes,
    DataDirectory data,
    IOptions<LiveOptions> options,
    TimeProvider clock,
    ILogger<LiveImageCleanup> logger) : BackgroundService
{
    private const int Batch = 500;
    private long _lastPassTicks;

    /// <summary>The clock's time when the last finished pass started (for tests and diagnostics); null before the first.</summary>
    public DateTimeOffset? LastPassAt => Interlocked.Read(ref _lastPassTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ImageCleanupInterval, clock);
        do
        {
            var started = clock.GetUtcNow();
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The next tick tries again; nothing is lost by waiting.
                logger.LogWarning(ex, "Live image cleanup failed; it runs again in {Interval}.", options.Value.ImageCleanupInterval);
            }

            Interlocked.Exchange(ref _lastPassTicks, started.UtcTicks);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass; returns how many images it removed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var expiredBefore = clock.GetUtcNow().UtcDateTime - options.Value.UnattachedImageGracePeriod;
        var folder = LiveImageEndpoints.MediaFolder(data);
        var removed = 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        while (true)
        {
            var candidates = await db.LiveImages.AsNoTracking()
                .Where(i => (i.PostId == null && i.CreatedAtUtc < expiredBefore)
                    || (i.PostId != null && db.LivePosts.Any(p => p.Id == i.PostId && p.DeletedAtUtc != null)))
                .OrderBy(i => i.Id).Take(Batch)
                .Select(i => new { i.Id, i.FileName, Unattached = i.PostId == null })
                .ToListAsync(cancellationToken);
            foreach (var candidate in candidates)
            {
                // An unattached upload is deleted only if it is still unattached (a post may be taking it right now).
                var deleted = candidate.Unattached
                    ? await db.LiveImages.Where(i => i.Id == candidate.Id && i.PostId == null).ExecuteDeleteAsync(cancellationToken)
                    : await db.LiveImages.Where(i => i.Id == candidate.Id).ExecuteDeleteAsync(cancellationToken);
                if (deleted == 1)
                {
                    File.Delete(Path.Combine(folder, candidate.FileName));
                    removed++;
                }
            }

            if (candidates.Count < Batch)
            {
                break;
            }
        }

        if (removed > 0)
        {
            logger.LogInformation("Removed {Count} live image(s): unattached past the grace period or of deleted posts.", removed);
        }

        return removed;
    }
}
