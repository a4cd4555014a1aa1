using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace LiveHub.Load;

/// <summary>
/// <c>joins</c>: what a join costs the server, for streams of different lengths, and how long a reconnect storm takes.
/// </summary>
/// <remarks>
/// For each post count P a fresh session stream gets P posts (the coverage-started marker included). Then, per stream,
/// N clients that have already connected and handshaken all send <c>Join(stream, 0)</c> at once, R times (the first round
/// unmeasured, for the JIT); the server's CPU (utime + stime of its process, read before and after) over the joins gives
/// CPU per join. Last, the storm: N new clients connect, handshake and join at once (at most --connect-concurrency in
/// flight), first as reconnecting clients (<c>after</c> = the change before the last, the catch-up path), then as fresh
/// ones (<c>after</c> = 0, the snapshot); the time from the first connect to the last answer is the storm's.
/// </remarks>
public static class JoinBench
{
    public const string Usage = """
        LiveHub.Load joins [options]   CPU per join by stream length, and a reconnect storm; prints markdown, --results gets JSON

          --launch PATH.dll --content-root DIR --url URL   as for run (LiveHub only; the server is launched here)
          -n, --connections N          clients per round and in the storm (default 1000)
          --posts P[,P...]             stream lengths to compare (default 5,500)
          --rounds R                   join rounds per stream, the first not measured (default 4)
          --connect-concurrency K      storm: connections being opened at once at most (default 1000)
          --body-chars B               post length (default 280)
          --server-env NAME=VALUE      extra environment of the server (repeat)
          --results FILE --label TEXT  as for run
        """;

    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");

    /// <param name="After">0 for a fresh client's join (the snapshot); else the change the page was rendered at (the live page's join).</param>
    public sealed record JoinRound(int Posts, long After, int Connections, int AnswerBytes, double CpuMsPerJoin, double Seconds);

