using LiveHub.CrossPosting;
using LiveHub.Data;
using LiveHub.Events;
using LiveHub.Live;
using LiveHub.Staff;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LiveHub.Operations;

/// <summary>
/// What the comms team needs at a glance during a conference (/staff/status): who is watching which live stream
/// on this instance, whether cross-posts are flowing, and the last errors. Editors and admins; read-only.
/// </summary>
internal static class StatusEndpoints
{
    private const int ErrorLimit = 10;

    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/status", GetAsync).WithTags("Operations").RequireAuthorization(StaffPolicies.Editor);
        return app;
    }

    private static async Task<Ok<StatusResponse>> GetAsync(LiveHubDbContext db, LiveSubscriptions subscriptions, CrossPostQueueGauge queue,
        CrossPostOutageLog outage, HealthCheckService health, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var viewers = subscriptions.ListenerCounts();
        var watched = viewers.Keys.ToList();
        var streams = await db.LiveStreams.AsNoTracking()
            .Where(s => s.State == CoverageState.Live || watched.Contains(s.Id))
            .Select(s => new
            {
                s.Id, s.State, EventTitle = s.Event!.Title, EventSlug = s.Event.Slug, SessionTitle = s.Session == null ? null : s.Session.Title,
                Posts = db.LivePosts.Count(p => p.StreamId == s.Id && p.DeletedAtUtc == null),
                LastPostAt = db.LivePosts.Where(p => p.StreamId == s.Id).Max(p => (DateTime?)p.CreatedAtUtc),
            })
            .ToListAsync(cancellationToken);
        var liveStreams = streams
            .Select(s => new StreamStatus(s.Id, s.EventTitle, s.EventSlug, s.SessionTitle, s.State.ToString(), viewers.GetValueOrDefault(s.Id), s.Posts,
                s.LastPostAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null))
            .OrderByDescending(s => s.Viewers).ThenBy(s => s.EventTitle, StringComparer.Ordinal).ToList();

        var sample = await queue.SampleAsync(cancellationToken);
        var pausedUntil = await db.Set<CrossPostAccount>().AsNoTracking().Where(a => a.Id == CrossPostAccount.SingletonId)
            .Select(a => a.PausedUntilUtc).FirstOrDefaultAsync(cancellationToken);
        var errors = await db.Set<CrossPostItem>().AsNoTracking()
            .Where(i => i.LastError != null && (i.State == CrossPostState.Queued || i.State == CrossPostState.Sending || i.State == CrossPostState.Failed))
            .OrderByDescending(i => i.UpdatedAtUtc).Take(ErrorLimit)
            .Select(i => new { i.UpdatedAtUtc, i.StreamId, i.State, i.LastError })
            .ToListAsync(cancellationToken);
        var crossPosting = new CrossPostStatus(sample.Depth, Math.Round(sample.OldestAge.TotalSeconds), outage.InOutage,
            pausedUntil is { } paused && paused > now.UtcDateTime ? new DateTimeOffset(paused, TimeSpan.Zero) : null,
            [.. errors.Select(e => new ErrorStatus(new DateTimeOffset(e.UpdatedAtUtc, TimeSpan.Zero), e.StreamId, e.State.ToString(), e.LastError!))]);

        var report = await health.CheckHealthAsync(r => r.Tags.Contains(Health.HealthFeature.ReadyTag), cancellationToken);
        var checks = report.Entries.ToDictionary(e => e.Key, e => new CheckStatus(e.Value.Status.ToString(), e.Value.Description));

        return TypedResults.Ok(new StatusResponse(now, Environment.MachineName, viewers.Values.Sum(), liveStreams, crossPosting, report.Status.ToString(), checks));
    }
}

public sealed record StatusResponse(DateTimeOffset GeneratedAt, string Instance, int Viewers, IReadOnlyList<StreamStatus> Streams,
    CrossPostStatus CrossPosting, string Health, IReadOnlyDictionary<string, CheckStatus> Checks);

public sealed record StreamStatus(Guid StreamId, string EventTitle, string EventSlug, string? SessionTitle, string State, int Viewers, int Posts, DateTimeOffset? LastPostAt);

public sealed record CrossPostStatus(int Queued, double OldestQueuedSeconds, bool Failing, DateTimeOffset? PausedUntil, IReadOnlyList<ErrorStatus> LastErrors);

public sealed record ErrorStatus(DateTimeOffset At, Guid StreamId, string State, string Error);

public sealed record CheckStatus(string Status, string? Description);
