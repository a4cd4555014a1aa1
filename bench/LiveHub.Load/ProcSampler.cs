using System.Diagnostics;
using System.Globalization;

namespace LiveHub.Load;

/// <summary>
/// Samples CPU time and RSS of the server process (and of this client, and the whole machine) from
/// /proc every 250 ms. CPU% is per core: 100% is one core busy, 200% both cores of this machine.
/// </summary>
public sealed class ProcSampler : IAsyncDisposable
{
    private const double ClockTicksPerSecond = 100; // USER_HZ; 100 on every Linux this runs on.
    private readonly IReadOnlyList<int> _serverPids;
    private readonly List<Sample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _lock = new();

    public readonly record struct Sample(long Timestamp, long ServerTicks, long ServerRssKb, long ClientTicks, long MachineBusy, long MachineTotal);

    /// <summary>Samples the sum of the given server processes (a fleet of instances counts as one server).</summary>
    public ProcSampler(IReadOnlyList<int> serverPids)
    {
        _serverPids = serverPids;
        _loop = Task.Run(LoopAsync);
    }

    public Sample Now()
    {
        long serverTicks = 0, serverRss = 0;
        foreach (var pid in _serverPids)
        {
            var (ticks, rss) = ReadProcess(pid);
            serverTicks += ticks;
            serverRss += rss;
        }

        var (clientTicks, _) = ReadProcess(Environment.ProcessId);
        var (busy, total) = ReadMachine();
        return new Sample(Stopwatch.GetTimestamp(), serverTicks, serverRss, clientTicks, busy, total);
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            do
            {
                var sample = Now();
                lock (_lock)
                {
                    _samples.Add(sample);
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public Window Between(long from, long to)
    {
        List<Sample> inside;
        lock (_lock)
        {
            inside = [.. _samples.Where(s => s.Timestamp >= from && s.Timestamp <= to)];
        }

        return new Window(inside);
    }

    public long PeakRssKb()
    {
        lock (_lock)
        {
            return _samples.Count == 0 ? 0 : _samples.Max(s => s.ServerRssKb);
        }
    }

    public sealed class Window(List<Sample> samples)
    {
        public double ServerCpu => Percent(s => s.ServerTicks, samples.Count > 0 ? samples[0] : default, samples.Count > 0 ? samples[^1] : default);

        public double ClientCpu => Percent(s => s.ClientTicks, samples.Count > 0 ? samples[0] : default, samples.Count > 0 ? samples[^1] : default);

        /// <summary>Busy share of the whole machine (all processes, including other people's), 0..100% of all cores.</summary>
        public double MachineBusy
        {
            get
            {
                if (samples.Count < 2)
                {
                    return 0;
                }

                var total = samples[^1].MachineTotal - samples[0].MachineTotal;
                return total <= 0 ? 0 : 100.0 * (samples[^1].MachineBusy - samples[0].MachineBusy) / total;
            }
        }

        /// <summary>The busiest one-second stretch of the server.</summary>
        public double ServerCpuPeak
        {
            get
            {
                var peak = 0.0;
                var oneSecond = Stopwatch.Frequency;
                for (var i = 0; i < samples.Count; i++)
                {
                    var j = i;
                    while (j + 1 < samples.Count && samples[j].Timestamp - samples[i].Timestamp < oneSecond)
                    {
                        j++;
                    }

                    if (j > i)
                    {
                        peak = Math.Max(peak, Percent(s => s.ServerTicks, samples[i], samples[j]));
                    }
                }

                return peak;
            }
        }

        public long ServerRssKbMax => samples.Count == 0 ? 0 : samples.Max(s => s.ServerRssKb);

        private static double Percent(Func<Sample, long> ticks, Sample from, Sample to)
        {
            var seconds = (double)(to.Timestamp - from.Timestamp) / Stopwatch.Frequency;
            return seconds <= 0 ? 0 : 100.0 * (ticks(to) - ticks(from)) / ClockTicksPerSecond / seconds;
        }
    }

    /// <summary>CPU ticks of each of the (first) server's threads, by thread id, with its name (".NET TP Worker", ".NET Server GC", ...).</summary>
    public Dictionary<string, (string Name, long Ticks)> ServerThreadTicks()
    {
        var threads = new Dictionary<string, (string, long)>();
        if (_serverPids.Count == 0)
        {
            return threads;
        }

        var pid = _serverPids[0];

        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    threads[Path.GetFileName(task)] = (name, long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
                }
                catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
                {
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return threads;
    }

    /// <summary>
    /// The busiest thread groups between two <see cref="ServerThreadTicks"/> readings, as "name 40%, ...".
    /// Threads that ended in between are missing, so this is a lower bound per group.
    /// </summary>
    public static string ThreadShare(Dictionary<string, (string Name, long Ticks)> before, Dictionary<string, (string Name, long Ticks)> after, double seconds) =>
        string.Join(", ", after.Select(kv => (kv.Value.Name, Ticks: kv.Value.Ticks - (before.TryGetValue(kv.Key, out var b) ? b.Ticks : 0)))
            .GroupBy(x => x.Name, x => x.Ticks).Select(g => (Name: g.Key, Ticks: g.Sum()))
            .Where(x => x.Ticks > 0).OrderByDescending(x => x.Ticks).Take(6)
            .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Name} {100.0 * x.Ticks / ClockTicksPerSecond / seconds:F0}%")));

    /// <summary>utime + stime (clock ticks) from /proc/pid/stat and VmRSS (kB) from /proc/pid/status.</summary>
    private static (long Ticks, long RssKb) ReadProcess(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            long rss = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    break;
                }
            }

            return (ticks, rss);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (0, 0);
        }
    }

    private static (long Busy, long Total) ReadMachine()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var parts = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = parts.Skip(1).Take(8).Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            var total = values.Sum();
            var idle = values[3] + values[4];
            return (total - idle, total);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return (0, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
