using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace LiveHub.Load;

public static class LoadProgram
{
    public const string Usage = """
        LiveHub.Load run [options]     one measurement; prints a markdown row and appends JSON to --results
        LiveHub.Load report FILE       the markdown table (LiveHub vs bare floor) of a results file

          --target livehub|bare        SignalR JSON hub at /hubs/live, or the bare broadcast server (--bare)
          --launch PATH.dll            start the server (LiveHub.dll or BareBroadcast.dll) and stop it afterwards
          --content-root DIR           working directory of a launched LiveHub (src/LiveHub)
          --url URL                    server address (default http://127.0.0.1:5180)
          --server-pid PID[,PID...]    sample these servers' CPU and RSS (summed) when not launched here
          --instances K                LiveHub instances on consecutive ports from --url sharing one database (the
                                       environment's Database__* settings): viewers spread over them, posts to the first
          --stream ID                  post to this stream (default: start coverage of a seeded session)
          --email/--password           an editor, when LiveHub is not launched here
          -n, --connections N          WebSockets to open (default 1000)
          --rate R --duration D        R posts per second for D seconds (default 1, 30)
          --warmup W                   posts sent first and not measured (default 2)
          --prewarm P                  LiveHub: first post P times to another, unwatched stream (default 40), so
                                       the once-per-post code is JIT-tiered like a long-running server's
          --connect-rate C             new connections per second at most (default 1000)
          --connect-concurrency K      handshakes in flight at most (default 64)
          --source-addresses A         spread clients over 127.0.0.1..A (default 16: no address passes the hub's
                                       per-address caps, 2,000 connections and 4,000 joins a minute)
          --body-chars B               LiveHub post body length (default 280)
          --payload-bytes B            bare broadcast message size (default 1500; match LiveHub's frame)
          --drain S                    seconds to wait for stragglers after the last post (default 15)
          --results FILE               append a JSON line per run
          --label TEXT                 a note stored with the result
          --print-frame                print the first post-carrying message one client received
          --server-env NAME=VALUE      extra environment of a launched LiveHub (repeat; e.g. DOTNET_gcServer=0)
        """;

