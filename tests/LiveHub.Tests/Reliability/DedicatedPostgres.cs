using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace LiveHub.Tests.Reliability;

/// <summary>
/// A throwaway PostgreSQL 15 cluster owned by one test, so that the test can really stop the server (postmaster
/// gone, connections refused) and start it again on the same data and port without disturbing the shared test
/// server. Uses Debian's binaries (LIVEHUB_PG_BIN or /usr/lib/postgresql/15/bin), run as the postgres user when
/// the tests run as root.
/// </summary>
public sealed class DedicatedPostgres : IAsyncDisposable
{
    public const string BinEnvironmentVariable = "LIVEHUB_PG_BIN";
    private const string DefaultBin = "/usr/lib/postgresql/15/bin";

    private readonly string _bin;
    private readonly string _directory;
    private readonly string _dataDirectory;

    private DedicatedPostgres(string bin, string directory, int port)
    {
        _bin = bin;
        _directory = directory;
        _dataDirectory = Path.Combine(directory, "data");
        Port = port;
    }

    public int Port { get; }

    /// <summary>Connection string for the cluster's <c>postgres</c> database (trust authentication, 127.0.0.1 only).</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = "postgres",
    }.ConnectionString;

    public bool IsRunning { get; private set; }

    public static async Task<DedicatedPostgres> StartNewAsync()
    {
        var bin = Environment.GetEnvironmentVariable(BinEnvironmentVariable) is { Length: > 0 } configured ? configured : DefaultBin;
        if (!File.Exists(Path.Combine(bin, "initdb")) || !File.Exists(Path.Combine(bin, "pg_ctl")))
        {
            throw new InvalidOperationException(
                $"This test runs its own PostgreSQL 15 cluster and needs initdb and pg_ctl in {bin}: install Debian's postgresql-15 " +
                $"(apt-get install postgresql-15), or set {BinEnvironmentVariable} to the folder holding them.");
        }

        var directory = Directory.CreateTempSubdirectory("livehub-dedicated-pg-").FullName;
        var cluster = new DedicatedPostgres(bin, directory, FreePort());
        try
        {
            if (Environment.IsPrivilegedProcess)
            {
                await RunAsync("chown", ["postgres:postgres", directory]);
            }

            await cluster.RunAsPostgresAsync("initdb", ["-D", cluster._dataDirectory, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
            await cluster.StartAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server on the same data directory and port; returns once it accepts connections.</summary>
    public async Task StartAsync()
    {
        var options = string.Create(CultureInfo.InvariantCulture,
            $"-c listen_addresses=127.0.0.1 -p {Port} -k {_directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");
        await RunAsPostgresAsync("pg_ctl", ["-D", _dataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "30", "-o", options, "start"]);
        IsRunning = true;
    }

    /// <summary>A real stop ("fast": sessions are terminated, the postmaster exits); returns once it is gone.</summary>
    public async Task StopAsync()
    {
        await RunAsPostgresAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "30", "stop"]);
        IsRunning = false;
    }

    /// <summary>The server's log, for failure messages.</summary>
    public string ServerLog()
    {
        var path = Path.Combine(_directory, "server.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(no server log)";
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunAsPostgresAsync("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Already stopped; the folder goes anyway.
            }
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover in the temp folder is harmless.
        }
    }

    private Task RunAsPostgresAsync(string program, IReadOnlyList<string> arguments) =>
        Environment.IsPrivilegedProcess
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. arguments])
            : RunAsync(Path.Combine(_bin, program), arguments);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
