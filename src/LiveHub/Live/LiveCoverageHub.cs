using System.Collections.Concurrent;
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
public sealed class LiveCoverageHub(LiveHubDbContext db, LiveQueries queries, LiveCoverage coverage, LiveSubscriptions subscriptions) : Hub
{
    public const string ChangesMethod = "changes";

    public static string Group(Guid streamId) => $"stream:{streamId:N}";

    /// <param name="stream">A stream id, "event:{slug}" or "session:{id}".</param>
    /// <param name="after">The last change this client applied, or 0 for a fresh start.</param>
    public async Task<LiveChanges> Join(string stream, long after = 0)
    {
        var streamId = await ResolveAsync(stream) ?? throw new HubException($"There is no live stream '{stream}'.");
        // Join the group before reading, so nothing committed in between is missed; anything seen
        // twice is ignored by the client, which applies changes by number.
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(streamId));
        subscriptions.Add(Context.ConnectionId, streamId);
        return await queries.ChangesAsync(streamId, after, Context.ConnectionAborted, snapshot: after <= 0)
            ?? throw new HubException($"There is no live stream '{stream}'.");
    }

    public async Task Leave(Guid streamId)
    {
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(streamId));
        subscriptions.Remove(Context.ConnectionId, streamId);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        subscriptions.RemoveConnection(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    private async Task<Guid?> ResolveAsync(string stream)
    {
        if (Guid.TryParse(stream, out var id))
        {
            return await db.LiveStreams.Where(s => s.Id == id && s.Event!.IsPublished).Select(s => (Guid?)s.Id).FirstOrDefaultAsync();
        }

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

/// <summary>Which streams have listeners on this instance, so the relay only reads what someone will receive.</summary>
public sealed class LiveSubscriptions
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, byte>> _byConnection = new();
    private readonly ConcurrentDictionary<Guid, int> _listeners = new();

    public void Add(string connectionId, Guid streamId)
    {
        if (_byConnection.GetOrAdd(connectionId, _ => new()).TryAdd(streamId, 0))
        {
            _listeners.AddOrUpdate(streamId, 1, (_, n) => n + 1);
        }
    }

    public void Remove(string connectionId, Guid streamId)
    {
        if (_byConnection.TryGetValue(connectionId, out var streams) && streams.TryRemove(streamId, out _))
        {
            _listeners.AddOrUpdate(streamId, 0, (_, n) => Math.Max(0, n - 1));
        }
    }

    public void RemoveConnection(string connectionId)
    {
        if (_byConnection.TryRemove(connectionId, out var streams))
        {
            foreach (var streamId in streams.Keys)
            {
                _listeners.AddOrUpdate(streamId, 0, (_, n) => Math.Max(0, n - 1));
            }
        }
    }

    public bool HasListeners(Guid streamId) => ListenerCount(streamId) > 0;

    public int ListenerCount(Guid streamId) => _listeners.TryGetValue(streamId, out var n) ? n : 0;

    public IReadOnlyCollection<Guid> WatchedStreams => [.. _listeners.Where(kv => kv.Value > 0).Select(kv => kv.Key)];
}
