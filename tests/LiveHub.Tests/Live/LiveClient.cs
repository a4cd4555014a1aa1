using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using LiveHub.Live;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveHub.Tests.Live;

/// <summary>
/// An attendee on /hubs/live through the .NET SignalR client: negotiate, then the JSON hub protocol over a
/// WebSocket, as the browser client does. It keeps every push in the order it arrived, and opens the WebSocket
/// itself (through the in-memory test server, or a real socket to Kestrel) so that <see cref="Abort"/> can drop
/// the connection without a goodbye instead of closing it politely.
/// </summary>
public sealed class LiveClient : IAsyncDisposable
{
    private readonly Channel<(string Method, JsonElement Argument)> _pushes = Channel.CreateUnbounded<(string, JsonElement)>();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HubConnection _connection;
    private WebSocket? _socket;

    private LiveClient(Uri hub, Func<Uri, CancellationToken, Task<WebSocket>> openSocket, Action<HttpConnectionOptions>? configure, TimeSpan? serverTimeout)
    {
        _connection = new HubConnectionBuilder()
            .WithUrl(hub, HttpTransportType.WebSockets, options =>
            {
                configure?.Invoke(options);
                options.WebSocketFactory = async (context, cancellationToken) => _socket = await openSocket(context.Uri, cancellationToken);
            })
            .Build();
        _connection.ServerTimeout = serverTimeout ?? _connection.ServerTimeout;
        _connection.On<JsonElement>(LiveCoverageHub.ChangesMethod, changes => _pushes.Writer.TryWrite((LiveCoverageHub.ChangesMethod, changes)));
        _connection.On<JsonElement>(LiveCoverageHub.ClosedMethod, closed => _pushes.Writer.TryWrite((LiveCoverageHub.ClosedMethod, closed)));
        _connection.On<JsonElement>(LiveCoverageHub.QuestionsMethod, list => _pushes.Writer.TryWrite((LiveCoverageHub.QuestionsMethod, list)));
        _connection.Closed += error =>
        {
            _closed.TrySetResult(error);
            _pushes.Writer.TryComplete();
            return Task.CompletedTask;
        };
    }

    /// <summary>Completes when the connection has ended (closed by either side or dropped), with the error if any.</summary>
    public Task<Exception?> Closed => _closed.Task;

    public bool IsConnected => _connection.State == HubConnectionState.Connected;

    /// <summary>Connects to the app's in-memory test server; without <paramref name="negotiate"/> it goes straight to the WebSocket upgrade.</summary>
    public static Task<LiveClient> ConnectAsync(LiveHubApp app, bool negotiate = true)
    {
        var server = app.Server;
        return ConnectAsync(
            new Uri(server.BaseAddress, "hubs/live"),
            async (uri, cancellationToken) => await server.CreateWebSocketClient().ConnectAsync(uri, cancellationToken),
            options =>
            {
                options.HttpMessageHandlerFactory = _ => server.CreateHandler();
                options.SkipNegotiation = !negotiate;
            });
    }

    /// <summary>Connects over real TCP to an app served by Kestrel at <paramref name="baseAddress"/>.</summary>
    public static Task<LiveClient> ConnectAsync(Uri baseAddress) =>
        ConnectAsync(new Uri(baseAddress, "/hubs/live"), async (uri, cancellationToken) =>
        {
            var socket = new ClientWebSocket();
            try
            {
                await socket.ConnectAsync(uri, cancellationToken);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        });

    /// <param name="openSocket">Opens the WebSocket to the URI the SignalR client asks for.</param>
    /// <param name="serverTimeout">How long the client waits to hear from the server before it gives up on the connection (30 s by default).</param>
    public static async Task<LiveClient> ConnectAsync(Uri hub, Func<Uri, CancellationToken, Task<WebSocket>> openSocket, Action<HttpConnectionOptions>? configure = null, TimeSpan? serverTimeout = null)
    {
        var client = new LiveClient(hub, openSocket, configure, serverTimeout);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await client._connection.StartAsync(timeout.Token);
            return client;
        }
        catch
        {
            await client._connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Joins a stream ("event:{slug}", "session:{id}" or a stream id) from the last change applied; a refusal throws <see cref="HubException"/>.</summary>
    public async Task<JsonElement> JoinAsync(string stream, long after)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await _connection.InvokeAsync<JsonElement>("Join", stream, after, timeout.Token);
    }

    /// <summary>The next push of <paramref name="method"/> (others are skipped); throws <see cref="ChannelClosedException"/> once the connection has ended.</summary>
    public async Task<JsonElement> NextAsync(string method, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var (name, argument) = await _pushes.Reader.ReadAsync(cancel.Token);
            if (name == method)
            {
                return argument;
            }
        }
    }

    /// <summary>A push of <paramref name="method"/> already received, without waiting (others are skipped).</summary>
    public bool TryNext(string method, out JsonElement argument)
    {
        while (_pushes.Reader.TryRead(out var push))
        {
            if (push.Method == method)
            {
                argument = push.Argument;
                return true;
            }
        }

        argument = default;
        return false;
    }

    /// <summary>True if a push of <paramref name="method"/> arrives within the time.</summary>
    public async Task<bool> ReceivesWithinAsync(string method, TimeSpan time)
    {
        try
        {
            await NextAsync(method, time);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Drops the connection without a goodbye, like a phone losing signal: the WebSocket is aborted under the SignalR client.</summary>
    public void Abort() => _socket?.Abort();

    /// <summary>Closes the connection politely, as a browser closing the tab does.</summary>
    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _socket?.Dispose();
    }
}