    public static async Task<int> RunAsync(LoadOptions options)
    {
        var email = options.Email ?? "load@bench.invalid";
        var password = options.Password ?? $"Load-Bench-{Guid.NewGuid():N}";
        var servers = new List<LaunchedServer>();
        // A stopped run (timeout, Ctrl+C) must not leave the servers it started behind.
        void StopAll()
        {
            foreach (var launched in servers.ToArray())
            {
                launched.Dispose();
            }
        }

        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => StopAll());
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => StopAll());
        try
        {
            if (options.Launch is not null)
            {
                var urls = options.InstanceUrls;
                for (var i = 0; i < urls.Count; i++)
                {
                    Log($"starting {Path.GetFileName(options.Launch)} at {urls[i]}");
                    // One after another: the first creates the admin and loads the seeds into the shared database.
                    servers.Add(options.Target == Target.LiveHub
                        ? await ServerLauncher.LaunchLiveHubAsync(options.Launch, options.ContentRoot ?? Directory.GetCurrentDirectory(), urls[i], email, password, createAdmin: i == 0,
                            options.ServerEnvironment)
                        : await ServerLauncher.LaunchBareAsync(options.Launch, urls[i]));
                }
            }

            IReadOnlyList<int> serverPids = servers.Count > 0 ? [.. servers.Select(s => s.Pid)] : options.ServerPids;
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(30) };
            string? token = null;
            var streamId = options.Stream;
            if (options.Target == Target.LiveHub)
            {
                token = await ServerLauncher.SignInAsync(http, email, password);
                if (streamId is null)
                {
                    var (measured, warmup) = await ServerLauncher.PrepareStreamsAsync(http, token);
                    streamId = measured;
                    if (warmup is not null && options.Prewarm > 0)
                    {
                        Log($"warming up the posting path: {options.Prewarm} posts to stream {warmup}, which no one watches");
                        await ServerLauncher.WarmUpAsync(http, token, warmup, options.Prewarm);
                    }
                }

                Log($"stream {streamId}");
            }

            return await MeasureAsync(options, http, token, streamId, serverPids);
        }
        finally
        {
            StopAll();
        }
    }

    private static async Task<int> MeasureAsync(LoadOptions options, HttpClient http, string? token, string? streamId, IReadOnlyList<int> serverPids)
    {
        var recorder = new DeliveryRecorder(options.Connections, options.TotalPosts);
        await using var sampler = new ProcSampler(serverPids);
        var idle = sampler.Now();
        var fanout = new Fanout(options, recorder);
        Measurement result;
        try
        {
            var connectStart = Stopwatch.GetTimestamp();
            Log($"opening {options.Connections} connections ({options.Target})");
            await fanout.ConnectAllAsync(options.Target == Target.LiveHub ? streamId : null, n => Log($"  {n} connected"));
            var connectSeconds = Stopwatch.GetElapsedTime(connectStart).TotalSeconds;
            var ramp = sampler.Between(connectStart, Stopwatch.GetTimestamp());
            Log($"{fanout.Connected} connected in {connectSeconds:F1} s ({fanout.Connected / connectSeconds:F0}/s), {fanout.ConnectFailures} failed; server CPU {ramp.ServerCpu:F0}%, client {ramp.ClientCpu:F0}%, machine busy {ramp.MachineBusy:F0}%");
            if (options.Target == Target.Bare)
            {
                await WaitForListenersAsync(http, fanout.Connected);
            }

            // Settle, and measure what the server burns with everyone connected and nothing posted
            // (for SignalR: keep-alive pings both ways and its per-second connection scans).
            await Task.Delay(TimeSpan.FromSeconds(1));
            var settleStart = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(3));
            var idleWindow = sampler.Between(settleStart, Stopwatch.GetTimestamp());
            var joined = sampler.Now();
            var threadsBefore = sampler.ServerThreadTicks();
            var payload = options.Target == Target.Bare ? null : new string('x', Math.Max(0, options.BodyChars - 16));
            var httpTimes = new double[options.TotalPosts];
            var failedPosts = 0;
            var posting = new List<Task>();
            var interval = TimeSpan.FromSeconds(1 / options.Rate);
            var postStart = Stopwatch.GetTimestamp();
            Log($"posting {options.WarmupPosts} warm-up + {options.MeasuredPosts} posts at {options.Rate}/s");
            for (var post = 0; post < options.TotalPosts; post++)
            {
                var due = (interval * post) - Stopwatch.GetElapsedTime(postStart);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }

                var id = post;
                // Open loop: each post goes out on schedule, however long the previous one takes.
                posting.Add(Task.Run(async () =>
                {
                    using var request = BuildPost(options, streamId, token, id, payload);
                    var sent = Stopwatch.GetTimestamp();
                    recorder.SentAt[id] = sent;
                    try
                    {
                        using var response = await http.SendAsync(request);
                        httpTimes[id] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                        if (!response.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref failedPosts);
                            recorder.SentAt[id] = 0;
                            Console.Error.WriteLine($"post {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref failedPosts);
                        recorder.SentAt[id] = 0;
                        Console.Error.WriteLine($"post {id}: {ex.Message}");
                    }
                }));
            }

            await Task.WhenAll(posting);
            var measuredFrom = recorder.SentAt[Math.Min(options.WarmupPosts, options.TotalPosts - 1)];
            var expected = (long)fanout.Connected * (options.TotalPosts - failedPosts);
            var drainStart = Stopwatch.GetTimestamp();
            while (recorder.Deliveries < expected && Stopwatch.GetElapsedTime(drainStart) < TimeSpan.FromSeconds(options.DrainSeconds))
            {
                await Task.Delay(100);
            }

            var end = Stopwatch.GetTimestamp();
            var window = sampler.Between(measuredFrom == 0 ? postStart : measuredFrom, end);
            var threads = ProcSampler.ThreadShare(threadsBefore, sampler.ServerThreadTicks(), Stopwatch.GetElapsedTime(postStart, end).TotalSeconds);
            Log($"server CPU idle {idleWindow.ServerCpu:F0}%, posting {window.ServerCpu:F0}%; by thread while posting: {threads}");
            result = Measure(options, recorder, fanout, window, ramp, idleWindow.ServerCpu, threads, httpTimes, failedPosts, connectSeconds,
                joinedRssKb: joined.ServerRssKb, idleRssKb: idle.ServerRssKb, peakRssKb: sampler.PeakRssKb());
        }
        finally
        {
            await fanout.DisposeAsync();
        }

        if (options.PrintFrame)
        {
            Console.WriteLine($"First post frame ({Encoding.UTF8.GetByteCount(recorder.FirstFrame ?? "")} bytes):\n{recorder.FirstFrame}\n");
        }

        Console.WriteLine(Report.Header);
        Console.WriteLine(Report.Row(result));
        if (result.Instances > 1)
        {
            Console.WriteLine(Report.PerInstance(result));
        }
        if (options.Results is not null)
        {
            await File.AppendAllTextAsync(options.Results, JsonSerializer.Serialize(result) + "\n");
        }

        return result.Lost == 0 && result.Duplicates == 0 && result.ConnectFailures == 0 ? 0 : 1;
    }

    private static HttpRequestMessage BuildPost(LoadOptions options, string? streamId, string? token, int id, string? filler)
    {
        if (options.Target == Target.Bare)
        {
            var body = new byte[Math.Max(options.PayloadBytes, 32)];
            body.AsSpan().Fill((byte)'x');
            Encoding.ASCII.GetBytes(DeliveryRecorder.Stamp(id)).CopyTo(body, 0);
            return new HttpRequestMessage(HttpMethod.Post, new Uri("broadcast", UriKind.Relative)) { Content = new ByteArrayContent(body) };
        }

        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/streams/{streamId}/posts", UriKind.Relative))
        {
            Content = JsonContent.Create(new { kind = "update", body = $"{DeliveryRecorder.Stamp(id)} {filler}" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static async Task WaitForListenersAsync(HttpClient http, int expected)
    {
        for (var i = 0; i < 100; i++)
        {
            var count = int.Parse(await http.GetStringAsync(new Uri("listeners", UriKind.Relative)), CultureInfo.InvariantCulture);
            if (count >= expected)
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    private static Measurement Measure(LoadOptions options, DeliveryRecorder recorder, Fanout fanout, ProcSampler.Window window,
        ProcSampler.Window ramp, double idleServerCpu, string threads, double[] httpTimes, int failedPosts, double connectSeconds, long joinedRssKb, long idleRssKb, long peakRssKb)
    {
        var ms = 1000.0 / Stopwatch.Frequency;
        var deliveries = new List<double>(recorder.Clients * options.MeasuredPosts);
        var lastClient = new List<double>(options.MeasuredPosts);
        var firstClient = new List<double>(options.MeasuredPosts);
        long lost = 0;
        var incompletePosts = 0;
        for (var post = 0; post < recorder.Posts; post++)
        {
            var sent = recorder.SentAt[post];
            if (sent == 0)
            {
                continue; // the POST failed; counted in failedPosts
            }

            var measured = post >= options.WarmupPosts;
            var last = 0.0;
            var first = double.MaxValue;
            var complete = true;
            for (var client = 0; client < recorder.Clients; client++)
            {
                var received = recorder.ReceivedAt(post, client);
                if (received == 0)
                {
                    lost++;
                    complete = false;
                    continue;
                }

                var latency = (received - sent) * ms;
                last = Math.Max(last, latency);
                first = Math.Min(first, latency);
                if (measured)
                {
                    deliveries.Add(latency);
                }
            }

            if (measured)
            {
                lastClient.Add(last);
                if (first < double.MaxValue)
                {
                    firstClient.Add(first);
                }

                if (!complete)
                {
                    incompletePosts++;
                }
            }
        }

        // Per instance: the slowest of its viewers for each post (viewer i watches through instance i % Instances).
        var perInstance = Enumerable.Range(0, options.Instances).Select(_ => new List<double>(options.MeasuredPosts)).ToArray();
        if (options.Instances > 1)
        {
            for (var post = options.WarmupPosts; post < recorder.Posts; post++)
            {
                var sent = recorder.SentAt[post];
                if (sent == 0)
                {
                    continue;
                }

                var slowest = new double[options.Instances];
                for (var client = 0; client < recorder.Clients; client++)
                {
                    var received = recorder.ReceivedAt(post, client);
                    if (received != 0)
                    {
                        slowest[client % options.Instances] = Math.Max(slowest[client % options.Instances], (received - sent) * ms);
                    }
                }

                for (var instance = 0; instance < options.Instances; instance++)
                {
                    perInstance[instance].Add(slowest[instance]);
                }
            }

            foreach (var list in perInstance)
            {
                list.Sort();
            }
        }

        deliveries.Sort();
        lastClient.Sort();
        firstClient.Sort();
        var posted = httpTimes.Skip(options.WarmupPosts).Where(t => t > 0).Order().ToList();
        return new Measurement
        {
            Server = options.Target == Target.LiveHub ? "LiveHub (SignalR)" : "bare WebSocket",
            Label = options.Label,
            Date = DateTimeOffset.UtcNow,
            Connections = options.Connections,
            Connected = fanout.Connected,
            ConnectFailures = fanout.ConnectFailures,
            Dropped = fanout.Dropped,
            ConnectSeconds = connectSeconds,
            RampServerCpu = ramp.ServerCpu,
            RampMachineBusy = ramp.MachineBusy,
            Rate = options.Rate,
            Posts = options.MeasuredPosts,
            WarmupPosts = options.WarmupPosts,
            Prewarm = options.Target == Target.LiveHub && options.Stream is null ? options.Prewarm : 0,
            FailedPosts = failedPosts,
            Deliveries = deliveries.Count,
            Lost = lost,
            IncompletePosts = incompletePosts,
            Duplicates = recorder.Duplicates,
            FrameBytes = recorder.Messages == 0 ? 0 : (int)(recorder.Bytes / recorder.Messages),
            ReceiveP50 = Percentile(deliveries, 50),
            ReceiveP95 = Percentile(deliveries, 95),
            ReceiveP99 = Percentile(deliveries, 99),
            ReceiveMax = deliveries.Count == 0 ? 0 : deliveries[^1],
            LastP50 = Percentile(lastClient, 50),
            LastP95 = Percentile(lastClient, 95),
            LastP99 = Percentile(lastClient, 99),
            LastMax = lastClient.Count == 0 ? 0 : lastClient[^1],
            FirstP50 = Percentile(firstClient, 50),
            FirstMax = firstClient.Count == 0 ? 0 : firstClient[^1],
            PostHttpP50 = Percentile(posted, 50),
            PostHttpMax = posted.Count == 0 ? 0 : posted[^1],
            ServerCpu = window.ServerCpu,
            ServerCpuPeak = window.ServerCpuPeak,
            ServerCpuIdle = idleServerCpu,
            ServerThreads = threads,
            ServerCpuMicrosecondsPerDelivery = fanout.Connected == 0 ? 0 : window.ServerCpu / 100 * 1_000_000 / (fanout.Connected * options.Rate),
            ServerCpuMicrosecondsPerDeliveryAboveIdle = fanout.Connected == 0 ? 0 : Math.Max(0, window.ServerCpu - idleServerCpu) / 100 * 1_000_000 / (fanout.Connected * options.Rate),
            ClientCpu = window.ClientCpu,
            MachineBusy = window.MachineBusy,
            ServerRssIdleMb = idleRssKb / 1024.0,
            ServerRssJoinedMb = joinedRssKb / 1024.0,
            ServerRssPeakMb = peakRssKb / 1024.0,
            LoadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "",
            Instances = options.Instances,
            LastP99PerInstance = options.Instances > 1 ? [.. perInstance.Select(list => Percentile(list, 99))] : [],
            LastP50PerInstance = options.Instances > 1 ? [.. perInstance.Select(list => Percentile(list, 50))] : [],
            Backplane = Environment.GetEnvironmentVariable("Live__Backplane") ?? "",
            ServerSettings = string.Join(' ', options.ServerEnvironment.Select(e => $"{e.Key}={e.Value}")),
        };
    }

    /// <summary>Nearest-rank percentile of a sorted list.</summary>
    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
