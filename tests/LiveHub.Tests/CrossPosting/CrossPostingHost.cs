using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Staff;
using LiveHub.Testing.FakeBluesky;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveHub.Tests.CrossPosting;

/// <summary>
/// One LiveHub instance pointed at a fake PDS, on a database it does not own: several hosts can share one
/// database (a restart, or a second instance of a cluster). Retry, sweep and check-in intervals are milliseconds.
/// </summary>
public sealed class CrossPostingHost(DatabaseProvider provider, string connectionString, string dataDirectory, FakeBlueskyServer pds,
    IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null, RecordingLoggerProvider? logs = null) : WebApplicationFactory<Program>
{
    public const string Password = "correct horse battery staple";
    public const string PublicBaseUrl = "https://live.example.org";

    /// <summary>A live post whose body is this makes the post's transaction fail after the interceptors ran.</summary>
    public const string FailingBody = "this post fails to commit";

    public DatabaseProvider Provider => provider;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", provider.ToString());
        builder.UseSetting("Database:ConnectionString", connectionString);
        builder.UseSetting("Database:DataDirectory", dataDirectory);
        builder.UseSetting("Seeds:LoadWhenEmpty", "false");
        // Hundreds of hosts per run: their Information lines on the console (every Bluesky call, job and migration) cost
        // CPU and nobody reads them. Tests that check logs use RecordingLoggerProvider, which this does not filter.
        builder.UseSetting("Logging:Console:LogLevel:Default", "Warning");
        // On in appsettings.json (the first run shows it); off here unless a fixture asks for it (Questions tests).
        builder.UseSetting("Questions:Enabled", "false");
        builder.UseSetting("Seeds:Demo", "false");
        builder.UseSetting("SignIn:AttemptsPerMinute", "10000");
        builder.UseSetting("CrossPosting:ServiceUrl", pds.BaseUrl.ToString());
        builder.UseSetting("CrossPosting:PlcDirectoryUrl", pds.BaseUrl.ToString());
        builder.UseSetting("CrossPosting:PublicBaseUrl", PublicBaseUrl);
        builder.UseSetting("CrossPosting:RetryBaseDelay", "00:00:00.020");
        builder.UseSetting("CrossPosting:RetryMaxDelay", "00:00:00.200");
        builder.UseSetting("CrossPosting:SweepInterval", "00:00:00.500");
        builder.UseSetting("CrossPosting:ClusterCheckinInterval", "00:00:01");
        builder.UseSetting("CrossPosting:MaxAttempts", "100");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (logs is not null)
        {
            builder.ConfigureLogging(logging =>
            {
                logging.AddProvider(logs);
                logging.AddFilter<RecordingLoggerProvider>(null, LogLevel.Trace);
                logging.SetMinimumLevel(LogLevel.Trace);
            });
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddScoped<ILiveChangeInterceptor, FailingInterceptor>();
            if (clock is not null)
            {
                // One clock for the app (its backoff, leases and wake-ups) and the Bluesky client.
                services.AddSingleton(clock);
            }
        });
    }

    public async Task<HttpClient> BearerClientAsync(string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.org".ToLowerInvariant();
        await using (var scope = Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = new StaffUser { UserName = email, Email = email, CreatedAtUtc = DateTime.UtcNow };
            Assert.True((await users.CreateAsync(user, Password)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        }

        var client = CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var response = await client.PostAsJsonAsync("/api/account/token", new { email, password = Password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<T> WithDbAsync<T>(Func<LiveHubDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<LiveHubDbContext>());
    }

    private sealed class FailingInterceptor : ILiveChangeInterceptor
    {
        public Task OnChangeAsync(LiveHubDbContext db, LiveStream stream, LivePost? post, LiveChangeKind kind, CancellationToken cancellationToken) =>
            post?.Body == FailingBody ? throw new InvalidOperationException("Simulated failure inside the post transaction.") : Task.CompletedTask;
    }
}

/// <summary>A database (SQLite file or PostgreSQL database) and data folder that outlive the hosts using them.</summary>
public sealed class CrossPostingDatabase : IAsyncDisposable
{
    private CrossPostingDatabase(DatabaseProvider provider, string connectionString, string dataDirectory)
    {
        Provider = provider;
        ConnectionString = connectionString;
        DataDirectory = dataDirectory;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    public string DataDirectory { get; }

    public static async Task<CrossPostingDatabase> CreateAsync(DatabaseProvider provider)
    {
        var folder = Path.Combine(Path.GetTempPath(), "livehub-tests", "crosspost-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var connectionString = provider == DatabaseProvider.Postgres
            ? await PostgresServer.CreateDatabaseAsync("livehub_crosspost")
            : $"Data Source={Path.Combine(folder, "livehub.db")}";
        return new CrossPostingDatabase(provider, connectionString, folder);
    }

    public CrossPostingHost Host(FakeBlueskyServer pds, IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null, RecordingLoggerProvider? logs = null)
    {
        var host = new CrossPostingHost(Provider, ConnectionString, DataDirectory, pds, settings, clock, logs);
        _ = host.Services; // start now: migrations, the Hangfire server
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        if (Provider == DatabaseProvider.Postgres)
        {
            await PostgresServer.DropDatabaseAsync(ConnectionString);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // harmless in a temp folder
        }
    }
}
