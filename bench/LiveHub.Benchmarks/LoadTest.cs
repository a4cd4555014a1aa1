using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace LiveHub.Benchmarks;

/// <summary>
/// A bounded load generator for a feed URL on this machine: N concurrent clients for S seconds, each request
/// either unconditional (200) or with the feed's current ETag (304). Refuses any host other than loopback.
/// </summary>
public static class LoadTest
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || !Uri.TryCreate(args[0], UriKind.Absolute, out var url))
        {
            Console.Error.WriteLine("usage: load <url> [--concurrency N] [--seconds S] [--not-modified]");
            return 2;
        }

        if (!(url.IsLoopback && (url.Host == "127.0.0.1" || url.Host == "[::1]" || url.Host == "localhost")))
        {
            Console.Error.WriteLine("Refusing: the load test only targets a LiveHub on this machine (127.0.0.1, [::1] or localhost).");
            return 2;
        }

        var concurrency = Math.Clamp(Option(args, "--concurrency", 16), 1, 256);
        var seconds = Math.Clamp(Option(args, "--seconds", 10), 1, 60);
        var notModified = args.Contains("--not-modified");

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false, UseCookies = false });
        var first = await client.GetAsync(url);
        first.EnsureSuccessStatusCode();
        var etag = first.Headers.ETag?.Tag ?? throw new InvalidOperationException("The feed has no ETag.");
        var bytes = (await first.Content.ReadAsByteArrayAsync()).Length;

        var statuses = new int[600];
        var latencies = new List<double>[concurrency];
        var stopAt = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(4096);
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                if (notModified)
                {
                    request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                }

                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request);
                _ = await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref statuses[(int)response.StatusCode]);
            }
        }));
        clock.Stop();

        var all = latencies.SelectMany(l => l).Order().ToList();
        double Percentile(double p) => all[Math.Min(all.Count - 1, (int)(p * all.Count))];
        var expected = notModified ? HttpStatusCode.NotModified : HttpStatusCode.OK;
        var byStatus = string.Join(", ", statuses.Select((n, s) => (n, s)).Where(x => x.n > 0).Select(x => $"{x.s}: {x.n}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {url.AbsolutePath} | {(int)expected} | {(notModified ? 0 : bytes):N0} | {concurrency} | {seconds} s | {all.Count / clock.Elapsed.TotalSeconds:N0} | {Percentile(0.5):F2} ms | {Percentile(0.99):F2} ms | {byStatus} |"));
        return statuses[(int)expected] == all.Count ? 0 : 1;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}
