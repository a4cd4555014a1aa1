using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveHub.CrossPosting;
using LiveHub.Staff;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Operations;

/// <summary>/healthz/live and /healthz/ready as probes use them, and the staff status API (the database outage itself is in Reliability/DatabaseOutageTests).</summary>
public abstract class HealthAndStatusTests(LiveHubApp app)
{
    [Fact]
    public async Task Liveness_runs_no_check_and_readiness_checks_the_database_the_job_storage_and_bluesky()
    {
        var live = await app.AnonymousClient().GetFromJsonAsync<JsonElement>("/healthz/live");
        Assert.Equal("Healthy", live.GetProperty("status").GetString());
        Assert.Empty(live.GetProperty("checks").EnumerateObject());

        var ready = await app.AnonymousClient().GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("no-store", ready.Headers.CacheControl?.ToString());
        var checks = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
        Assert.Equal(["bluesky", "database", "jobs"], checks.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(checks.EnumerateObject(), c => Assert.Equal("Healthy", c.Value.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_bluesky_outage_makes_readiness_degraded_but_not_unhealthy_and_the_status_page_says_so()
    {
        var outage = app.Services.GetRequiredService<CrossPostOutageLog>();
        using var editor = await app.BearerClientAsync(StaffRoles.Editor);
        outage.Failed("com.atproto.repo.createRecord failed (HTTP 502)");
        try
        {
            var ready = await app.AnonymousClient().GetAsync("/healthz/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Degraded", body.GetProperty("status").GetString());
            Assert.Equal("Degraded", body.GetProperty("checks").GetProperty("bluesky").GetProperty("status").GetString());
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());

            var status = await editor.GetFromJsonAsync<JsonElement>("/api/status");
            Assert.True(status.GetProperty("crossPosting").GetProperty("failing").GetBoolean());
            Assert.Equal("Degraded", status.GetProperty("health").GetString());
        }
        finally
        {
            outage.Succeeded();
        }

        var after = await app.AnonymousClient().GetFromJsonAsync<JsonElement>("/healthz/ready");
        Assert.Equal("Healthy", after.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_status_lists_live_coverage_with_its_updates_and_refuses_anonymous_callers()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        using var editor = live.Editor;
        var streamId = live.StreamId;
        var slug = live.Slug;
        await live.PostAsync("Doors open");

        var status = await editor.GetFromJsonAsync<JsonElement>("/api/status");
        var stream = status.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("streamId").GetGuid() == streamId);
        Assert.Equal("Live", stream.GetProperty("state").GetString());
        Assert.Equal(slug, stream.GetProperty("eventSlug").GetString());
        Assert.True(stream.GetProperty("posts").GetInt32() >= 1);
        Assert.Equal(0, stream.GetProperty("viewers").GetInt32());
        Assert.Equal(JsonValueKind.Number, status.GetProperty("crossPosting").GetProperty("queued").ValueKind);

        await using (var viewer = await LiveClient.ConnectAsync(app))
        {
            await viewer.JoinAsync(streamId.ToString(), 0);
            var watched = await editor.GetFromJsonAsync<JsonElement>("/api/status");
            Assert.Equal(1, watched.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("streamId").GetGuid() == streamId).GetProperty("viewers").GetInt32());
            Assert.True(watched.GetProperty("viewers").GetInt32() >= 1);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.AnonymousClient().GetAsync("/api/status")).StatusCode);
    }
}

public sealed class HealthAndStatusTestsOnSqlite(SqliteApp app) : HealthAndStatusTests(app), IClassFixture<SqliteApp>;

public sealed class HealthAndStatusTestsOnPostgres(PostgresApp app) : HealthAndStatusTests(app), IClassFixture<PostgresApp>;
