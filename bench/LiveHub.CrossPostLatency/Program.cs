using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Data;
using LiveHub.Staff;
using LiveHub.Testing.FakeBluesky;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.CrossPostLatency;

// Cross-posting latency: LiveHub (in process, production cross-posting settings) against the fake PDS on loopback.
// For each live post: from its commit (the post's CreatedAtUtc, taken inside the saving transaction, so slightly
// before the commit: an upper bound) to the moment the fake PDS received the putRecord carrying its text.
//
//   dotnet run -c Release --project bench/LiveHub.CrossPostLatency -- [streams] [postsPerStream] [intervalMs]
//   LIVEHUB_BENCH_POSTGRES="Host=127.0.0.1;Port=55432;Username=postgres" ... (PostgreSQL instead of SQLite)
//   LIVEHUB_BENCH_FASTPATH=Hangfire ... (enqueue the stream's Hangfire job after each commit instead of draining in process)
internal static class LatencyBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        var streams = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
        var postsPerStream = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
        var interval = TimeSpan.FromMilliseconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500);
        var postgres = Environment.GetEnvironmentVariable("LIVEHUB_BENCH_POSTGRES");

        await using var pds = await FakeBlueskyServer.StartAsync();
        var folder = Directory.CreateTempSubdirectory("livehub-crosspost-bench").FullName;
        string connectionString;
        string? database = null;
        if (postgres is { Length: > 0 })
        {
            database = $"livehub_bench_{Guid.NewGuid():N}";
            await using var admin = new Npgsql.NpgsqlConnection(postgres);
            await admin.OpenAsync();
            await new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin).ExecuteNonQueryAsync();
            connectionString = new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString;
        }
        else
        {
            connectionString = $"Data Source={Path.Combine(folder, "livehub.db")}";
        }

        var provider = database is null ? DatabaseProvider.Sqlite : DatabaseProvider.Postgres;
        await using (var app = new BenchApp(provider, connectionString, folder, pds))
        {
            var adminClient = await app.BearerClientAsync(StaffRoles.Admin);
            var slug = "bench-" + Guid.NewGuid().ToString("N")[..8];
            await (await adminClient.PostAsJsonAsync("/api/events", new
            {
                slug, title = "Benchmark conference", startsAt = "2030-06-01T09:00", endsAt = "2030-06-01T17:00", timeZone = "Europe/London", venue = new { name = "Hall A" }, isPublished = true,
            })).OkAsync();
            for (var i = 0; i < streams; i++)
            {
                await (await adminClient.PostAsJsonAsync($"/api/events/{slug}/sessions", new { title = $"Session {i + 1}", startsAt = "2030-06-01T10:00", endsAt = "2030-06-01T11:00" })).OkAsync();
            }

            await (await adminClient.PutAsJsonAsync("/api/crosspost/account", new { handle = pds.DefaultAccount.Handle, appPassword = pds.DefaultAccount.AppPassword })).OkAsync();
            await (await adminClient.PutAsJsonAsync($"/api/crosspost/events/{slug}", new { enabled = true })).OkAsync();
            var list = await adminClient.GetFromJsonAsync<JsonElement>($"/api/events/{slug}/streams");
            var sessionStreams = list.EnumerateArray().Where(s => s.GetProperty("sessionId").ValueKind == JsonValueKind.String)
                .Select(s => (Stream: s.GetProperty("id").GetGuid(), Session: s.GetProperty("sessionId").GetGuid())).ToList();
            foreach (var (_, session) in sessionStreams)
            {
                await (await adminClient.PostAsync($"/api/events/{slug}/sessions/{session}/coverage/start", null)).OkAsync();
            }

            await WaitForAsync(() => pds.Posts().Count >= streams, TimeSpan.FromSeconds(60));
            var started = Stopwatch.StartNew();
            var editors = await Task.WhenAll(sessionStreams.Select(_ => app.BearerClientAsync(StaffRoles.Editor)));
            await Task.WhenAll(sessionStreams.Select(async (s, index) =>
            {
                var random = new Random(index);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next((int)interval.TotalMilliseconds)));
                for (var n = 1; n <= postsPerStream; n++)
                {
                    var response = await editors[index].PostAsJsonAsync($"/api/streams/{s.Stream}/posts", new { kind = "update", body = $"Stream {index + 1} update {n}" });
                    await response.OkAsync();
                    await Task.Delay(interval * (0.5 + random.NextDouble()));
                }
            }));
            var expected = streams * (postsPerStream + 1);
            await WaitForAsync(() => pds.Posts().Count >= expected, TimeSpan.FromMinutes(5));
            var elapsed = started.Elapsed;

            // Commit times from the database; arrival times from the fake's request log (first putRecord per text).
            var committed = await app.WithDbAsync(db => db.LivePosts.AsNoTracking().Where(p => p.Body.Contains(" update ")).Select(p => new { p.Body, p.CreatedAtUtc }).ToListAsync());
            var arrived = pds.RequestsFor("com.atproto.repo.putRecord")
                .Select(r => (Text: JsonDocument.Parse(r.Body).RootElement.GetProperty("record").GetProperty("text").GetString()!, r.Timestamp))
                .GroupBy(r => r.Text).ToDictionary(g => g.Key, g => g.Min(r => r.Timestamp));
            var latencies = committed.Select(c => (arrived[c.Body] - new DateTimeOffset(c.CreatedAtUtc, TimeSpan.Zero)).TotalMilliseconds).Order().ToList();
            double Percentile(double p) => latencies[Math.Clamp((int)Math.Ceiling(p * latencies.Count) - 1, 0, latencies.Count - 1)];

            Console.WriteLine($"database={provider} fastPath={BenchApp.FastPath} streams={streams} postsPerStream={postsPerStream} interval={interval.TotalMilliseconds:0}ms±50% posts={latencies.Count}");
            Console.WriteLine(FormattableString.Invariant($"commit→putRecord ms: p50={Percentile(0.50):0.0} p95={Percentile(0.95):0.0} p99={Percentile(0.99):0.0} max={latencies[^1]:0.0}"));
            Console.WriteLine(FormattableString.Invariant($"throughput: {latencies.Count / elapsed.TotalSeconds:0.0} posts/s over {elapsed.TotalSeconds:0.0} s; duplicates on PDS: {pds.Posts().Count - pds.Posts().Select(p => p.Text).Distinct().Count()}"));
        }

        if (database is not null)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var admin = new Npgsql.NpgsqlConnection(postgres);
            await admin.OpenAsync();
            await new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin).ExecuteNonQueryAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The cross-posts did not all arrive in time.");
            }

            await Task.Delay(10);
        }
    }
}

