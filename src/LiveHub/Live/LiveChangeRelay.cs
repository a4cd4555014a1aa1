using System.Collections.Concurrent;
using LiveHub.Operations;
using Microsoft.AspNetCore.SignalR;

namespace LiveHub.Live;

/// <summary>
/// On every instance: reads change notices from the bus in commit order and hands each to its stream's
/// pump, which loads what changed since the stream's last push and pushes one <see cref="LiveChanges"/>
/// to the stream's group. Streams are pumped independently, one push at a time each, so pushes of a
/// stream stay in order while a slow read of one stream holds up no other.
/// </summary>
/// <remarks>
/// A group send is never awaited. SignalR writes to each connection of the group in turn, and a write
/// stays pending only where that connection's buffers are full (each connection has its own write lock,
/// so its messages keep their order); awaiting the send would hold every stream back until the slowest
/// client of this one drained or was dropped. A client that stops reading is closed by SignalR once one
/// send to it has waited <see cref="LiveOptions.SlowClientTimeout"/>, which bounds what it can hold on the
/// server; it reconnects and catches up by change number.
/// </remarks>
internal sealed class LiveChangeRelay(
    ILiveChangeBus bus,
    IServiceScopeFactory scopes,
    IHubContext<LiveCoverageHub> hub,
    LiveSubscriptions subscriptions,
    LiveFanOut fanOut,
    TimeProvider clock,
    LiveHubMetrics metrics,
    ILogger<LiveChangeRelay> logger) : BackgroundService
{
    private readonly Dictionary<Guid, StreamPump> _pumps = [];
    private readonly ConcurrentDictionary<Guid, Task> _running = new();
    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            await foreach (var notice in bus.ReadAllAsync(stoppingToken))
            {
                if (notice.IsResync)
                {
                    // Notices sent while the listener was away are lost: re-read every stream someone here watches.
                    foreach (var streamId in subscriptions.WatchedStreams)
                    {
                        Request(streamId, long.MaxValue);
                        PushQuestions(streamId);
                    }
                }
                else if (notice.Closed)
                {
                    Close(notice.StreamId);
                }
                else if (notice.Questions)
                {
                    PushQuestions(notice.StreamId);
                }
                else
                {
                    Request(notice.StreamId, notice.Change);
                }
            }
        }
        finally
        {
            await Task.WhenAll(_running.Values).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Asks for a push of the stream up to at least <paramref name="change"/> (<see cref="long.MaxValue"/>: whatever is there).</summary>
    private void Request(Guid streamId, long change)
    {
        StreamPump pump;
        lock (_pumps)
        {
            if (!_pumps.TryGetValue(streamId, out pump!))
            {
                // The first notice for a stream on this instance: its listeners joined after this instance
                // started, and their join read everything committed before, so start just before this change.
                pump = new StreamPump { Pushed = change == long.MaxValue ? 0 : change - 1 };
                _pumps.Add(streamId, pump);
            }

            if (change <= pump.Pushed)
            {
                return;
            }

            pump.Wanted = Math.Max(pump.Wanted, change);
            if (pump.Running)
            {
                // The running pump takes this change too: notices that arrive during a push are coalesced.
                return;
            }

            pump.Running = true;
        }

        _running[streamId] = Task.Run(() => PumpAsync(streamId, pump));
    }

    private async Task PumpAsync(Guid streamId, StreamPump pump)
    {
        while (true)
        {
            long after, wanted;
            lock (_pumps)
            {
                if (pump.Wanted <= pump.Pushed || _stopping.IsCancellationRequested)
                {
                    pump.Running = false;
                    return;
                }

                // Take the request: whatever is notified from now on asks for another round.
                after = pump.Pushed;
                wanted = pump.Wanted;
                pump.Wanted = 0;
            }

            long pushed;
            try
            {
                pushed = await PushAsync(streamId, after, wanted);
            }
            catch (Exception ex)
            {
                if (!_stopping.IsCancellationRequested)
                {
                    // A failed push is recovered by the client: it sees the gap in change numbers and catches up.
                    // The next notice for the stream retries from the last change pushed.
                    logger.LogWarning(ex, "Could not push changes after {Change} of stream {Stream}.", after, streamId);
                }

                lock (_pumps)
                {
                    pump.Running = false;
                }

                return;
            }

            lock (_pumps)
            {
                pump.Pushed = Math.Max(pump.Pushed, pushed);
            }
        }
    }

    /// <summary>Pushes the changes after <paramref name="after"/>; returns the last change it covered.</summary>
    private async Task<long> PushAsync(Guid streamId, long after, long wanted)
    {
        if (!fanOut.FleetWide && !subscriptions.HasListeners(streamId))
        {
            return wanted == long.MaxValue ? after : wanted;
        }

        LiveChanges? changes;
        await using (var scope = scopes.CreateAsyncScope())
        {
            changes = await scope.ServiceProvider.GetRequiredService<LiveQueries>().ChangesAsync(streamId, after, _stopping);
        }

        if (changes is null)
        {
            // The stream is no longer public; its closing notice may have been lost (the listener was away): close it here.
            Close(streamId);
            return wanted == long.MaxValue ? after : wanted;
        }

        if (changes.Through <= after)
        {
            return after;
        }

        _ = TimedAsync(hub.Clients.Group(LiveCoverageHub.Group(streamId)).SendAsync(LiveCoverageHub.ChangesMethod, changes, _stopping),
            streamId, changes, clock.GetTimestamp());
        return changes.Through;
    }

    /// <summary>
    /// The stream stopped being public: tells its listeners on this instance and takes them out of its group at
    /// once (the message is queued to each connection before it leaves the group), so nothing more reaches them.
    /// </summary>
    private void Close(Guid streamId)
    {
        var connections = subscriptions.RemoveStream(streamId);
        var group = LiveCoverageHub.Group(streamId);
        var closed = new LiveStreamClosed(streamId, ClosedReason);
        if (fanOut.FleetWide)
        {
            // Only this instance hears of the closing: tell the viewers of every instance through the backplane (their
            // pages stop and disconnect). They stay in the group until they go (taking this instance's out now could
            // beat the message on its way back from Redis), but nothing more is pushed while the stream is not
            // public: every push reads the stream first (PushAsync).
            _ = ObserveAsync(hub.Clients.Group(group).SendAsync(LiveCoverageHub.ClosedMethod, closed, _stopping), streamId, 0);
            logger.LogInformation("Closed live stream {Stream} for its viewers on every instance.", streamId);
            return;
        }
        else if (connections.Count > 0)
        {
            _ = ObserveAsync(hub.Clients.Clients(connections).SendAsync(LiveCoverageHub.ClosedMethod, closed, _stopping), streamId, 0);
        }

        if (connections.Count == 0)
        {
            return;
        }

        foreach (var connectionId in connections)
        {
            _ = ObserveAsync(hub.Groups.RemoveFromGroupAsync(connectionId, group, _stopping), streamId, 0);
        }

        logger.LogInformation("Closed live stream {Stream} for {Count} connection(s) on this instance.", streamId, connections.Count);
    }

    /// <summary>
    /// Sends the stream's approved questions, the whole list, to its listeners here (with the Redis backplane, on every
    /// instance). Pushes may overtake each other;
    /// clients keep the list with the highest revision, and re-read it after every (re)join.
    /// </summary>
    private void PushQuestions(Guid streamId)
    {
        if (!fanOut.FleetWide && !subscriptions.HasListeners(streamId))
        {
            return;
        }

        _ = ObserveAsync(SendQuestionsAsync(streamId), streamId, 0);
    }

    private async Task SendQuestionsAsync(Guid streamId)
    {
        Questions.PublicQuestionList? list;
        await using (var scope = scopes.CreateAsyncScope())
        {
            list = await scope.ServiceProvider.GetRequiredService<Questions.QuestionQueries>().PublicListAsync(streamId, _stopping);
        }

        if (list is not null)
        {
            await hub.Clients.Group(LiveCoverageHub.Group(streamId)).SendAsync(LiveCoverageHub.QuestionsMethod, list, _stopping);
        }
    }

    public const string ClosedReason = "This live coverage is no longer available.";

    private async Task TimedAsync(Task sending, Guid streamId, LiveChanges changes, long startedAt)
    {
        await ObserveAsync(sending, streamId, changes.Through);
        metrics.PushSent(clock.GetElapsedTime(startedAt), changes.Posts.Count);
    }

    private async Task ObserveAsync(Task sending, Guid streamId, long through)
    {
        try
        {
            await sending;
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not push change {Change} of stream {Stream}.", through, streamId);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class StreamPump
    {
        /// <summary>The last change pushed (or passed over while nobody here listened).</summary>
        public long Pushed;

        /// <summary>The highest change notified since the pump last read the stream (0: none).</summary>
        public long Wanted;

        public bool Running;
    }
}
