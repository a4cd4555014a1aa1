using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LiveHub.Load;

/// <summary>One run's figures; latencies in milliseconds, CPU in % of one core, memory in MB.</summary>
public sealed record Measurement
{
    public required string Server { get; init; }
    public string? Label { get; init; }
    public DateTimeOffset Date { get; init; }
    public int Connections { get; init; }
    public int Connected { get; init; }
    public int ConnectFailures { get; init; }
    public int Dropped { get; init; }
    public double ConnectSeconds { get; init; }
    public double RampServerCpu { get; init; }
    public double RampMachineBusy { get; init; }
    public double Rate { get; init; }
    public int Posts { get; init; }
    public int WarmupPosts { get; init; }
    public int Prewarm { get; init; }
    public int FailedPosts { get; init; }
    public long Deliveries { get; init; }
    public long Lost { get; init; }
    public int IncompletePosts { get; init; }
    public long Duplicates { get; init; }
    public int FrameBytes { get; init; }
    public double ReceiveP50 { get; init; }
    public double ReceiveP95 { get; init; }
    public double ReceiveP99 { get; init; }
    public double ReceiveMax { get; init; }
    public double LastP50 { get; init; }
    public double LastP95 { get; init; }
    public double LastP99 { get; init; }
    public double LastMax { get; init; }
    public double FirstP50 { get; init; }
    public double FirstMax { get; init; }
    public double PostHttpP50 { get; init; }
    public double PostHttpMax { get; init; }
    public double ServerCpu { get; init; }
    public double ServerCpuPeak { get; init; }
    public double ServerCpuIdle { get; init; }
    public string? ServerThreads { get; init; }
    public double ServerCpuMicrosecondsPerDelivery { get; init; }
    public double ServerCpuMicrosecondsPerDeliveryAboveIdle { get; init; }
    public double ClientCpu { get; init; }
    public double MachineBusy { get; init; }
    public double ServerRssIdleMb { get; init; }
    public double ServerRssJoinedMb { get; init; }
    public double ServerRssPeakMb { get; init; }
    public string LoadAverage { get; init; } = "";

    /// <summary>LiveHub instances sharing the database (viewers spread over them; posts to the first).</summary>
    public int Instances { get; init; } = 1;

    /// <summary>Per instance, publish-to-last-viewer of that instance (p50 and p99 over the posts), ms.</summary>
    public double[] LastP50PerInstance { get; init; } = [];

    public double[] LastP99PerInstance { get; init; } = [];

    /// <summary>Live:Backplane of the launched instances (Database or Redis), when set.</summary>
    public string Backplane { get; init; } = "";

    /// <summary>The --server-env settings of the launched server.</summary>
    public string ServerSettings { get; init; } = "";
}

public static class Report
{
    public const string Header =
        "| Server | Conns (ok) | Posts | Lost / dup | Receive p50 / p95 / p99 / max (ms) | Last client p50 / p95 / p99 / max (ms) | POST p50 / first client p50 (ms) | Frame (B) | Server CPU idle / avg / peak 1 s | CPU µs per delivery (above idle) | Join rate, server CPU | Server RSS idle → joined / peak (MB) | Client CPU | Machine busy | Load avg |\n" +
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    public static string Row(Measurement m) => string.Create(CultureInfo.InvariantCulture,
        $"| {(m.Label is { Length: > 0 } l && !l.StartsWith("step ", StringComparison.Ordinal) ? $"{m.Server}, {l}" : m.Server)}{(m.ServerSettings.Length > 0 && m.Label?.Contains(m.ServerSettings, StringComparison.Ordinal) != true ? $" ({m.ServerSettings})" : "")} | {m.Connections:N0} ({m.Connected:N0}) | {m.Posts} @ {m.Rate:0.##}/s | {m.Lost} / {m.Duplicates} | " +
        $"{m.ReceiveP50:F0} / {m.ReceiveP95:F0} / {m.ReceiveP99:F0} / {m.ReceiveMax:F0} | " +
        $"{m.LastP50:F0} / {m.LastP95:F0} / {m.LastP99:F0} / {m.LastMax:F0} | {m.PostHttpP50:F0} / {m.FirstP50:F0} | {m.FrameBytes} | " +
        $"{m.ServerCpuIdle:F0}% / {m.ServerCpu:F0}% / {m.ServerCpuPeak:F0}% | {m.ServerCpuMicrosecondsPerDelivery:F0} ({m.ServerCpuMicrosecondsPerDeliveryAboveIdle:F0}) | {(m.ConnectSeconds > 0 ? m.Connected / m.ConnectSeconds : 0):F0}/s, {m.RampServerCpu:F0}% | {m.ServerRssIdleMb:F0} → {m.ServerRssJoinedMb:F0} / {m.ServerRssPeakMb:F0} | {m.ClientCpu:F0}% | {m.MachineBusy:F0}% | {m.LoadAverage} |");

