using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using LiveHub.Live;
using LiveHub.Tests.Live;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// A client that joins and then stops reading (a frozen tab, a phone in a tunnel with the socket still
/// open) must cost nobody else anything: the other clients of its stream and of every other stream keep
/// getting pushes at once, and the stalled connection is closed once its buffers are full, so the server
/// does not hold an ever-growing queue for it. When it comes back it catches up like any other client.
/// </summary>
public abstract class SlowClientTests(IKestrelLiveApp host, ITestOutputHelper output)
{
    /// <summary>
    /// How long one send may wait for room in a connection before SignalR closes it (Live:SlowClientTimeout,
    /// set by the fixtures). Well above <see cref="Prompt"/>: a relay that waited for the stalled client
    /// would hold the other clients' pushes for about this long, and fail here.
    /// </summary>
    public static readonly TimeSpan SlowClientTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(2);

    protected static IReadOnlyDictionary<string, string?> SlowClientSettings => new Dictionary<string, string?>
    {
        ["Live:SlowClientTimeout"] = SlowClientTimeout.ToString(),
    };

    /// <summary>
    /// Small kernel send buffers on the server's sockets (accepted sockets inherit them from the listening
    /// one), so that a stalled client fills everything between it and SignalR with a few hundred kilobytes
    /// rather than the several megabytes Linux would otherwise grant a loopback connection.
    /// </summary>
    protected static void UseSmallSendBuffers(IServiceCollection services)
    {
        services.Configure<SocketTransportOptions>(o => o.CreateBoundListenSocket = endpoint =>
        {
            var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            socket.SendBufferSize = 32 * 1024;
            return socket;
        });
    }

    [Fact]
    public async Task A_client_that_stops_reading_delays_no_one_and_is_disconnected()
    {
        var app = host.App;
        _ = host.BaseAddress;
        var stalledStream = await LiveTestSupport.LiveSessionAsync(app);
        var otherStream = await LiveTestSupport.LiveSessionAsync(app);
        var subscriptions = app.Services.GetRequiredService<LiveSubscriptions>();

        await using var stalled = await StalledClient.JoinAsync(host.BaseAddress, stalledStream.StreamId);
        await using var neighbour = await ReaderAsync(stalledStream.StreamId);
        await using var elsewhere = await ReaderAsync(otherStream.StreamId);
        Assert.Equal(2, subscriptions.ListenerCount(stalledStream.StreamId));

        // Large posts (each push is ~28 KB of JSON: HTML-sensitive characters are escaped as HTML, then
        // in JSON) fill the stalled client's socket and SignalR's buffers (64 KB each for Kestrel's
        // output and SignalR's pipe). The neighbour on the same stream must get every one at once.
        const int LargePosts = 30;
        for (var i = 1; i <= LargePosts; i++)
        {
            await stalledStream.PostAsync($"#{i} " + new string('<', 2_500) + new string('&', 2_490));
            await neighbour.WaitForAsync(i + 1, Prompt, $"large post #{i} to a client reading the same stream as the stalled one");
        }

        var started = Stopwatch.StartNew();
        await otherStream.PostAsync("Meanwhile, in another room");
        await elsewhere.WaitForAsync(2, Prompt, "a post to another stream");
        var otherLatency = started.Elapsed;

        // The stalled connection is closed once a send has waited SlowClientTimeout for room in its
        // buffers (and long before SignalR's 30 s client timeout would have noticed its silence), so
        // what the server holds for it is bounded.
        var deadline = Stopwatch.StartNew();
        while (subscriptions.ListenerCount(stalledStream.StreamId) > 1 && deadline.Elapsed < SlowClientTimeout * 3)
        {
            await Task.Delay(100);
        }

        Assert.True(subscriptions.ListenerCount(stalledStream.StreamId) == 1,
            $"The stalled client was still connected {deadline.Elapsed.TotalSeconds:0.0} s after its buffers filled.");
        Assert.Equal(1, subscriptions.ListenerCount(otherStream.StreamId));
        output.WriteLine($"{LargePosts} large posts; other stream's push after {otherLatency.TotalMilliseconds:0} ms; stalled client closed {deadline.Elapsed.TotalSeconds:0.0} s after the last post");

        // Back from the tunnel: it joins again with the last change it applied and gets exactly what it missed.
        await using var back = await ReaderAsync(stalledStream.StreamId, stalled.Mirror);
        Assert.Equal(neighbour.Mirror.Visible, back.Mirror.Visible);
        Assert.Equal(LargePosts + 1, back.Mirror.Visible.Count);
        Assert.True(otherLatency < Prompt, $"Other stream's push took {otherLatency.TotalMilliseconds:0} ms.");
    }

    private async Task<Reader> ReaderAsync(Guid streamId, LiveMirror? mirror = null)
    {
        var client = await LiveClient.ConnectAsync(host.BaseAddress);
        mirror ??= new LiveMirror();
        Assert.True(mirror.Apply(await client.JoinAsync(streamId.ToString(), mirror.LastApplied)));
        return new Reader(client, mirror, host, streamId);
    }

