using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace LiveHub.Tests.Reliability;

/// <summary>What a client holds of one post: its latest state as of the change it last applied.</summary>
public readonly record struct MirroredPost(Guid Id, int Sequence, long Change, int Version, bool Deleted, string? Body);

/// <summary>
/// A lean live-coverage client for load tests: one WebSocket and one receive loop, speaking the SignalR
/// JSON protocol directly (so a thousand of them fit beside the server on two cores). It behaves like the
/// browser client: it joins with the last change it applied, applies a message only if it starts where
/// the client is (<c>after</c> ≤ last applied), and after a gap re-joins with its last change to catch up.
/// It counts everything that would be a defect: a change applied twice or out of order, a post numbered
/// outside its message's range, a reset, a failed invocation.
/// </summary>
public sealed class StormClient(Uri hub, Guid streamId, HttpMessageInvoker invoker)
{
    private const byte RecordSeparator = 0x1e;
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");

    private readonly Dictionary<Guid, MirroredPost> _posts = [];
    private readonly string _stream = streamId.ToString();
    private ClientWebSocket? _socket;
    private Task _receiving = Task.CompletedTask;
    private TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _buffer = new byte[8 * 1024];
    private long _lastApplied;
    private long _lastChangeApplied;
    private long _highestSeen;
    private bool _joinPending;
    private int _invocations;
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

    /// <summary>A post numbered outside its message's (after, through] range, a reset, or an error answer.</summary>
    public List<string> Violations { get; } = [];

    /// <summary>Connections lost that the test did not drop.</summary>
    public int UnexpectedDrops { get; private set; }

    public IReadOnlyCollection<MirroredPost> Posts => _posts.Values;

    public bool Connected => _socket is { State: WebSocketState.Open } && !_receiving.IsCompleted;

    /// <summary>Connects and joins with the last change applied; returns the time until the answer was applied.</summary>
    public async Task<TimeSpan> ConnectAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        _dropping = false;
        _joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(hub, invoker, cancellationToken);
            await socket.SendAsync(Handshake, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            _socket = socket;
            _joinPending = true;
            await SendJoinAsync(cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _receiving = ReceiveAsync(socket);
        await _joined.Task.WaitAsync(cancellationToken);
        return clock.Elapsed;
    }

    /// <summary>Drops the connection without a goodbye, like a phone losing signal.</summary>
    public Task DropAsync()
    {
        _dropping = true;
        _socket?.Abort();
        return _receiving;
    }

    private Task SendJoinAsync(CancellationToken cancellationToken)
    {
        Joins++;
        var id = (++_invocations).ToString(CultureInfo.InvariantCulture);
        var json = $"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":\"Join\",\"arguments\":[\"{_stream}\",{_lastApplied}]}}\u001e";
        return _socket!.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    private async Task ReceiveAsync(ClientWebSocket socket)
    {
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                var result = await socket.ReceiveAsync(_buffer.AsMemory(filled), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                filled += result.Count;
                var start = 0;
                int end;
                while ((end = Array.IndexOf(_buffer, RecordSeparator, start, filled - start)) >= 0)
                {
                    await HandleAsync(_buffer.AsMemory(start, end - start));
                    start = end + 1;
                }

                Buffer.BlockCopy(_buffer, start, _buffer, 0, filled - start);
                filled -= start;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (Exception ex)
        {
            Violations.Add($"client failed: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            socket.Dispose();
            if (!_dropping)
            {
                UnexpectedDrops++;
                _joined.TrySetException(new InvalidOperationException("The connection closed before the join was answered."));
            }
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> record)
    {
        using var document = JsonDocument.Parse(record);
        var message = document.RootElement;
        if (!message.TryGetProperty("type", out var type))
        {
            if (message.TryGetProperty("error", out var refused))
            {
                Violations.Add($"handshake refused: {refused}");
            }

            return;
        }

        switch (type.GetInt32())
        {
            case 1 when message.GetProperty("target").ValueEquals("changes"):
                Apply(message.GetProperty("arguments")[0], isJoinAnswer: false);
                break;
            case 3:
                _joinPending = false;
                if (message.TryGetProperty("error", out var error))
                {
                    Violations.Add($"join failed: {error}");
                }
                else
                {
                    Apply(message.GetProperty("result"), isJoinAnswer: true);
                }

                _joined.TrySetResult();
                break;
        }

        if (_highestSeen > _lastApplied && !_joinPending && !_dropping)
        {
            CatchUps++;
            _joinPending = true;
            await SendJoinAsync(CancellationToken.None);
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
