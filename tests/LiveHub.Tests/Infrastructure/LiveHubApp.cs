using System.Net.Http.Headers;
using System.Net.Http.Json;
using LiveHub.Data;
using LiveHub.Staff;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Infrastructure;

/// <summary>
/// The real app on a real database of one provider: a temporary SQLite file or a fresh PostgreSQL
/// database. One per test class (xunit class fixture); tests inside use unique names.
/// </summary>
public abstract class LiveHubApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "livehub-tests", Guid.NewGuid().ToString("N"));
    private string? _connectionString;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Extra settings for a fixture (for example, loading the seeds).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>
    /// False for a second instance on another fixture's database: it is given the connection string
    /// in <see cref="Settings"/> and neither creates nor drops the database.
    /// </summary>
    protected virtual bool OwnsDatabase => true;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        _connectionString = !OwnsDatabase
            ? Settings["Database:ConnectionString"]
            : Provider == DatabaseProvider.Postgres
                ? await PostgresServer.CreateDatabaseAsync()
                : $"Data Source={Path.Combine(_dataDirectory, "livehub.db")}";
        // Build the host now so migrations run before the first test.
        _ = Services;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (OwnsDatabase && Provider == DatabaseProvider.Postgres && _connectionString is not null)
        {
            await PostgresServer.DropDatabaseAsync(_connectionString);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open on the way out is harmless in a temp folder.
        }
    }

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("Not initialised.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Provider.ToString());
        builder.UseSetting("Database:ConnectionString", ConnectionString);
        builder.UseSetting("Database:DataDirectory", _dataDirectory);
        builder.UseSetting("Seeds:LoadWhenEmpty", "false");
        // Hundreds of hosts per run: their Information lines on the console (every Bluesky call, job and migration) cost
        // CPU and nobody reads them. Tests that check logs use RecordingLoggerProvider, which this does not filter.
        builder.UseSetting("Logging:Console:LogLevel:Default", "Warning");
        // On in appsettings.json (the first run shows it); off here unless a fixture asks for it (Questions tests).
        builder.UseSetting("Questions:Enabled", "false");
        // Off unless a fixture asks for it (FirstRunTests): tests count the events and posts they create.
        builder.UseSetting("Seeds:Demo", "false");
        builder.UseSetting("SignIn:AttemptsPerMinute", "10000");
        // Test clients share one address; the throttle has its own tests (SignInThrottleApiTests).
        builder.UseSetting("SignIn:FreeFailuresPerAddress", "10000");
        builder.UseSetting("SignIn:FreeFailuresPerAccountAndAddress", "10000");
        // The same for audience questions (QuestionFloodTests checks the limit).
        builder.UseSetting("Questions:WebQuestionsPerMinute", "10000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public async Task<StaffUser> CreateStaffAsync(string? role, string? email = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var user = new StaffUser { UserName = email ?? $"{role ?? "nobody"}-{Guid.NewGuid():N}@example.org".ToLowerInvariant(), CreatedAtUtc = DateTime.UtcNow };
        user.Email = user.UserName;
        var created = await users.CreateAsync(user, Password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        if (role is not null)
        {
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        }

        return user;
    }

    /// <summary>A browser-like client: signed in with the staff cookie and sending the antiforgery header.</summary>
    public async Task<HttpClient> CookieClientAsync(string? role)
    {
        var user = await CreateStaffAsync(role);
        var client = CreateClient(NewClientOptions(handleCookies: true));
        await client.UseAntiforgeryAsync();
        var login = await client.PostAsJsonAsync("/api/account/login", new { email = user.Email, password = Password });
        Assert.Equal(System.Net.HttpStatusCode.OK, login.StatusCode);
        // The token is bound to the signed-in user, so fetch a fresh one after signing in.
        await client.UseAntiforgeryAsync();
        return client;
    }

    /// <summary>A script-like client: bearer token, no cookies.</summary>
    public async Task<HttpClient> BearerClientAsync(string? role)
    {
        var user = await CreateStaffAsync(role);
        var client = CreateClient(NewClientOptions(handleCookies: false));
        var response = await client.PostAsJsonAsync("/api/account/token", new { email = user.Email, password = Password });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    public HttpClient AnonymousClient() => CreateClient(NewClientOptions(handleCookies: true));

    /// <summary>Client options that keep the factory's base address (the real server's when a fixture uses Kestrel).</summary>
    private WebApplicationFactoryClientOptions NewClientOptions(bool handleCookies) =>
        new() { HandleCookies = handleCookies, BaseAddress = ClientOptions.BaseAddress };

    public async Task WithDbAsync(Func<LiveHubDbContext, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<LiveHubDbContext>());
    }

    private sealed record TokenResponse(string AccessToken, long ExpiresIn, string RefreshToken);
}

public class SqliteApp : LiveHubApp
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public class PostgresApp : LiveHubApp
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
}

public static class AntiforgeryClientExtensions
{
    public static async Task UseAntiforgeryAsync(this HttpClient client)
    {
        var token = await client.GetFromJsonAsync<AntiforgeryToken>("/api/account/antiforgery");
        client.DefaultRequestHeaders.Remove(token!.HeaderName);
        client.DefaultRequestHeaders.Add(token.HeaderName, token.Token);
    }

    private sealed record AntiforgeryToken(string Token, string HeaderName);
}
