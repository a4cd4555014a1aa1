using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace LiveHub.Tests.Live;

/// <summary>
/// A minimal SignalR client speaking the JSON hub protocol over a WebSocket, as a browser would:
/// handshake, invocations with completions, and server-to-client invocations. It exists so the tests
/// exercise the real wire format (the .NET SignalR client package is not on this package source).
/// </summary>
public sealed class SignalRJsonClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly WebSocket _socket;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Channel<(string Target, JsonElement[] Arguments)> _invocations = Channel.CreateUnbounded<(string, JsonElement[])>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private readonly TaskCompletionSource<JsonElement> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;

    /// <summary>Completes when the connection has ended (closed by either side or dropped).</summary>
    public Task Ended => _receiving;

    /// <summary>The server's close message (SignalR type 7, with its error if any), once it arrives.</summary>
    public Task<JsonElement> Closed => _closed.Task;

    private SignalRJsonClient(WebSocket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    public static async Task<SignalRJsonClient> ConnectAsync(WebSocket socket)
    {
        var client = new SignalRJsonClient(socket);
        var handshake = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        client._pending["handshake"] = handshake;
        await client.SendAsync("""{"protocol":"json","version":1}""");
        var reply = await handshake.Task.WaitAsync(TimeSpan.FromSeconds(10));
        if (reply.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"Handshake refused: {error}");
        }

        return client;
    }

    public async Task<JsonElement> InvokeAsync(string target, params object?[] arguments)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        await SendAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments }, JsonSerializerOptions.Web));
        var message = await completion.Task.WaitAsync(TimeSpan.FromSeconds(15));
        if (message.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"{target} failed: {error.GetString()}");
        }

        return message.TryGetProperty("result", out var result) ? result : default;
    }

    /// <summary>The next server-to-client invocation of <paramref name="target"/>.</summary>
    public async Task<JsonElement> NextAsync(string target, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var (name, arguments) = await _invocations.Reader.ReadAsync(cancel.Token);
            if (name == target)
            {
                return arguments[0];
            }
        }
    }

    /// <summary>True if a message for <paramref name="target"/> arrives within the time.</summary>
    public async Task<bool> ReceivesWithinAsync(string target, TimeSpan time)
    {
        try
        {
            await NextAsync(target, time);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private Task SendAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, _stop.Token);

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var pending = new StringBuilder();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                pending.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                var text = pending.ToString();
                var end = text.LastIndexOf(RecordSeparator);
                if (end < 0)
                {
                    continue;
                }

                pending.Clear().Append(text[(end + 1)..]);
                foreach (var record in text[..end].Split(RecordSeparator))
                {
                    Dispatch(JsonDocument.Parse(record).RootElement.Clone());
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        finally
        {
            _invocations.Writer.TryComplete();
            foreach (var waiting in _pending.Values)
            {
                waiting.TrySetException(new InvalidOperationException("The connection closed."));
            }
        }
    }

    private void Dispatch(JsonElement message)
    {
        if (!message.TryGetProperty("type", out var type))
        {
            if (_pending.TryRemove("handshake", out var handshake))
            {
                handshake.TrySetResult(message);
            }

            return;
        }

        switch (type.GetInt32())
        {
            case 1:
                _invocations.Writer.TryWrite((message.GetProperty("target").GetString()!, [.. message.GetProperty("arguments").EnumerateArray()]));
                break;
            case 3 when _pending.TryRemove(message.GetProperty("invocationId").GetString()!, out var completion):
                completion.TrySetResult(message);
                break;
            case 7:
                _closed.TrySetResult(message);
                break;
        }
    }

    /// <summary>Drops the connection without a goodbye, like a phone losing signal.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _stop.Dispose();
    }
}
