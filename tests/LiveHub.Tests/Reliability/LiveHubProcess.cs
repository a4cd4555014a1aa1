using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.Hosting;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// The real app binary (<c>dotnet LiveHub.dll</c>) on a fixed loopback port, configured through environment variables,
/// that a test can kill (SIGKILL), stop (SIGTERM) and start again on the same port and database.
/// </summary>
public sealed partial class LiveHubProcess : IAsyncDisposable
{
    public const string AdminEmail = "crash.admin@example.org";
    public const string AdminPassword = "a long admin password";

    private const int SigTerm = 15;
    // A ceiling, not a measurement: on a 2-core machine at load 40 (a clean-clone run beside three other builds) a start took over 60 s.
    private static readonly TimeSpan StartPatience = TimeSpan.FromMinutes(3);

    private readonly Dictionary<string, string?> _environment;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public LiveHubProcess(IReadOnlyDictionary<string, string?> settings)
    {
        Port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}");
        _environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = BaseAddress.ToString(),
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Seeds__LoadWhenEmpty"] = "false",
            // The demo replay writes on its own; tests that count rows or time writes run without it.
            ["Seeds__Demo"] = "false",
            // On in appsettings.json; its Bluesky poller would add reads to the fake PDS that tests count.
            ["Questions__Enabled"] = "false",
            ["SignIn__AttemptsPerMinute"] = "10000",
            ["Bootstrap__AdminEmail"] = AdminEmail,
            ["Bootstrap__AdminPassword"] = AdminPassword,
            // Warnings and errors only: less for the two cores to write, and what is left explains a failure.
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in settings)
        {
            _environment[key] = value;
        }
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public int Starts { get; private set; }

    /// <summary>How long each start took, from launching dotnet to the first healthy answer.</summary>
    public List<TimeSpan> StartTimes { get; } = [];

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Settings for a PostgreSQL database and a fake PDS, with the short cross-posting intervals of CrossPostingHost.</summary>
    public static Dictionary<string, string?> PostgresSettings(string connectionString, string dataDirectory, FakeBlueskyServer pds) => new()
    {
        ["Database__Provider"] = "Postgres",
        ["Database__ConnectionString"] = connectionString,
        ["Database__DataDirectory"] = dataDirectory,
        ["CrossPosting__ServiceUrl"] = pds.BaseUrl.ToString(),
        ["CrossPosting__PlcDirectoryUrl"] = pds.BaseUrl.ToString(),
        ["CrossPosting__PublicBaseUrl"] = "https://live.example.org",
        ["CrossPosting__RetryBaseDelay"] = "00:00:00.020",
        ["CrossPosting__RetryMaxDelay"] = "00:00:00.200",
        ["CrossPosting__SweepInterval"] = "00:00:00.500",
        ["CrossPosting__ClusterCheckinInterval"] = "00:00:01",
        ["CrossPosting__MaxAttempts"] = "100",
    };

    /// <summary>Everything the process wrote to stdout and stderr, across all its starts.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the process and waits until /healthz answers 200.</summary>
    public async Task StartAsync()
    {
        Assert.False(IsRunning, "The process is already running.");
        var clock = Stopwatch.StartNew();
        Launch(standardError: null);
        await WaitUntilHealthyAsync();
        StartTimes.Add(clock.Elapsed);
    }

    /// <summary>
    /// Starts the process for a run expected to end by itself (a bad setting, a command); returns its exit code (null if
    /// it still runs after <paramref name="timeout"/>) and what it wrote to stderr alone. <see cref="Output"/> has both streams.
    /// </summary>
    public async Task<(int? ExitCode, string StandardError)> RunToExitAsync(TimeSpan timeout)
    {
        Assert.False(IsRunning, "The process is already running.");
        var standardError = new StringBuilder();
        var process = Launch(standardError);
        var exitCode = await WaitForExitAsync(timeout);
        if (exitCode is not null)
        {
            // The exit is seen before the last redirected lines are read; this waits for the end of both streams.
            await process.WaitForExitAsync();
        }

        lock (standardError)
        {
            return (exitCode, standardError.ToString());
        }
    }

    private Process Launch(StringBuilder? standardError)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = testOutput.Parent!.Name; // bin/<Configuration>/net10.0
        var root = HostingOnSqlite.RepositoryRoot();
        var appDll = Path.Combine(root, "src", "LiveHub", "bin", configuration, "net10.0", "LiveHub.dll");
        Assert.True(File.Exists(appDll), $"Build the app first: {appDll} is missing.");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(root, "src", "LiveHub"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { appDll },
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            Append(e.Data);
            if (standardError is not null && e.Data is not null)
            {
                lock (standardError)
                {
                    standardError.AppendLine(e.Data);
                }
            }
        };
        Append($"--- start {Starts + 1} ---");
        Assert.True(process.Start(), "dotnet did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Starts++;
        return process;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("Not started.");
        process.Kill();
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as systemd, Docker and Kubernetes stop a service.</summary>
    public void Terminate()
    {
        var process = _process ?? throw new InvalidOperationException("Not started.");
        if (Kill(process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>The exit code, or null if the process is still running after <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("Not started.");
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async Task WaitUntilHealthyAsync()
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartPatience;
        while (true)
        {
            if (_process is { HasExited: true } exited)
            {
                await exited.WaitForExitAsync();
                Assert.Fail($"LiveHub exited with code {exited.ExitCode} while starting:\n{Tail()}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"LiveHub did not become healthy within {StartPatience}:\n{Tail()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A client with a bearer token for the bootstrap admin (tokens survive restarts: the key ring is in the database).</summary>
    public async Task<HttpClient> AdminClientAsync(TimeSpan? timeout = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        var response = await client.PostAsJsonAsync("/api/account/token", new { email = AdminEmail, password = AdminPassword });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The last lines of output, for failure messages.</summary>
    public string Tail(int lines = 60)
    {
        var all = Output.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
