using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using LiveHub.Live;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveHub.Tests.Reliability;

/// <summary>What a client holds of one post: its latest state as of the change it last applied.</summary>
public readonly record struct MirroredPost(Guid Id, int Sequence, long Change, int Version, bool Deleted, string? Body);

/// <summary>
/// A live-coverage client for the reconnect storm, on the .NET SignalR client (negotiate, then WebSockets). A
/// thousand of these fit beside the server on two cores: in a rough measure against the raw-socket JSON-protocol
/// client this replaced, they cost about the same CPU to connect and idle, up to ~40% more for a reconnect of all
/// at once, and ~80 MB more memory; the storm's CPU varied more from run to run than between the two clients.
/// (The load tool in bench/LiveHub.Load, with up to 19,500 clients, keeps raw sockets.) It behaves like the browser client: it joins with the last change it applied, applies a
/// message only if it starts where the client is (<c>after</c> ≤ last applied), and after a gap re-joins with its
/// last change to catch up. It counts everything that would be a defect: a change applied twice or out of order,
/// a post numbered outside its message's range, a reset, a failed join.
/// </summary>
public sealed class StormClient(Uri hub, Guid streamId, HttpMessageInvoker socketInvoker)
{
    private readonly Dictionary<Guid, MirroredPost> _posts = [];
    private readonly string _stream = streamId.ToString();
    private readonly Lock _gate = new();
    private HubConnection? _connection;
    private WebSocket? _socket;
    private TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastApplied;
    private long _lastChangeApplied;
    private long _highestSeen;
    private bool _joinPending;
    private volatile bool _dropping;

    public long LastApplied => Volatile.Read(ref _lastApplied);

    public int Joins { get; private set; }

    /// <summary>Re-joins sent because a push started after the last change applied.</summary>
    public int CatchUps { get; private set; }

    /// <summary>Pushes that started after the last applied change (each one is followed by a catch-up).</summary>
    public int Gaps { get; private set; }

    /// <summary>Posts in a message at or below the last applied change, ignored: the join/push overlap.</summary>
    public int AlreadyApplied { get; private set; }

    public int Duplicates { get; private set; }

    public int OutOfOrder { get; private set; }

    /// <summary>A post numbered outside its message's (after, through] range, a reset, or a failed join.</summary>
    public List<string> Violations { get; } = [];

    /// <summary>Connections lost that the test did not drop.</summary>
    public int UnexpectedDrops { get; private set; }

    public IReadOnlyCollection<MirroredPost> Posts => _posts.Values;

    public bool Connected => _connection is { State: HubConnectionState.Connected };

    /// <summary>Connects and joins with the last change applied; returns the time until the answer was applied.</summary>
    public async Task<TimeSpan> ConnectAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        _dropping = false;
        var closed = _closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = _connection = new HubConnectionBuilder()
            .WithUrl(hub, HttpTransportType.WebSockets, options => options.WebSocketFactory = async (context, cancel) =>
            {
                var socket = new ClientWebSocket();
                try
                {
                    await socket.ConnectAsync(context.Uri, socketInvoker, cancel);
                    return _socket = socket;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            })
            .Build();
        // The storm's own deadline bounds a reconnect; with a thousand handshakes queued on two cores the default 15 s could be too short.
        connection.HandshakeTimeout = TimeSpan.FromSeconds(60);
        connection.On<JsonElement>(LiveCoverageHub.ChangesMethod, changes => OnPush(connection, changes));
        connection.Closed += error =>
        {
            if (!_dropping)
            {
                lock (_gate)
                {
                    UnexpectedDrops++;
                    Violations.Add($"connection lost: {error?.Message}");
                }
            }

            closed.TrySetResult();
            return Task.CompletedTask;
        };

        await connection.StartAsync(cancellationToken);
        await JoinAsync(connection, cancellationToken);
        return clock.Elapsed;
    }

    /// <summary>Drops the connection without a goodbye, like a phone losing signal: the WebSocket under the SignalR client is aborted.</summary>
    public async Task DropAsync()
    {
        if (_connection is not { } connection)
        {
            return;
        }

        _dropping = true;
        _socket?.Abort();
        if (connection.State != HubConnectionState.Disconnected)
        {
            await _closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        await connection.DisposeAsync();
    }

    private void OnPush(HubConnection connection, JsonElement changes)
    {
        bool catchUp;
        lock (_gate)
        {
            Apply(changes, isJoinAnswer: false);
            catchUp = _highestSeen > _lastApplied && !_joinPending && !_dropping;
            if (catchUp)
            {
                CatchUps++;
            }
        }

        // Not awaited: pushes keep being applied while the catch-up join is under way, as in the browser.
        if (catchUp)
        {
            _ = JoinAsync(connection, CancellationToken.None);
        }
    }

    private async Task JoinAsync(HubConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            long after;
            lock (_gate)
            {
                _joinPending = true;
                Joins++;
                after = _lastApplied;
            }

            JsonElement answer;
            try
            {
                answer = await connection.InvokeAsync<JsonElement>("Join", _stream, after, cancellationToken);
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    _joinPending = false;
                    if (!_dropping)
                    {
                        Violations.Add($"join failed: {ex.GetType().Name}: {ex.Message}");
                    }
                }

                return;
            }

            lock (_gate)
            {
                Apply(answer, isJoinAnswer: true);
                // Still behind if a push that started after a gap arrived while this join was under way.
                if (_highestSeen <= _lastApplied || _dropping)
                {
                    _joinPending = false;
                    return;
                }

                CatchUps++;
            }
        }
    }

    private void Apply(JsonElement changes, bool isJoinAnswer)
    {
        var after = changes.GetProperty("after").GetInt64();
        var through = changes.GetProperty("through").GetInt64();
        if (changes.GetProperty("reset").GetBoolean())
        {
            Violations.Add($"reset at {through} while holding {_lastApplied}");
        }

        _highestSeen = Math.Max(_highestSeen, through);
        if (after > _lastApplied)
        {
            Gaps++;
            return;
        }

        // The first join of a fresh client answers with a snapshot (posts by sequence, not by change).
        var snapshot = isJoinAnswer && _lastApplied == 0;
        foreach (var post in changes.GetProperty("posts").EnumerateArray())
        {
            var change = post.GetProperty("changeSequence").GetInt64();
            if (change > through || (!snapshot && change <= after))
            {
                Violations.Add($"post at change {change} in a message for ({after}, {through}]");
            }

            if (change <= _lastApplied)
            {
                AlreadyApplied++;
                continue;
            }

            if (!snapshot)
            {
                if (change == _lastChangeApplied)
                {
                    Duplicates++;
                }
                else if (change < _lastChangeApplied)
                {
                    OutOfOrder++;
                }

                _lastChangeApplied = change;
            }

            var id = post.GetProperty("id").GetGuid();
            if (_posts.TryGetValue(id, out var held) && held.Change >= change)
            {
                Duplicates++;
            }

            _posts[id] = new MirroredPost(
                id,
                post.GetProperty("sequence").GetInt32(),
                change,
                post.GetProperty("version").GetInt32(),
                post.GetProperty("deleted").GetBoolean(),
                post.GetProperty("body").GetString());
        }

        if (through > _lastApplied)
        {
            _lastChangeApplied = Math.Max(_lastChangeApplied, snapshot ? through : _lastChangeApplied);
            Volatile.Write(ref _lastApplied, through);
        }
    }
}
