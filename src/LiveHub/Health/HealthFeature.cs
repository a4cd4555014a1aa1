using System.Text.Json;
using Hangfire;
using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LiveHub.Health;

public static class HealthFeature
{
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<JobStorageHealthCheck>("jobs", tags: [ReadyTag])
            .AddCheck<BlueskyHealthCheck>("bluesky", tags: [ReadyTag]);
        return services;
    }

    public const string ReadyTag = "ready";

    /// <summary>
    /// /healthz/live: the process answers (no check runs; for a liveness probe, which restarts on failure).
    /// /healthz/ready: the database and the job storage answer (503 otherwise); Bluesky trouble is "Degraded", still 200,
    /// because LiveHub keeps serving and queues the cross-posts. /healthz: the same checks as ready.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", Options(_ => true));
        app.MapHealthChecks("/healthz/ready", Options(check => check.Tags.Contains(ReadyTag)));
        app.MapHealthChecks("/healthz/live", Options(_ => false));
        return app;
    }

    private static Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions Options(Func<HealthCheckRegistration, bool> predicate) => new()
    {
        Predicate = predicate,
        ResponseWriter = WriteJson,
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            totalDurationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                data = e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}

internal sealed class DatabaseHealthCheck(IServiceProvider services, IOptions<DatabaseOptions> options, DatabaseOutage outage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["provider"] = options.Value.Provider.ToString() };
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            // A query rather than CanConnectAsync: its exception says why the database does not answer.
            await db.Database.ExecuteSqlRawAsync("SELECT 1", timeout.Token);
            outage.Answered();
            return HealthCheckResult.Healthy("The database answers.", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Logged once per outage by DatabaseOutage (the health check service's own Error per probe is filtered out
            // in appsettings.json).
            outage.Failed("health check", ex is OperationCanceledException ? new TimeoutException("No answer within 5 s.", ex) : ex);
            // The cause goes to the log, not to this public answer.
            return HealthCheckResult.Unhealthy("The database does not answer.", data: data);
        }
    }
}

/// <summary>Hangfire's storage answers (PostgreSQL's hangfire schema in production, memory on the embedded default).</summary>
internal sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Hangfire's storage API is synchronous: run it off the request thread, and give up after 5 s.
            var servers = await Task.Run(() => storage.GetMonitoringApi().Servers().Count, cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy("The job storage answers.", new Dictionary<string, object> { ["servers"] = servers });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The job storage does not answer.");
        }
    }
}

/// <summary>Degraded, never unhealthy: while Bluesky fails or cross-posts wait too long, LiveHub still serves and queues.</summary>
internal sealed class BlueskyHealthCheck(CrossPostOutageLog outage, CrossPostQueueGauge queue, IOptions<TelemetryOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var sample = queue.Latest;
        var data = new Dictionary<string, object>
        {
            ["queued"] = sample?.Depth ?? 0,
            ["oldestQueuedSeconds"] = Math.Round(sample?.OldestAge.TotalSeconds ?? 0),
        };
        if (outage.InOutage)
        {
            return Task.FromResult(HealthCheckResult.Degraded("Bluesky calls are failing; cross-posts wait in the outbox and are retried.", data: data));
        }

        if (sample is not null && sample.OldestAge > options.Value.QueueDegradedAfter)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"A cross-post has waited longer than {options.Value.QueueDegradedAfter}.", data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy("Cross-posting is not behind.", data));
    }
}
