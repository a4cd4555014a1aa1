using Microsoft.AspNetCore.SignalR;

namespace LiveHub.Live;

/// <summary>
/// On every instance: reads change notices from the bus in commit order, loads what changed since
/// the last push for that stream, and pushes one <see cref="LiveChanges"/> to the stream's group.
/// </summary>
internal sealed class LiveChangeRelay(
    ILiveChangeBus bus,
    IServiceScopeFactory scopes,
    IHubContext<LiveCoverageHub> hub,
    LiveSubscriptions subscriptions,
    ILogger<LiveChangeRelay> logger) : BackgroundService
{
    private readonly Dictionary<Guid, long> _lastPushed = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var notice in bus.ReadAllAsync(stoppingToken))
        {
            if (notice.IsResync)
            {
                foreach (var streamId in subscriptions.WatchedStreams)
                {
                    await TryPushAsync(streamId, long.MaxValue, stoppingToken);
                }
            }
            else
            {
                await TryPushAsync(notice.StreamId, notice.Change, stoppingToken);
            }
        }
    }

    private async Task TryPushAsync(Guid streamId, long change, CancellationToken cancellationToken)
    {
        try
        {
            await PushAsync(streamId, change, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed push is recovered by the client: it sees the gap in change numbers and catches up.
            logger.LogWarning(ex, "Could not push change {Change} of stream {Stream}.", change, streamId);
        }
    }

    private async Task PushAsync(Guid streamId, long change, CancellationToken cancellationToken)
    {
        var known = _lastPushed.TryGetValue(streamId, out var last);
        if (known && change <= last)
        {
            return;
        }

        if (!subscriptions.HasListeners(streamId))
        {
            if (change != long.MaxValue)
            {
                _lastPushed[streamId] = change;
            }

            return;
        }

        // The first notice for a stream on this instance: its listeners joined after this instance
        // started, and their join read everything committed before, so start just before this change.
        var after = known ? last : change == long.MaxValue ? 0 : change - 1;
        await using var scope = scopes.CreateAsyncScope();
        var changes = await scope.ServiceProvider.GetRequiredService<LiveQueries>().ChangesAsync(streamId, after, cancellationToken);
        if (changes is null || changes.Through <= after)
        {
            return;
        }

        _lastPushed[streamId] = changes.Through;
        await hub.Clients.Group(LiveCoverageHub.Group(streamId)).SendAsync(LiveCoverageHub.ChangesMethod, changes, cancellationToken);
    }
}
