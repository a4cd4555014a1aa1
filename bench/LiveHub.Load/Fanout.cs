using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace LiveHub.Load;

/// <summary>
/// Every post's body starts with <c>LOADPOST-nnnnnn-</c>; a client that receives a message scans it
/// for that marker (in a SignalR push it appears in the body and in the rendered HTML) and stamps
/// its slot for that post with the receive time. Slots are per client and post, so the receive path
/// takes no lock and allocates nothing.
/// </summary>
public sealed class DeliveryRecorder(int clients, int posts)
{
    public static ReadOnlySpan<byte> Marker => "LOADPOST-"u8;

    public const int IdDigits = 6;

    private readonly long[] _received = new long[clients * posts];
    private long _deliveries;
    private long _duplicates;
    private long _messages;
    private long _bytes;

    public int Clients => clients;

    public int Posts => posts;

    public long[] SentAt { get; } = new long[posts];

    public long Deliveries => Interlocked.Read(ref _deliveries);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long Messages => Interlocked.Read(ref _messages);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The first post-carrying message client 0 received, for --print-frame.</summary>
    public string? FirstFrame { get; private set; }

    public long ReceivedAt(int post, int client) => _received[(post * clients) + client];

    public static string Stamp(int post) => $"LOADPOST-{post.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)}-";

    public void OnMessage(int client, ReadOnlySpan<byte> message, long now)
    {
        Span<int> seen = stackalloc int[32];
        var seenCount = 0;
        var rest = message;
        while (true)
        {
            var at = rest.IndexOf(Marker);
            if (at < 0 || rest.Length < at + Marker.Length + IdDigits)
            {
                return;
            }

            rest = rest[(at + Marker.Length)..];
            if (!Utf8Parser.TryParse(rest[..IdDigits], out int post, out var consumed) || consumed != IdDigits || post < 0 || post >= posts)
            {
                continue;
            }

            rest = rest[IdDigits..];
            if (seen[..seenCount].Contains(post))
            {
                continue; // the same post's body and HTML within one message
            }

            if (seenCount == 0 && client == 0 && FirstFrame is null)
            {
                FirstFrame = Encoding.UTF8.GetString(message);
            }

            if (seenCount == 0)
            {
                // Frame size of the messages that carry posts (not pings or other pushes).
                Interlocked.Increment(ref _messages);
                Interlocked.Add(ref _bytes, message.Length);
            }

            if (seenCount < seen.Length)
            {
                seen[seenCount++] = post;
            }

            ref var slot = ref _received[(post * clients) + client];
            if (slot != 0)
            {
                Interlocked.Increment(ref _duplicates);
            }
            else
            {
                slot = now;
                Interlocked.Increment(ref _deliveries);
            }
        }
    }
}

/// <summary>HTTP invokers bound to loopback source addresses, for clients spread over several addresses.</summary>
public static class LoopbackInvokers
{
    /// <summary>
    /// One handler per loopback source address (127.0.0.1, .2, ...), so the connections spread over several ephemeral
    /// port ranges and per-address limits; linger 0 closes with RST and leaves no TIME_WAIT behind.
    /// </summary>
    public static HttpMessageInvoker[] Create(int sourceAddresses) =>
        [.. Enumerable.Range(1, sourceAddresses).Select(i => new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0) };
                try
                {
                    socket.Bind(new IPEndPoint(new IPAddress([127, 0, 0, (byte)i]), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        }))];
}

/// <summary>One WebSocket with its receive buffer.</summary>
public sealed class LoadConnection(int index, ClientWebSocket socket)
{
    public int Index { get; } = index;

    public ClientWebSocket Socket { get; } = socket;

    public byte[] Buffer { get; set; } = new byte[4096];

    public Task? Receiving { get; set; }

    public bool Dropped { get; set; }
}

