using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;

// The floor for the live fan-out benchmark: the least an ASP.NET Core server can do to broadcast a
// message to N WebSockets. GET /ws (WebSocket): a listener. POST /broadcast: the request body is
// sent, as one text message, to every listener. No protocol, no groups, no database, no
// serialization: whatever LiveHub costs above this is SignalR plus the application.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();

var listeners = new ConcurrentDictionary<long, WebSocket>();
var payloads = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
long nextId = 0;

app.UseWebSockets();

app.Map("/ws", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var id = Interlocked.Increment(ref nextId);
    listeners[id] = socket;
    var buffer = new byte[256];
    try
    {
        // Listeners never send; this only notices when they leave.
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), context.RequestAborted);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }
        }
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
    {
    }
    finally
    {
        listeners.TryRemove(id, out _);
    }
});

app.MapPost("/broadcast", async (HttpRequest request) =>
{
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body);
    payloads.Writer.TryWrite(body.ToArray());
    return Results.Accepted();
});

app.MapGet("/listeners", () => Results.Ok(listeners.Count));

// One broadcaster, so two sends never overlap on one socket (like SignalR's per-connection write
// lock); each broadcast starts every send, then waits for the ones that did not complete at once.
_ = Task.Run(async () =>
{
    var pending = new List<Task>();
    await foreach (var payload in payloads.Reader.ReadAllAsync())
    {
        pending.Clear();
        foreach (var socket in listeners.Values)
        {
            try
            {
                var send = socket.SendAsync(payload.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                if (!send.IsCompletedSuccessfully)
                {
                    pending.Add(send.AsTask());
                }
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }

        try
        {
            await Task.WhenAll(pending);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
        }
    }
});

await app.RunAsync();