internal static class PdsExtensions
{
    public static async Task OkAsync(this Task<HttpResponseMessage> call) => await (await call).OkAsync();

    public static async Task OkAsync(this HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public static IReadOnlyList<StoredRecord> Posts(this FakeBlueskyServer pds) => pds.GetRecords(collection: FakeBlueskyServer.PostCollection);
}

/// <summary>LiveHub with its production cross-posting settings, pointed at the fake PDS.</summary>
internal sealed class BenchApp(DatabaseProvider provider, string connectionString, string dataDirectory, FakeBlueskyServer pds) : WebApplicationFactory<Program>
{
    private const string Password = "correct horse battery staple";

    public static string FastPath => Environment.GetEnvironmentVariable("LIVEHUB_BENCH_FASTPATH") is { Length: > 0 } value ? value : "InProcess";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseContentRoot(AppContentRoot());
        builder.UseSetting("Database:Provider", provider.ToString());
        builder.UseSetting("Database:ConnectionString", connectionString);
        builder.UseSetting("Database:DataDirectory", dataDirectory);
        builder.UseSetting("Seeds:LoadWhenEmpty", "false");
        builder.UseSetting("SignIn:AttemptsPerMinute", "10000");
        builder.UseSetting("CrossPosting:ServiceUrl", pds.BaseUrl.ToString());
        builder.UseSetting("CrossPosting:PlcDirectoryUrl", pds.BaseUrl.ToString());
        builder.UseSetting("CrossPosting:PublicBaseUrl", "https://live.example.org");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("CrossPosting:FastPath", FastPath);
    }

    /// <summary>src/LiveHub, found upwards from the binary (dotnet run from any folder).</summary>
    private static string AppContentRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "src", "LiveHub");
            if (File.Exists(Path.Combine(candidate, "LiveHub.csproj")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("src/LiveHub not found above " + AppContext.BaseDirectory);
    }

    public async Task<HttpClient> BearerClientAsync(string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.org".ToLowerInvariant();
        await using (var scope = Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = new StaffUser { UserName = email, Email = email, CreatedAtUtc = DateTime.UtcNow };
            (await users.CreateAsync(user, Password)).Succeeded.ToString();
            await users.AddToRoleAsync(user, role);
        }

        var client = CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, BaseAddress = new Uri("https://localhost") });
        var response = await client.PostAsJsonAsync("/api/account/token", new { email, password = Password });
        await response.OkAsync();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<T> WithDbAsync<T>(Func<LiveHubDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<LiveHubDbContext>());
    }
}