/// <summary>Opens and holds N WebSockets to one server, SignalR JSON or bare.</summary>
/// <remarks>
/// Raw sockets speaking the SignalR JSON protocol, not the .NET SignalR client: this tool holds 2,500–19,500
/// connections in one process on the same two cores as the server it measures, so each client must cost next to
/// nothing. A HubConnection brings its own HTTP client for negotiate, pipes, a 1 s timer and a dispatch loop; at
/// 1,000 clients it already took ~40% more CPU than a raw socket to reconnect and ~80 MB more memory
/// (tests/LiveHub.Tests/Reliability/StormClient.cs, which does use it), and all of that would be charged to the
/// machine the server's figures come from. The bare floor server speaks no SignalR at all.
/// </remarks>
public sealed class Fanout : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");
    private readonly LoadOptions _options;
    private readonly DeliveryRecorder _recorder;
    private readonly HttpMessageInvoker[] _invokers;
    private readonly LoadConnection?[] _connections;
    private readonly CancellationTokenSource _stop = new();
    private Task? _pinging;
    private int _connectFailures;

    public Fanout(LoadOptions options, DeliveryRecorder recorder)
    {
        _options = options;
        _recorder = recorder;
        _connections = new LoadConnection?[options.Connections];
        _invokers = LoopbackInvokers.Create(options.SourceAddresses);
    }

    public int Connected => _connections.Count(c => c is not null && !c.Dropped);

    public int ConnectFailures => _connectFailures;

    public int Dropped => _connections.Count(c => c is { Dropped: true });

    /// <summary>Opens every connection (and for SignalR, handshakes and joins), at most ConnectRate per second.</summary>
    public async Task ConnectAllAsync(string? streamId, Action<int>? progress)
    {
        // Viewers are spread over the instances round-robin: connection i watches through instance i % Instances.
        var uris = _options.InstanceUrls.Select(url => _options.Target == Target.Bare ? new Uri(ToWs(url), "ws") : new Uri(ToWs(url), "hubs/live")).ToArray();
        var join = streamId is null ? null : Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"Join\",\"arguments\":[\"{streamId}\",0]}}\u001e");
        var started = Stopwatch.GetTimestamp();
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, _options.Connections),
            new ParallelOptions { MaxDegreeOfParallelism = _options.ConnectConcurrency },
            async (i, cancellationToken) =>
            {
                var due = TimeSpan.FromSeconds((double)i / _options.ConnectRate) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cancellationToken);
                }

                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        var connection = await OpenAsync(i, uris[i % uris.Length], join, cancellationToken);
                        _connections[i] = connection;
                        connection.Receiving = ReceiveLoopAsync(connection);
                        break;
                    }
                    catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or InvalidOperationException or TimeoutException or OperationCanceledException)
                    {
                        if (attempt == 3)
                        {
                            Interlocked.Increment(ref _connectFailures);
                            Console.Error.WriteLine($"connection {i} failed: {ex.Message}");
                            break;
                        }

                        await Task.Delay(200 * attempt, cancellationToken);
                    }
                }

                var count = Interlocked.Increment(ref done);
                if (count % 1000 == 0)
                {
                    progress?.Invoke(count);
                }
            });

        if (_options.Target == Target.LiveHub)
        {
            _pinging = PingLoopAsync();
        }
    }

    private async Task<LoadConnection> OpenAsync(int index, Uri uri, byte[]? join, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan;
        var connection = new LoadConnection(index, socket);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            await socket.ConnectAsync(uri, _invokers[index % _invokers.Length], timeout.Token);
            if (join is null)
            {
                return connection;
            }

            await socket.SendAsync(Handshake, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var handshake = await ReadMessageAsync(connection, timeout.Token);
            if (handshake.AsSpan().IndexOf("\"error\""u8) >= 0)
            {
                throw new InvalidOperationException("Handshake refused: " + Encoding.UTF8.GetString(handshake));
            }

            await socket.SendAsync(join, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            while (true)
            {
                var message = await ReadMessageAsync(connection, timeout.Token);
                foreach (var record in Records(message))
                {
                    if (record.StartsWith("{\"type\":3,"u8))
                    {
                        if (record.IndexOf("\"result\":"u8) < 0)
                        {
                            throw new InvalidOperationException("Join failed: " + Encoding.UTF8.GetString(record));
                        }

                        return connection;
                    }
                }
            }
        }
        catch
        {
            socket.Abort();
            socket.Dispose();
            throw;
        }
    }

    private static List<byte[]> Records(byte[] message)
    {
        var records = new List<byte[]>();
        var rest = message.AsSpan();
        while (rest.Length > 0)
        {
            var end = rest.IndexOf(RecordSeparator);
            if (end < 0)
            {
                break;
            }

            records.Add(rest[..end].ToArray());
            rest = rest[(end + 1)..];
        }

        return records;
    }

    /// <summary>One whole WebSocket message (set-up only; the steady loop does not allocate).</summary>
    private static async Task<byte[]> ReadMessageAsync(LoadConnection connection, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (true)
        {
            var result = await connection.Socket.ReceiveAsync(connection.Buffer.AsMemory(filled), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("Closed by the server during set-up.");
            }

            filled += result.Count;
            if (result.EndOfMessage)
            {
                return connection.Buffer[..filled];
            }

            Grow(connection, filled);
        }
    }

    private static void Grow(LoadConnection connection, int filled)
    {
        if (filled == connection.Buffer.Length)
        {
            var bigger = new byte[connection.Buffer.Length * 2];
            connection.Buffer.AsSpan(0, filled).CopyTo(bigger);
            connection.Buffer = bigger;
        }
    }

    private async Task ReceiveLoopAsync(LoadConnection connection)
    {
        await Task.Yield();
        var filled = 0;
        try
        {
            while (true)
            {
                var result = await connection.Socket.ReceiveAsync(connection.Buffer.AsMemory(filled), _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    connection.Dropped = !_stop.IsCancellationRequested;
                    return;
                }

                filled += result.Count;
                if (!result.EndOfMessage)
                {
                    Grow(connection, filled);
                    continue;
                }

                // The message is complete: this is when the client "has" it.
                _recorder.OnMessage(connection.Index, connection.Buffer.AsSpan(0, filled), Stopwatch.GetTimestamp());
                filled = 0;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            connection.Dropped = !_stop.IsCancellationRequested;
        }
    }

    /// <summary>
    /// SignalR closes a connection it has heard nothing from for 30 s (ClientTimeoutInterval), so
    /// every connection sends a ping every 10 s, as the browser client does every 15 s.
    /// </summary>
    private async Task PingLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                foreach (var connection in _connections)
                {
                    if (connection is { Dropped: false } && connection.Socket.State == WebSocketState.Open)
                    {
                        try
                        {
                            await connection.Socket.SendAsync(Ping, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
                        }
                        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
                        {
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Uri ToWs(Uri http) => new UriBuilder(http) { Scheme = http.Scheme == "https" ? "wss" : "ws" }.Uri;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_pinging is not null)
        {
            await _pinging;
        }

        foreach (var connection in _connections)
        {
            // Abort: no close handshake, and with linger 0 an RST, so nothing lingers in TIME_WAIT.
            connection?.Socket.Abort();
        }

        await Task.WhenAll(_connections.Where(c => c?.Receiving is not null).Select(c => c!.Receiving!));
        foreach (var connection in _connections)
        {
            connection?.Socket.Dispose();
        }

        foreach (var invoker in _invokers)
        {
            invoker.Dispose();
        }

        _stop.Dispose();
    }
}
