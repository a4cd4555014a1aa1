using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LiveHub.Benchmarks;
using LiveHub.ICalendar.Serialization;

// dotnet run -c Release --project bench/LiveHub.Benchmarks -- icalendar
//     BenchmarkDotNet (short run, in process) for writing and parsing 1,000 events, then the Node reference
//     implementations on the same data in the same run, then the ratios.
// dotnet run -c Release --project bench/LiveHub.Benchmarks -- load <url> [--concurrency N] [--seconds S] [--not-modified]
//     Feed endpoint throughput against a LiveHub running on this machine (loopback only).
var command = args.FirstOrDefault() ?? "icalendar";
return command switch
{
    "icalendar" => RunIcalendar(),
    "load" => await LoadTest.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: icalendar | load <url> [--concurrency N] [--seconds S] [--not-modified]");
    return 2;
}

static int RunIcalendar()
{
    var root = FindRoot();
    var output = Path.Combine(root, "bench", "out");
    Directory.CreateDirectory(output);
    var events = SampleData.Create(IcalendarBenchmarks.Count);
    var eventsPath = Path.Combine(output, "events.json");
    var feedPath = Path.Combine(output, "feed-1000.ics");
    SampleData.WriteJson(eventsPath, events);
    File.WriteAllBytes(feedPath, new CalendarSerializer().SerializeToUtf8Bytes(SampleData.ToCalendar(events)));

    var config = DefaultConfig.Instance
        .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
        .WithArtifactsPath(Path.Combine(output, "BenchmarkDotNet.Artifacts"));
    var summary = BenchmarkRunner.Run<IcalendarBenchmarks>(config);
    double MeanMs(string method) =>
        summary.Reports.Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method).ResultStatistics!.Mean / 1_000_000.0;
    var writeMs = MeanMs(nameof(IcalendarBenchmarks.WriteFeed));
    var parseMs = MeanMs(nameof(IcalendarBenchmarks.ParseFeed));

    var reference = RunNode(root, eventsPath, feedPath);
    var nodeWrite = reference.GetProperty("write").GetProperty("meanMs").GetDouble();
    var nodeParse = reference.GetProperty("parse").GetProperty("meanMs").GetDouble();
    var report = new StringBuilder()
        .AppendLine(CultureInfo.InvariantCulture, $"| Task (1,000 events, {new FileInfo(feedPath).Length:N0}-byte feed) | LiveHub.ICalendar (mean) | Reference (mean) | Ratio |")
        .AppendLine("|---|---:|---:|---:|")
        .AppendLine(CultureInfo.InvariantCulture, $"| Write | {writeMs:F2} ms | ical-generator {reference.GetProperty("icalGenerator").GetString()}: {nodeWrite:F2} ms | {nodeWrite / writeMs:F1}x |")
        .AppendLine(CultureInfo.InvariantCulture, $"| Parse | {parseMs:F2} ms | ical.js {reference.GetProperty("icalJs").GetString()}: {nodeParse:F2} ms | {nodeParse / parseMs:F1}x |")
        .AppendLine(CultureInfo.InvariantCulture, $"Node {reference.GetProperty("node").GetString()}, .NET {Environment.Version}; ratio = reference time / LiveHub time.")
        .ToString();
    File.WriteAllText(Path.Combine(output, "icalendar-results.md"), report);
    Console.WriteLine();
    Console.WriteLine(report);
    return 0;
}

static JsonElement RunNode(string root, string eventsPath, string feedPath)
{
    var reference = Path.Combine(root, "bench", "reference");
    if (!Directory.Exists(Path.Combine(reference, "node_modules", "ical-generator")))
    {
        throw new InvalidOperationException("Run `npm ci --prefix bench/reference` first.");
    }

    var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, WorkingDirectory = reference };
    foreach (var argument in new[] { Path.Combine(reference, "icalendar-reference.mjs"), eventsPath, feedPath, "10" })
    {
        start.ArgumentList.Add(argument);
    }

    using var process = Process.Start(start)!;
    var json = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"node exited with {process.ExitCode}");
    }

    return JsonDocument.Parse(json).RootElement.Clone();
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "LiveHub.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
