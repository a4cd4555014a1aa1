using System.Net;
using System.Text.Json;
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
    public async Task When_the_database_goes_away_health_and_api_answer_503_not_500()
    {
        await using var doomed = new PostgresApp();
        await doomed.InitializeAsync();
        var client = doomed.AnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/events")).StatusCode);

        await PostgresServer.DropDatabaseAsync(doomed.ConnectionString);

        var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("Unhealthy", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var api = await client.GetAsync("/api/events");
        await api.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(api.Headers.RetryAfter);
    }
}
