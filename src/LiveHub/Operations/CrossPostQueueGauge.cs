using LiveHub.CrossPosting;
using LiveHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LiveHub.Operations;

/// <summary>
/// Samples the cross-post outbox (waiting items, oldest age) every <see cref="TelemetryOptions.QueueSampleInterval"/>, so
/// that a metrics scrape or a health probe reads a number instead of querying the database each time.
/// </summary>
public sealed class CrossPostQueueGauge(IServiceScopeFactory scopes, TimeProvider clock, IOptions<TelemetryOptions> options,
    ILogger<CrossPostQueueGauge> logger) : BackgroundService
{
    private volatile QueueSample? _latest;

    public QueueSample? Latest => _latest;

    public async Task<QueueSample> SampleAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        var waiting = db.Set<CrossPostItem>().Where(i => i.State == CrossPostState.Queued || i.State == CrossPostState.Sending);
        var depth = await waiting.CountAsync(cancellationToken);
        var oldest = depth == 0 ? (DateTime?)null : await waiting.MinAsync(i => (DateTime?)i.CreatedAtUtc, cancellationToken);
        var now = clock.GetUtcNow();
        var sample = new QueueSample(depth, oldest is { } at ? now - new DateTimeOffset(at, TimeSpan.Zero) : TimeSpan.Zero, now);
        _latest = sample;
        return sample;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.QueueSampleInterval, clock);
        try
        {
            do
            {
                try
                {
                    await SampleAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // A database outage is logged once by DatabaseOutage; the gauge keeps its last sample meanwhile.
                    logger.LogDebug(ex, "Could not sample the cross-post queue.");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

public sealed record QueueSample(int Depth, TimeSpan OldestAge, DateTimeOffset SampledAt);
