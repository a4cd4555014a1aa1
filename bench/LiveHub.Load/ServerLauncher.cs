using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace LiveHub.Load;

/// <summary>A server process this tool started; killed (by its id) when disposed.</summary>
public sealed class LaunchedServer(Process process, string? dataDirectory, StreamWriter log) : IDisposable
{
    private int _disposed;

    public int Pid => process.Id;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }

        if (dataDirectory is not null)
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

public static class ServerLauncher
{
    /// <summary>
    /// Starts LiveHub as in production (Release build, SQLite in a fresh temporary data folder, seeds
    /// loaded on first start), with an admin created by its own <c>create-admin</c> command.
    /// </summary>
    /// <remarks>
    /// Database settings in this tool's environment (<c>Database__Provider=Postgres</c>, <c>Database__ConnectionString</c>)
    /// reach the server, which is how several instances share one database; only the first creates the admin.
    /// </remarks>
    public static async Task<LaunchedServer> LaunchLiveHubAsync(string dll, string contentRoot, Uri url, string email, string password, bool createAdmin = true,
        IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var data = Directory.CreateTempSubdirectory("livehub-load-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database__DataDirectory"] = data,
            ["Seeds__LoadWhenEmpty"] = "true",
            // Configuration only: keep per-request console logging out of the measurement.
            ["Logging__LogLevel__Default"] = "Warning",
            ["LIVEHUB_ADMIN_PASSWORD"] = password,
        };
        var log = new StreamWriter(Path.Combine(data, "server.log")) { AutoFlush = true };
        if (createAdmin)
        {
            using var admin = Start(dll, ["create-admin", email], contentRoot, environment, log);
            await admin.WaitForExitAsync();
            if (admin.ExitCode != 0)
            {
                throw new InvalidOperationException($"create-admin failed ({admin.ExitCode}); see {data}/server.log");
            }
        }

        environment.Remove("LIVEHUB_ADMIN_PASSWORD");
        foreach (var (name, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        var process = Start(dll, ["--urls", url.GetLeftPart(UriPartial.Authority)], contentRoot, environment, log);
        var server = new LaunchedServer(process, data, log);
        await WaitReadyAsync(url, "healthz", process, server);
        return server;
    }

    public static async Task<LaunchedServer> LaunchBareAsync(string dll, Uri url)
    {
        var folder = Directory.CreateTempSubdirectory("bare-broadcast-").FullName;
        var log = new StreamWriter(Path.Combine(folder, "server.log")) { AutoFlush = true };
        var process = Start(dll, ["--urls", url.GetLeftPart(UriPartial.Authority)], Path.GetDirectoryName(Path.GetFullPath(dll))!,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, log);
        var server = new LaunchedServer(process, folder, log);
        await WaitReadyAsync(url, "listeners", process, server);
        return server;
    }

    private static Process Start(string dll, string[] args, string workingDirectory, Dictionary<string, string> environment, StreamWriter log)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.GetFullPath(dll));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {dll}.");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static async Task WaitReadyAsync(Uri url, string path, Process process, LaunchedServer server)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited)
            {
                server.Dispose();
                throw new InvalidOperationException($"The server exited during start-up ({process.ExitCode}).");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        server.Dispose();
        throw new TimeoutException("The server did not become ready within 90 s.");
    }

    /// <summary>Signs in as an editor and returns the bearer token.</summary>
    public static async Task<string> SignInAsync(HttpClient http, string email, string password)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/account/token", UriKind.Relative), new { email, password });
        await EnsureAsync(response, "sign-in");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("accessToken").GetString()!;
    }

    /// <summary>
    /// Starts coverage of the first two sessions of the first published event with sessions: the
    /// first stream is measured, the second only warms up the posting path (no one listens to it).
    /// </summary>
    public static async Task<(string Measured, string? Warmup)> PrepareStreamsAsync(HttpClient http, string token)
    {
        var measured = await PrepareStreamAsync(http, token, skip: 0);
        string? warmup = null;
        try
        {
            warmup = await PrepareStreamAsync(http, token, skip: 1);
        }
        catch (InvalidOperationException)
        {
        }

        return (measured, warmup);
    }

    /// <summary>Posts <paramref name="count"/> updates one after another, so the JIT has tiered up the posting path before measuring.</summary>
    public static async Task WarmUpAsync(HttpClient http, string token, string streamId, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/streams/{streamId}/posts", UriKind.Relative))
            {
                Content = JsonContent.Create(new { kind = "update", body = $"Warm-up {i}" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            await EnsureAsync(response, "warm-up post");
        }
    }

    public static async Task<string> PrepareStreamAsync(HttpClient http, string token, int skip)
    {
        using var events = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/events", UriKind.Relative)));
        foreach (var e in events.RootElement.GetProperty("items").EnumerateArray())
        {
            var slug = e.GetProperty("slug").GetString()!;
            using var streams = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/events/{slug}/streams", UriKind.Relative)));
            foreach (var s in streams.RootElement.EnumerateArray())
            {
                if (s.GetProperty("sessionId").ValueKind != JsonValueKind.String || skip-- > 0)
                {
                    continue;
                }

                var sessionId = s.GetProperty("sessionId").GetString();
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/events/{slug}/sessions/{sessionId}/coverage/start", UriKind.Relative));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request);
                await EnsureAsync(response, "coverage start");
                using var started = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return started.RootElement.GetProperty("id").GetString()!;
            }
        }

        throw new InvalidOperationException("No published event with a session: load the seeds or pass --stream.");
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
