using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using LiveHub.Tests.Infrastructure;

namespace LiveHub.Tests.Hosting;

public abstract class HostingTests(LiveHubApp app)
{
    [Fact]
    public async Task Health_reports_the_database()
    {
        var response = await app.AnonymousClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var database = body.GetProperty("checks").GetProperty("database");
        Assert.Equal("Healthy", database.GetProperty("status").GetString());
        Assert.Equal(app.Provider.ToString(), database.GetProperty("data").GetProperty("provider").GetString());
    }
}

public sealed class HostingOnSqlite(SqliteApp app) : HostingTests(app), IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Files_from_the_top_level_wwwroot_are_served()
    {
        var repositoryCss = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "wwwroot", "css", "site.css"));
        var served = await app.AnonymousClient().GetStringAsync("/css/site.css");
        Assert.Equal(repositoryCss, served);
    }

    [Fact]
    public async Task OpenApi_document_describes_the_api()
    {
        var document = JsonDocument.Parse(await app.AnonymousClient().GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/events", out _));
        Assert.True(paths.TryGetProperty("/api/events/{slug}/sessions", out _));
        Assert.True(paths.TryGetProperty("/api/speakers", out _));
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LiveHub.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("LiveHub.sln not found above the test output folder.");
    }
}

public sealed class HostingOnPostgres(PostgresApp app) : HostingTests(app), IClassFixture<PostgresApp>
{
    [Fact]
    public async Task While_the_database_refuses_connections_health_and_api_answer_503_and_recover_without_a_restart()
    {
        await using var outage = new PostgresApp();
        await outage.InitializeAsync();
        var client = outage.AnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/events")).StatusCode);
        var database = new Npgsql.NpgsqlConnectionStringBuilder(outage.ConnectionString).Database;

        await AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}';");
        Npgsql.NpgsqlConnection.ClearAllPools();
        try
        {
            var health = await client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("Unhealthy", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var api = await client.GetAsync("/api/events");
            await api.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(api.Headers.RetryAfter);
        }
        finally
        {
            await AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true;");
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var status = (await client.GetAsync("/healthz")).StatusCode;
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            status = (await client.GetAsync("/healthz")).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/events")).StatusCode);
    }

    [Fact]
    public async Task A_database_outage_is_logged_once_as_a_warning_with_its_cause_and_once_when_it_recovers()
    {
        await using var outage = new LogRecordingPostgresApp();
        await outage.InitializeAsync();
        var client = outage.AnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/events")).StatusCode);
        var database = new Npgsql.NpgsqlConnectionStringBuilder(outage.ConnectionString).Database;
        var start = outage.Logs.Count;

        await AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}';");
        Npgsql.NpgsqlConnection.ClearAllPools();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/api/events")).StatusCode);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
            }
        }
        finally
        {
            await AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true;");
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await client.GetAsync("/api/events")).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        // What the shipped logging configuration lets through, from the outage to the recovery, Hangfire's included.
        var logged = outage.Logs.Records.Skip(start).ToList();
        var report = string.Join("\n", logged.Where(r => r.Level >= LogLevel.Information));
        var warning = Assert.Single(logged, r => r.Level >= LogLevel.Warning);
        Assert.True(warning.Level == LogLevel.Warning && warning.Category == typeof(LiveHub.Data.DatabaseOutage).FullName, report);
        Assert.Matches("57P01|55000", warning.Message); // the cause: connections terminated, or refused
        Assert.Null(warning.Exception);
        var recovered = Assert.Single(logged, r => r.Category == typeof(LiveHub.Data.DatabaseOutage).FullName && r.Level == LogLevel.Information);
        Assert.Matches(@"available again after \d+\.\d s", recovered.Message);
        Assert.DoesNotContain(logged, r => r.Text.Contains("   at ", StringComparison.Ordinal));
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(PostgresServer.ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class LogRecordingPostgresApp : PostgresApp
{
    /// <summary>What the app logs with its own configuration (appsettings.json's levels), as an operator would see it.</summary>
    public RecordingLoggerProvider Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }
}
