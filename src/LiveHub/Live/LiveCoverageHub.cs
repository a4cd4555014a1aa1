using LiveHub.Operations;
using LiveHub.Data;
using LiveHub.Events;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Live;

/// <summary>
/// The public real-time endpoint (/hubs/live). A client joins a stream and gets its state, then
/// receives "changes" pushes; after a reconnect it joins again with the last change it applied and
/// receives exactly what it missed. Every message is a <see cref="LiveChanges"/>.
/// </summary>
public sealed class LiveCoverageHub(LiveHubDbContext db, LiveQueries queries, LiveCoverage coverage, LiveSubscriptions subscriptions, LiveConnectionLimits limits,
    LiveHubMetrics metrics) : Hub
{
    public const string ChangesMethod = "changes";

    /// <summary>A stream's approved audience questions, the whole list (<see cref="Questions.PublicQuestionList"/>).</summary>
    public const string QuestionsMethod = "questions";

    /// <summary>Sent to a stream's clients when it stops being public (unpublished or removed); they are out of its group.</summary>
    public const string ClosedMethod = "closed";

    /// <summary>Hub errors that mean "do not retry": the stream is not (or no longer) public.</summary>
    public const string UnavailablePrefix = "stream-unavailable:";

    private const string AddressItem = "livehub.address";
    private const string JoinBudgetItem = "livehub.joins";
    private const string RefusedJoinsItem = "livehub.refused-joins";

    /// <summary>Joins refused for rate on one connection before it is closed.</summary>
    public const int RefusedJoinsBeforeClose = 5;

    public static string Group(Guid streamId) => $"stream:{streamId:N}";

    public override async Task OnConnectedAsync()
    {
        var address = LiveConnectionLimits.AddressKey(Context.GetHttpContext()?.Connection.RemoteIpAddress);
        if (!limits.TryOpen(address))
        {
            // Throwing here closes the connection with this message and tells the client not to reconnect at once.
            throw new HubException("Too many live connections from your network address; close some tabs or try again later.");
        }

        Context.Items[AddressItem] = address;
        Context.Items[JoinBudgetItem] = limits.NewConnectionBudget();
        await base.OnConnectedAsync();
    }

    /// <param name="stream">A stream id, "event:{slug}" or "session:{id}".</param>
    /// <param name="after">The last change this client applied, or 0 for a fresh start.</param>
    /// <returns>A <see cref="LiveChanges"/> (see <see cref="LiveJoinAnswer"/>).</returns>
    public async Task<LiveJoinAnswer> Join(string stream, long after = 0)
    {
        if (Context.Items[JoinBudgetItem] is LiveConnectionLimits.TokenBucket budget && Context.Items[AddressItem] is string address
            && limits.TryJoin(budget, address) is { } refusal)
        {
            // A client that keeps flooding after being told is closed: each refusal also costs a log line.
            var refused = (Context.Items[RefusedJoinsItem] as int? ?? 0) + 1;
            Context.Items[RefusedJoinsItem] = refused;
            if (refused >= RefusedJoinsBeforeClose)
            {
                Context.Abort();
            }

            throw new HubException(refusal);
        }

        // A stream id is checked by the read below (which reads the stream anyway); names are resolved to one first.
        var streamId = Guid.TryParse(stream, out var id) ? id : await ResolveAsync(stream) ?? throw Unavailable(stream);
        // Join the group before reading, so nothing committed in between is missed; anything seen
        // twice is ignored by the client, which applies changes by number. The read also checks again
        // that the stream is public: if it was closed in between, the closing either came after this
        // subscription (and removed it) or is seen here.
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(streamId));
        subscriptions.Add(Context.ConnectionId, streamId);
        var answer = after <= 0
            ? await queries.JoinSnapshotAsync(streamId, Context.ConnectionAborted) is { } snapshot ? new LiveJoinAnswer(snapshot.Changes, snapshot.Json) : null
            : await queries.ChangesAsync(streamId, after, Context.ConnectionAborted) is { } changes ? new LiveJoinAnswer(changes, null) : null;
        if (answer is null)
        {
            await Leave(streamId);
            throw Unavailable(stream);
        }

        metrics.Joined(answer.Changes.Posts.Count, snapshot: after <= 0);
        return answer;
    }

    public async Task Leave(Guid streamId)
    {
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(streamId));
        subscriptions.Remove(Context.ConnectionId, streamId);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        subscriptions.RemoveConnection(Context.ConnectionId);
        if (Context.Items[AddressItem] is string address)
        {
            limits.Close(address);
        }

        return base.OnDisconnectedAsync(exception);
    }

    private static HubException Unavailable(string stream) =>
        new($"{UnavailablePrefix} There is no live stream '{stream}' open to the public: it does not exist, is not published, or has been removed.");

    private async Task<Guid?> ResolveAsync(string stream)
    {
        if (stream.StartsWith("event:", StringComparison.Ordinal))
        {
            var slug = stream["event:".Length..];
            var e = await db.Events.FirstOrDefaultAsync(x => x.Slug == slug && x.IsPublished);
            return e is null ? null : (await coverage.GetOrCreateStreamAsync(e, null, Context.ConnectionAborted)).Id;
        }

        if (stream.StartsWith("session:", StringComparison.Ordinal) && Guid.TryParse(stream["session:".Length..], out var sessionId))
        {
            var session = await db.Sessions.Include(s => s.Event).FirstOrDefaultAsync(s => s.Id == sessionId && s.Event!.IsPublished);
            return session is null ? null : (await coverage.GetOrCreateStreamAsync(session.Event!, session, Context.ConnectionAborted)).Id;
        }

        return null;
    }
}

