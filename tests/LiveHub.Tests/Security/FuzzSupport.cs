using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.Calendar;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveHub.Tests.Security;

/// <summary>
/// How many cases a fuzz test runs and from which seed. The normal suite runs a bounded number;
/// <c>LIVEHUB_FUZZ_CASES</c> and <c>LIVEHUB_FUZZ_SEED</c> override both for a longer run or to reproduce a failure.
/// Each case has its own <see cref="Random"/> derived from the seed and the case number.
/// </summary>
public static class FuzzSettings
{
    public const int DefaultSeed = 20260606;

    public static int Cases(int normal) =>
        int.TryParse(Environment.GetEnvironmentVariable("LIVEHUB_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var cases) && cases > 0 ? cases : normal;

    public static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("LIVEHUB_FUZZ_SEED"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed) ? seed : DefaultSeed;

    public static Random ForCase(int seed, int index) => new(unchecked((seed * 100_003) + index));

    public static string Reproduce(int seed, int index) => $"seed {seed}, case {index} (rerun with LIVEHUB_FUZZ_SEED={seed} LIVEHUB_FUZZ_CASES={index + 1})";
}

/// <summary>The app on SQLite with captured logs, imports allowed from the loopback test server, cross-posting to a fake PDS.</summary>
public sealed class FuzzSqliteApp(IReadOnlyDictionary<string, string?> settings) : SqliteApp
{
    public RecordingLoggerProvider Logs { get; } = new(LogLevel.Warning);

    protected override IReadOnlyDictionary<string, string?> Settings => settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs));
    }
}

/// <summary>One fuzzing fixture: a fake Bluesky PDS and the app pointed at it.</summary>
public sealed class FuzzEnvironment : IAsyncLifetime, IDisposable
{
    private FakeBlueskyServer? _pds;
    private FuzzSqliteApp? _app;

    public FakeBlueskyServer Pds => _pds ?? throw new InvalidOperationException("Not initialised.");

    public FuzzSqliteApp App => _app ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        _pds = await FakeBlueskyServer.StartAsync();
        var settings = new Dictionary<string, string?>(CalendarSettings.Values)
        {
            ["CrossPosting:ServiceUrl"] = _pds.BaseUrl.ToString(),
            ["CrossPosting:PlcDirectoryUrl"] = _pds.BaseUrl.ToString(),
            ["CrossPosting:PublicBaseUrl"] = CalendarSettings.PublicBaseUrl,
            ["Questions:Enabled"] = "true",
        };
        _app = new FuzzSqliteApp(settings);
        await _app.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await ((IAsyncLifetime)_app).DisposeAsync();
        }

        if (_pds is not null)
        {
            await _pds.DisposeAsync();
        }
    }

    public void Dispose() => _app?.Dispose();
}

/// <summary>What every fuzzed response must look like: no 5xx, and every 4xx an RFC 7807 problem.</summary>
public static class FuzzAssertions
{
    /// <summary>Returns why the response is unacceptable, or null.</summary>
    public static async Task<string?> CheckAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            return $"{status} server error: {Shorten(body, 2000)}";
        }

        if (status < 400)
        {
            return null;
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} with content type '{response.Content.Headers.ContentType}' instead of application/problem+json: {Shorten(body, 500)}";
        }

        JsonElement problem;
        try
        {
            problem = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException ex)
        {
            return $"{status} problem body is not JSON ({ex.Message}): {Shorten(body, 500)}";
        }

        if (!problem.TryGetProperty("status", out var statusProperty) || statusProperty.ValueKind != JsonValueKind.Number || statusProperty.GetInt32() != status)
        {
            return $"{status} problem without a matching status: {Shorten(body, 500)}";
        }

        if (!problem.TryGetProperty("title", out var title) || string.IsNullOrWhiteSpace(title.GetString()))
        {
            return $"{status} problem without a title: {Shorten(body, 500)}";
        }

        // A bad request names the field at fault, so a client can show the reason next to it.
        if (status is 400 or 422)
        {
            if (!problem.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object
                || !errors.EnumerateObject().Any(e => !string.IsNullOrEmpty(e.Name) && e.Value.ValueKind == JsonValueKind.Array
                    && e.Value.EnumerateArray().Any(r => !string.IsNullOrWhiteSpace(r.GetString()))))
            {
                return $"{status} problem without field errors: {Shorten(body, 500)}";
            }
        }

        return null;
    }

    public static async Task AssertHealthyAsync(LiveHubApp app)
    {
        var health = await app.AnonymousClient().GetAsync("/healthz");
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"/healthz answered {(int)health.StatusCode} after fuzzing: {await health.Content.ReadAsStringAsync()}");
    }

    public static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + $"… ({text.Length} chars)";

    /// <summary>Request bytes shown in a failure message: text where printable, escapes elsewhere.</summary>
    public static string Printable(byte[] bytes, int max = 1500)
    {
        var text = new StringBuilder();
        foreach (var b in bytes.Take(max))
        {
            text.Append(b is >= 0x20 and < 0x7f or (byte)'\n' ? ((char)b).ToString() : b == '\r' ? "\\r" : $"\\x{b:x2}");
        }

        return bytes.Length > max ? text + $"… ({bytes.Length} bytes)" : text.ToString();
    }
}

/// <summary>Collects fuzz failures (at most a few dozen) so one run reports several distinct bugs.</summary>
public sealed class FuzzFailures(int seed, string what)
{
    private readonly List<string> _failures = [];

    public int Count => _failures.Count;

    public bool Full => _failures.Count >= 25;

    public void Add(int index, string description, string reason) =>
        _failures.Add($"{FuzzSettings.Reproduce(seed, index)}: {description}\n  -> {reason}");

    public void AssertNone(int cases) =>
        Assert.True(_failures.Count == 0, $"{_failures.Count} of {cases} {what} failed (seed {seed}):\n\n" + string.Join("\n\n", _failures));
}

/// <summary>The slowest cases of a run, printed with the figures so a slow mutation is easy to find.</summary>
public sealed class SlowestCases
{
    private readonly List<(TimeSpan Took, string What)> _cases = [];

    public void Add(TimeSpan took, int index, string what) => _cases.Add((took, $"case {index}: {FuzzAssertions.Shorten(what, 200)}"));

    public IEnumerable<string> Top(int count) =>
        _cases.OrderByDescending(c => c.Took).Take(count).Select(c => $"  {c.Took.TotalMilliseconds:0} ms {c.What}");
}