    public sealed record JoinResult
    {
        public string? Label { get; init; }
        public DateTimeOffset Date { get; init; }
        public string ServerSettings { get; init; } = "";
        public List<JoinRound> Rounds { get; init; } = [];
        public int StormConnections { get; init; }
        public int StormConcurrency { get; init; }
        public double ReconnectStormSeconds { get; init; }
        public double ReconnectStormCpuSeconds { get; init; }
        public int ReconnectStormFailures { get; init; }
        public double FreshStormSeconds { get; init; }
        public double FreshStormCpuSeconds { get; init; }
        public int FreshStormFailures { get; init; }
        public string LoadAverage { get; init; } = "";
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var posts = new List<int> { 5, 500 };
        var rounds = 4;
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--posts": posts = [.. args[++i].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))]; break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: rest.Add(args[i]); break;
            }
        }

        if (!rest.Contains("--connect-concurrency"))
        {
            rest.AddRange(["--connect-concurrency", "1000"]);
        }

        var options = LoadOptions.Parse(rest);
        if (options.Launch is null || rounds < 2 || posts.Count == 0 || posts.Any(p => p < 1))
        {
            throw new ArgumentException("joins needs --launch, --rounds 2 or more and positive --posts.\n\n" + Usage);
        }

        var email = "load@bench.invalid";
        var password = $"Load-Bench-{Guid.NewGuid():N}";
        using var server = await ServerLauncher.LaunchLiveHubAsync(options.Launch, options.ContentRoot ?? Directory.GetCurrentDirectory(), options.Url, email, password,
            extraEnvironment: options.ServerEnvironment);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => server.Dispose());
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(30) };
        var token = await ServerLauncher.SignInAsync(http, email, password);
        var hub = new Uri(new UriBuilder(options.Url) { Scheme = "ws" }.Uri, "hubs/live");
        var filler = new string('x', Math.Max(0, options.BodyChars - 12));

        var streams = new List<(int Posts, string Id)>();
        foreach (var count in posts)
        {
            var id = await FreshStreamAsync(http, token);
            for (var p = 1; p < count; p++)
            {
                await PostAsync(http, token, id, $"Post {p:D4} {filler}");
            }

            streams.Add((count, id));
            Log($"stream {id}: {count} posts");
        }

        var result = new JoinResult
        {
            Label = options.Label,
            Date = DateTimeOffset.UtcNow,
            ServerSettings = string.Join(' ', options.ServerEnvironment.Select(e => $"{e.Key}={e.Value}")),
            StormConnections = options.Connections,
            StormConcurrency = options.ConnectConcurrency,
        };

        foreach (var (count, id) in streams)
        {
            var through = await LastChangeAsync(http, id);
            foreach (var after in new long[] { 0, through })
            {
                // New connections for each kind: the hub allows a connection 10 joins in a burst.
                await using var clients = await Clients.OpenAsync(hub, options.Connections, options.SourceAddresses, concurrency: 64);
                for (var round = 0; round < rounds; round++)
                {
                    var cpuBefore = ServerTicks(server.Pid);
                    var started = Stopwatch.GetTimestamp();
                    var answers = await Task.WhenAll(clients.All.Select(c => c.JoinAsync(id, after)));
                    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    var cpuMs = (ServerTicks(server.Pid) - cpuBefore) * 1000.0 / 100;
                    var failed = answers.Count(a => a < 0);
                    Log($"  {count} posts, after {after}, round {round}: {options.Connections} joins in {seconds:F2} s, server CPU {cpuMs / options.Connections:F2} ms per join, answer {answers.Max()} bytes{(failed > 0 ? $", {failed} FAILED" : "")}");
                    if (failed > 0)
                    {
                        return 1;
                    }

                    if (round > 0)
                    {
                        result.Rounds.Add(new JoinRound(count, after, options.Connections, answers.Max(), cpuMs / options.Connections, seconds));
                    }
                }
            }
        }

        var (stormId, lastChange) = (streams[^1].Id, await LastChangeAsync(http, streams[^1].Id));
        var reconnect = await StormAsync(hub, options, server.Pid, stormId, Math.Max(0, lastChange - 1));
        var fresh = await StormAsync(hub, options, server.Pid, stormId, 0);
        result = result with
        {
            ReconnectStormSeconds = reconnect.Seconds, ReconnectStormCpuSeconds = reconnect.CpuSeconds, ReconnectStormFailures = reconnect.Failures,
            FreshStormSeconds = fresh.Seconds, FreshStormCpuSeconds = fresh.CpuSeconds, FreshStormFailures = fresh.Failures,
            LoadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "",
        };

        Console.WriteLine(Table(result));
        if (options.Results is not null)
        {
            await File.AppendAllTextAsync(options.Results, JsonSerializer.Serialize(result) + "\n");
        }

        return reconnect.Failures == 0 && fresh.Failures == 0 ? 0 : 1;
    }

    public static string Table(JoinResult r)
    {
        var text = new StringBuilder();
        var settings = r.ServerSettings.Length > 0 ? $" ({r.ServerSettings})" : "";
        text.AppendLine(CultureInfo.InvariantCulture, $"| Stream posts{settings} | Join | Joins per round | Answer (B) | Server CPU per join (ms), each measured round | Round time (s) |");
        text.AppendLine("|---:|---|---:|---:|---|---|");
        foreach (var group in r.Rounds.GroupBy(x => (x.Posts, Fresh: x.After == 0)))
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key.Posts} | {(group.Key.Fresh ? "fresh (after 0)" : $"page (after {group.First().After})")} | {group.First().Connections:N0} | {group.Max(x => x.AnswerBytes):N0} | {string.Join(" / ", group.Select(x => x.CpuMsPerJoin.ToString("F2", CultureInfo.InvariantCulture)))} | {string.Join(" / ", group.Select(x => x.Seconds.ToString("F2", CultureInfo.InvariantCulture)))} |"));
        }

        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"\nStorm of {r.StormConnections:N0} clients ({r.StormConcurrency} opening at once): reconnecting (catch-up) {r.ReconnectStormSeconds:F2} s, server CPU {r.ReconnectStormCpuSeconds:F2} s, {r.ReconnectStormFailures} failed; fresh (snapshot) {r.FreshStormSeconds:F2} s, server CPU {r.FreshStormCpuSeconds:F2} s, {r.FreshStormFailures} failed. Load average {r.LoadAverage}."));
        return text.ToString();
    }

    private static async Task<(double Seconds, double CpuSeconds, int Failures)> StormAsync(Uri hub, LoadOptions options, int pid, string streamId, long after)
    {
        var cpuBefore = ServerTicks(pid);
        var started = Stopwatch.GetTimestamp();
        await using var clients = await Clients.OpenAsync(hub, options.Connections, options.SourceAddresses, options.ConnectConcurrency, streamId, after);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = (ServerTicks(pid) - cpuBefore) / 100.0;
        Log($"storm after={after}: {clients.All.Count - clients.Failures}/{options.Connections} joined in {seconds:F2} s, server CPU {cpu:F2} s, {clients.Failures} failed");
        await Task.Delay(TimeSpan.FromSeconds(2));
        return (seconds, cpu, clients.Failures);
    }

    private static async Task<string> FreshStreamAsync(HttpClient http, string token)
    {
        using var events = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/events?pageSize=100", UriKind.Relative)));
        foreach (var e in events.RootElement.GetProperty("items").EnumerateArray())
        {
            var slug = e.GetProperty("slug").GetString()!;
            using var streams = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/events/{slug}/streams", UriKind.Relative)));
            foreach (var s in streams.RootElement.EnumerateArray())
            {
                if (s.GetProperty("sessionId").ValueKind != JsonValueKind.String || s.GetProperty("lastSequence").GetInt32() > 0)
                {
                    continue;
                }

                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/events/{slug}/sessions/{s.GetProperty("sessionId").GetString()}/coverage/start", UriKind.Relative));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request);
                if (response.IsSuccessStatusCode)
                {
                    return s.GetProperty("id").GetString()!;
                }
            }
        }

        throw new InvalidOperationException("No session stream without posts left in the seeds.");
    }

    private static async Task PostAsync(HttpClient http, string token, string streamId, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/streams/{streamId}/posts", UriKind.Relative))
        {
            Content = JsonContent.Create(new { kind = "update", body }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"post failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<long> LastChangeAsync(HttpClient http, string streamId)
    {
        using var changes = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/streams/{streamId}/posts", UriKind.Relative)));
        return changes.RootElement.GetProperty("through").GetInt64();
    }

    /// <summary>utime + stime of a process, in clock ticks (100 a second).</summary>
    private static long ServerTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>Raw SignalR JSON clients over WebSockets (see <see cref="Fanout"/> for why not the .NET client).</summary>
    private sealed class Clients : IAsyncDisposable
    {
        private readonly HttpMessageInvoker[] _invokers;

        private Clients(HttpMessageInvoker[] invokers) => _invokers = invokers;

        public List<Client> All { get; } = [];

        public int Failures { get; private set; }

        /// <summary>Opens <paramref name="count"/> clients, and when a stream is given, each also joins it once open.</summary>
        public static async Task<Clients> OpenAsync(Uri hub, int count, int sourceAddresses, int concurrency, string? joinStream = null, long after = 0)
        {
            var clients = new Clients(LoopbackInvokers.Create(sourceAddresses));
            var opened = new Client?[count];
            var failures = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
            {
                try
                {
                    var client = await Client.ConnectAsync(hub, clients._invokers[i % clients._invokers.Length]);
                    opened[i] = client;
                    if (joinStream is not null && await client.JoinAsync(joinStream, after) < 0)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException)
                {
                    Interlocked.Increment(ref failures);
                }
            });
            clients.All.AddRange(opened.Where(c => c is not null)!);
            clients.Failures = failures;
            return clients;
        }

        public ValueTask DisposeAsync()
        {
            foreach (var client in All)
            {
                client.Socket.Abort();
                client.Socket.Dispose();
            }

            foreach (var invoker in _invokers)
            {
                invoker.Dispose();
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class Client(ClientWebSocket socket)
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _invocation;

        public ClientWebSocket Socket => socket;

        public static async Task<Client> ConnectAsync(Uri hub, HttpMessageInvoker invoker)
        {
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(hub, invoker, timeout.Token);
            await socket.SendAsync(Handshake, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var client = new Client(socket);
            await client.ReadAsync(timeout.Token);
            return client;
        }

        /// <summary>Joins and waits for the answer; returns its size in bytes, or -1 when the join failed.</summary>
        public async Task<int> JoinAsync(string stream, long after)
        {
            var id = (++_invocation).ToString(CultureInfo.InvariantCulture);
            var invocation = Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":\"Join\",\"arguments\":[\"{stream}\",{after}]}}\u001e");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await socket.SendAsync(invocation, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var completion = Encoding.UTF8.GetBytes($"{{\"type\":3,\"invocationId\":\"{id}\"");
            while (true)
            {
                var length = await ReadAsync(timeout.Token);
                var message = _buffer.AsSpan(0, length);
                var at = message.IndexOf(completion);
                if (at >= 0)
                {
                    return message[at..].IndexOf("\"result\":"u8) >= 0 ? length : -1;
                }
            }
        }

        private async Task<int> ReadAsync(CancellationToken cancellationToken)
        {
            var filled = 0;
            while (true)
            {
                var result = await socket.ReceiveAsync(_buffer.AsMemory(filled), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException("Closed by the server.");
                }

                filled += result.Count;
                if (result.EndOfMessage)
                {
                    return filled;
                }

                if (filled == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }
            }
        }
    }
}
