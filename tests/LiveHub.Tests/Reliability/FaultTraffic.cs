using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using LiveHub.Tests.Live;
using Microsoft.AspNetCore.SignalR;

namespace LiveHub.Tests.Reliability;

/// <summary>Traffic for fault tests: an editor posting, readers reading, each request timed and recorded.</summary>
public static class FaultTraffic
{
    public static async Task PostContinuouslyAsync(LiveScenario live, TimeSpan interval, ConcurrentQueue<Outcome> outcomes, ConcurrentQueue<string> acknowledged, CancellationToken stop)
    {
        for (var n = 1; !stop.IsCancellationRequested; n++)
        {
            var body = PostBody(n);
            var outcome = await PostAsync(live, body);
            outcomes.Enqueue(outcome);
            if (outcome.Status == 201)
            {
                acknowledged.Enqueue(body);
            }

            await Task.Delay(interval, CancellationToken.None);
        }
    }

    public static string PostBody(int number) => $"Live post {number}";

    public static int PostNumber(string body) => int.Parse(body["Live post ".Length..], System.Globalization.CultureInfo.InvariantCulture);

    public static Task<Outcome> PostAsync(LiveScenario live, string body) =>
        TimedAsync($"POST {body}", timeout => live.Editor.PostAsJsonAsync($"/api/streams/{live.StreamId}/posts", new { kind = "update", body }, timeout));

    /// <summary>An anonymous reader polling the posts API and the session's live page (as HTML).</summary>
    public static async Task ReadContinuouslyAsync(HttpClient reader, LiveScenario live, ConcurrentQueue<Outcome> outcomes, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            outcomes.Enqueue(await TimedAsync($"GET /api/streams/{live.StreamId}/posts", timeout => reader.GetAsync($"/api/streams/{live.StreamId}/posts?after=0", timeout)));
            outcomes.Enqueue(await TimedAsync($"GET /live/{live.Slug}/sessions/{live.SessionId}", timeout =>
            {
                var page = new HttpRequestMessage(HttpMethod.Get, $"/live/{live.Slug}/sessions/{live.SessionId}");
                page.Headers.Accept.ParseAdd("text/html");
                return reader.SendAsync(page, timeout);
            }));
            await Task.Delay(300, CancellationToken.None);
        }
    }

    /// <summary>Sends one request and records how it was answered; a request unanswered after 30 s counts as hung.</summary>
    public static async Task<Outcome> TimedAsync(string what, Func<CancellationToken, Task<HttpResponseMessage>> send)
    {
        var startedAt = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            using var response = await send(timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return new Outcome(what, startedAt, clock.Elapsed, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, response.Headers.RetryAfter is not null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new Outcome(what, startedAt, clock.Elapsed, 0, null, ex.ToString(), false);
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(50);
        }
    }
}

/// <summary>How one request was answered; <see cref="Status"/> 0 when it failed or hung without an answer.</summary>
public sealed record Outcome(string What, DateTime StartedAt, TimeSpan Took, int Status, string? ContentType, string Body, bool RetryAfter)
{
    public string Kind => What switch
    {
        _ when What.StartsWith("POST ", StringComparison.Ordinal) => "post",
        _ when What.StartsWith("GET /api/", StringComparison.Ordinal) => "API read",
        _ when What.StartsWith("GET /live/", StringComparison.Ordinal) => "page",
        _ => What,
    };

    /// <summary>The start of the body, for failure messages.</summary>
    public string Excerpt => Body.Length <= 300 ? Body : Body[..300] + "…";
}

/// <summary>A browser on a live page: one SignalR connection, applying pushes as they come.</summary>
public sealed class Attendee : IAsyncDisposable
{
    private readonly Guid _streamId;
    private LiveClient _client;
    private CancellationTokenSource _stopPump = new();
    private Task _pump;

    private readonly Func<Task<LiveClient>> _connect;

    private Attendee(Guid streamId, Func<Task<LiveClient>> connect, LiveClient client)
    {
        _streamId = streamId;
        _connect = connect;
        _client = client;
        _pump = Task.CompletedTask;
    }

    public SyncedMirror Mirror { get; } = new();

    public int Reconnects { get; private set; }

    public bool Connected => _client.IsConnected;

    public static async Task<Attendee> JoinAsync(Func<Task<LiveClient>> connect, Guid streamId)
    {
        var attendee = new Attendee(streamId, connect, await connect());
        Assert.Null(await attendee.TryCatchUpAsync());
        attendee.StartPump();
        return attendee;
    }

    /// <summary>Joins with the last change applied; returns the hub's error, or null once caught up.</summary>
    public async Task<string?> TryCatchUpAsync()
    {
        try
        {
            var changes = await _client.JoinAsync(_streamId.ToString(), Mirror.LastApplied);
            Assert.True(Mirror.Apply(changes), "a join's answer starts after the change the attendee asked from");
            return null;
        }
        catch (HubException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Drops the connection abruptly and opens a new one (without joining: see <see cref="TryCatchUpAsync"/>).</summary>
    public async Task ReconnectAsync()
    {
        await _stopPump.CancelAsync();
        await _pump;
        _client.Abort();
        await _client.DisposeAsync();
        _client = await _connect();
        _stopPump = new CancellationTokenSource();
        StartPump();
        Reconnects++;
    }

    private void StartPump()
    {
        var client = _client;
        var stop = _stopPump.Token;
        _pump = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // A push after a gap is ignored; the next join (or a later push) fills it.
                    Mirror.Apply(await client.NextAsync(LiveHub.Live.LiveCoverageHub.ChangesMethod, TimeSpan.FromMilliseconds(250)));
                }
                catch (OperationCanceledException)
                {
                }
                catch (ChannelClosedException)
                {
                    return;
                }
            }
        }, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopPump.CancelAsync();
        await _pump;
        await _client.DisposeAsync();
        _stopPump.Dispose();
    }
}

/// <summary>A <see cref="LiveMirror"/> shared by the push pump and the test.</summary>
public sealed class SyncedMirror
{
    private readonly LiveMirror _mirror = new();
    private readonly Lock _gate = new();

    public long LastApplied
    {
        get
        {
            lock (_gate)
            {
                return _mirror.LastApplied;
            }
        }
    }

    public IReadOnlyList<(int Sequence, string? Body)> Visible
    {
        get
        {
            lock (_gate)
            {
                return _mirror.Visible;
            }
        }
    }

    public string? LastVisibleBody => Visible is [.., var last] ? last.Body : null;

    public bool Apply(JsonElement changes)
    {
        lock (_gate)
        {
            return _mirror.Apply(changes);
        }
    }
}