/// <summary>Which streams have listeners on this instance (and which connections), so the relay only reads what someone will receive and can close a stream.</summary>
public sealed class LiveSubscriptions
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<Guid>> _byConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, HashSet<string>> _byStream = [];

    public void Add(string connectionId, Guid streamId)
    {
        lock (_gate)
        {
            if (!_byConnection.TryGetValue(connectionId, out var streams))
            {
                _byConnection[connectionId] = streams = [];
            }

            if (streams.Add(streamId))
            {
                if (!_byStream.TryGetValue(streamId, out var connections))
                {
                    _byStream[streamId] = connections = new(StringComparer.Ordinal);
                }

                connections.Add(connectionId);
            }
        }
    }

    public void Remove(string connectionId, Guid streamId)
    {
        lock (_gate)
        {
            if (_byConnection.TryGetValue(connectionId, out var streams) && streams.Remove(streamId))
            {
                RemoveListener(streamId, connectionId);
            }
        }
    }

    public void RemoveConnection(string connectionId)
    {
        lock (_gate)
        {
            if (_byConnection.Remove(connectionId, out var streams))
            {
                foreach (var streamId in streams)
                {
                    RemoveListener(streamId, connectionId);
                }
            }
        }
    }

    /// <summary>Forgets every listener of the stream on this instance; returns their connections.</summary>
    public IReadOnlyList<string> RemoveStream(Guid streamId)
    {
        lock (_gate)
        {
            if (!_byStream.Remove(streamId, out var connections))
            {
                return [];
            }

            foreach (var connectionId in connections)
            {
                if (_byConnection.TryGetValue(connectionId, out var streams))
                {
                    streams.Remove(streamId);
                }
            }

            return [.. connections];
        }
    }

    public bool HasListeners(Guid streamId) => ListenerCount(streamId) > 0;

    /// <summary>Connections per watched stream on this instance.</summary>
    public IReadOnlyDictionary<Guid, int> ListenerCounts()
    {
        lock (_gate)
        {
            return _byStream.ToDictionary(s => s.Key, s => s.Value.Count);
        }
    }

    public int ListenerCount(Guid streamId)
    {
        lock (_gate)
        {
            return _byStream.TryGetValue(streamId, out var connections) ? connections.Count : 0;
        }
    }

    public IReadOnlyCollection<Guid> WatchedStreams
    {
        get
        {
            lock (_gate)
            {
                return [.. _byStream.Keys];
            }
        }
    }

    private void RemoveListener(Guid streamId, string connectionId)
    {
        if (_byStream.TryGetValue(streamId, out var connections) && connections.Remove(connectionId) && connections.Count == 0)
        {
            _byStream.Remove(streamId);
        }
    }
}