    /// <summary>For a fleet: publish-to-last-viewer per instance (instance 1 took the posts).</summary>
    public static string PerInstance(Measurement m)
    {
        var backplane = m.Backplane.Length > 0 ? ", backplane " + m.Backplane : "";
        var instances = string.Join("; ", m.LastP99PerInstance.Select((p99, i) =>
            FormattableString.Invariant($"#{i + 1} {m.LastP50PerInstance[i]:F0} / {p99:F0}")));
        return FormattableString.Invariant($"{m.Instances} instances{backplane}: last viewer per instance p50 / p99 (ms): {instances}");
    }

    public static int Print(string path)
    {
        var all = File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<Measurement>(l)!).ToList();
        var output = new StringBuilder();
        output.AppendLine(Header);
        foreach (var m in all.OrderBy(m => m.Connections).ThenBy(m => m.Server))
        {
            output.AppendLine(Row(m));
        }

        foreach (var m in all.Where(m => m.Instances > 1))
        {
            output.AppendLine();
            output.AppendLine($"{m.Connections:N0} connections: " + PerInstance(m));
        }

        output.AppendLine();
        output.AppendLine("| Conns | LiveHub run | Last-client p99 (ms) | Floor p99 (ms) | p99 ratio | CPU µs per delivery, LiveHub / floor | CPU ratio | Issue 17 target (p99 < 250 ms and ≤ 1.5× floor, CPU ≤ 1.5×, 0 lost) |");
        output.AppendLine("|---:|---|---:|---:|---:|---:|---:|---|");
        foreach (var group in all.GroupBy(m => m.Connections).OrderBy(g => g.Key))
        {
            var bare = group.LastOrDefault(m => m.Server.StartsWith("bare", StringComparison.Ordinal));
            foreach (var live in group.Where(m => m.Server.StartsWith("LiveHub", StringComparison.Ordinal)))
            {
                var ratio = bare is not null && bare.LastP99 > 0 ? live.LastP99 / bare.LastP99 : double.NaN;
                var cpuRatio = bare is not null && bare.ServerCpuMicrosecondsPerDelivery > 0 ? live.ServerCpuMicrosecondsPerDelivery / bare.ServerCpuMicrosecondsPerDelivery : double.NaN;
                var met = live.LastP99 < 250 && live.Lost == 0 && live.Duplicates == 0 && !double.IsNaN(ratio) && ratio <= 1.5 && cpuRatio <= 1.5 ? "met"
                    : bare is null ? (live.LastP99 < 250 && live.Lost == 0 ? "under 250 ms (no floor run)" : "–")
                    : "not met";
                output.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {group.Key:N0} | {Describe(live)} | {F(live.LastP99)} | {F(bare?.LastP99)} | {Times(ratio)} | {F(live.ServerCpuMicrosecondsPerDelivery)} / {F(bare?.ServerCpuMicrosecondsPerDelivery)} | {Times(cpuRatio)} | {met} |"));
            }
        }

        var lives = all.Where(m => m.Server.StartsWith("LiveHub", StringComparison.Ordinal)).OrderBy(m => m.Connections).ToList();
        var over = lives.FirstOrDefault(m => m.LastP99 >= 1000 || m.Lost > 0);
        var under = over is null ? lives.LastOrDefault() : lives.LastOrDefault(m => m.Connections < over.Connections);
        output.AppendLine();
        output.AppendLine(lives.Count == 0 ? "No LiveHub runs in this file."
            : over is null
            ? $"LiveHub last-client p99 stayed under 1 s up to {under?.Connections:N0} connections (the largest step run)."
            : $"LiveHub last-client p99 crosses 1 s between {under?.Connections:N0} ({F(under?.LastP99)} ms) and {over.Connections:N0} connections ({F(over.LastP99)} ms{(over.Lost > 0 ? $", {over.Lost} lost" : "")}).");
        Console.Write(output.ToString());
        return 0;
    }

    private static string Times(double ratio) => double.IsNaN(ratio) ? "–" : ratio.ToString("F2", CultureInfo.InvariantCulture) + "×";

    private static string Describe(Measurement m) =>
        (m.Label is { Length: > 0 } label && !label.StartsWith("step ", StringComparison.Ordinal) ? label : m.Server)
        + (m.ServerSettings.Length > 0 && m.Label?.Contains(m.ServerSettings, StringComparison.Ordinal) != true ? $" ({m.ServerSettings})" : "");

    private static string F(double? value) => value is { } v ? v.ToString("F0", CultureInfo.InvariantCulture) : "–";
}