    /// <summary>A well-behaved client: applies every push, catching up over HTTP after a gap.</summary>
    private sealed class Reader(LiveClient client, LiveMirror mirror, IKestrelLiveApp host, Guid streamId) : IAsyncDisposable
    {
        public LiveMirror Mirror => mirror;

        public async Task WaitForAsync(int visiblePosts, TimeSpan within, string what)
        {
            var clock = Stopwatch.StartNew();
            while (mirror.Visible.Count < visiblePosts)
            {
                var left = within - clock.Elapsed;
                Assert.True(left > TimeSpan.Zero, $"No push for {what} within {within.TotalSeconds} s.");
                JsonElement push;
                try
                {
                    push = await client.NextAsync(LiveCoverageHub.ChangesMethod, left);
                }
                catch (OperationCanceledException)
                {
                    continue;
                }

                if (!mirror.Apply(push))
                {
                    var catchUp = await host.App.AnonymousClient().GetFromJsonAsync<JsonElement>($"/api/streams/{streamId}/posts?after={mirror.LastApplied}");
                    Assert.True(mirror.Apply(catchUp));
                }
            }
        }

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }

    /// <summary>
    /// Joins a stream through the SignalR client, reads the answer, then never reads again: its WebSocket stops
    /// taking data from the socket, like a frozen tab. The socket asks for a small receive buffer so that the
    /// server's side fills after a few megabytes rather than tens.
    /// </summary>
    private sealed class StalledClient : IAsyncDisposable
    {
        private readonly LiveClient _client;
        private readonly StallingWebSocket _socket;
        private readonly HttpMessageInvoker _invoker;

        private StalledClient(LiveClient client, StallingWebSocket socket, HttpMessageInvoker invoker, LiveMirror mirror)
        {
            _client = client;
            _socket = socket;
            _invoker = invoker;
            Mirror = mirror;
        }

        public LiveMirror Mirror { get; }

        public static async Task<StalledClient> JoinAsync(Uri baseAddress, Guid streamId)
        {
            var invoker = new HttpMessageInvoker(new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4096 };
                    try
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            });
            StallingWebSocket? stalling = null;
            var client = await LiveClient.ConnectAsync(new Uri(baseAddress, "/hubs/live"), async (uri, cancellationToken) =>
            {
                var webSocket = new ClientWebSocket();
                await webSocket.ConnectAsync(uri, invoker, cancellationToken);
                return stalling = new StallingWebSocket(webSocket);
            }, serverTimeout: TimeSpan.FromMinutes(10)); // it must not give up by itself: the server is to close it

            // Up to the answer to Join, and from then on not a byte more.
            var mirror = new LiveMirror();
            Assert.True(mirror.Apply(await client.JoinAsync(streamId.ToString(), 0)));
            stalling!.Stall();
            return new StalledClient(client, stalling, invoker, mirror);
        }

        public async ValueTask DisposeAsync()
        {
            _socket.Abort();
            await _client.DisposeAsync();
            _invoker.Dispose();
        }
    }

    /// <summary>A client WebSocket whose reads stop completing once <see cref="Stall"/> is called (a read already under way may still finish).</summary>
    private sealed class StallingWebSocket(ClientWebSocket inner) : WebSocket
    {
        private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _stalled;

        public void Stall() => _stalled = true;

        public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

        public override string? CloseStatusDescription => inner.CloseStatusDescription;

        public override WebSocketState State => inner.State;

        public override string? SubProtocol => inner.SubProtocol;

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            await WhileStalledAsync(cancellationToken);
            return await inner.ReceiveAsync(buffer, cancellationToken);
        }

        public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            await WhileStalledAsync(cancellationToken);
            return await inner.ReceiveAsync(buffer, cancellationToken);
        }

        private async Task WhileStalledAsync(CancellationToken cancellationToken)
        {
            if (_stalled)
            {
                await _aborted.Task.WaitAsync(cancellationToken);
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely);
            }
        }

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override void Abort()
        {
            inner.Abort();
            _aborted.TrySetResult();
        }

        public override void Dispose()
        {
            inner.Dispose();
            _aborted.TrySetResult();
        }
    }
}

[Collection(ReliabilityLoadCollection.Name)]
public sealed class SlowClientOnSqlite(SlowClientOnSqlite.App app, ITestOutputHelper output) : SlowClientTests(app, output), IClassFixture<SlowClientOnSqlite.App>
{
    public sealed class App : KestrelSqliteApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => SlowClientSettings;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(UseSmallSendBuffers);
        }
    }
}

[Collection(ReliabilityLoadCollection.Name)]
public sealed class SlowClientOnPostgres(SlowClientOnPostgres.App app, ITestOutputHelper output) : SlowClientTests(app, output), IClassFixture<SlowClientOnPostgres.App>
{
    public sealed class App : KestrelPostgresApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => SlowClientSettings;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(UseSmallSendBuffers);
        }
    }
}
