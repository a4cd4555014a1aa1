using LiveHub.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.CrossPosting;

/// <summary>
/// The admin jobs page's data: the outbox by state and stream (what Hangfire's dashboard cannot show: each stream's
/// queue, lease holder, head row's attempts and last error, the account's rate-limit pause), plus a summary of
/// Hangfire's recurring jobs and servers (the dashboard at <see cref="CrossPostingFeature.DashboardPath"/> has the rest).
/// </summary>
internal static class CrossPostJobs
{
    private const int ListLimit = 100;

    public static async Task<Ok<CrossPostJobsResponse>> GetAsync(LiveHubDbContext db, JobStorage storage, CrossPostScheduler scheduler, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var items = db.Set<CrossPostItem>().AsNoTracking();
        var counts = (await items.GroupBy(i => i.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken))
            .ToDictionary(c => c.Key.ToString().ToLowerInvariant(), c => c.Count);
        foreach (var state in Enum.GetValues<CrossPostState>())
        {
            counts.TryAdd(state.ToString().ToLowerInvariant(), 0);
        }

        var active = await items.Where(i => i.State == CrossPostState.Queued || i.State == CrossPostState.Sending || i.State == CrossPostState.Failed)
            .GroupBy(i => i.StreamId)
            .Select(g => new
            {
                StreamId = g.Key,
                Queued = g.Count(i => i.State == CrossPostState.Queued),
                Sending = g.Count(i => i.State == CrossPostState.Sending),
                Failed = g.Count(i => i.State == CrossPostState.Failed),
            })
            .ToListAsync(cancellationToken);
        var streamIds = active.Select(a => a.StreamId).ToList();
        var pendingRows = await items.Where(i => streamIds.Contains(i.StreamId) && (i.State == CrossPostState.Queued || i.State == CrossPostState.Sending))
            .Select(i => new { i.StreamId, i.NextAttemptAtUtc, i.ChangeSequence, i.Part, i.Attempts, i.LastError }).ToListAsync(cancellationToken);
        var nextAttempts = pendingRows.GroupBy(x => x.StreamId).ToDictionary(g => g.Key, g => g.Min(x => x.NextAttemptAtUtc));
        // The head is what a stream waits on (rows go out strictly in order): its attempts and last error say why.
        var heads = pendingRows.GroupBy(x => x.StreamId).ToDictionary(g => g.Key, g => g.OrderBy(x => x.ChangeSequence).ThenBy(x => x.Part).First());
        var streams = await db.LiveStreams.AsNoTracking().Include(s => s.Event).Include(s => s.Session)
            .Where(s => streamIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        var threads = await db.Set<CrossPostThread>().AsNoTracking().Where(t => streamIds.Contains(t.StreamId)).ToDictionaryAsync(t => t.StreamId, cancellationToken);
        var queues = active.Select(a =>
        {
            var stream = streams.GetValueOrDefault(a.StreamId);
            var thread = threads.GetValueOrDefault(a.StreamId);
            var leased = thread?.LeaseUntilUtc is { } until && until > now;
            return new CrossPostStreamQueue(a.StreamId, stream?.Event?.Title ?? "(deleted event)", stream?.Session?.Title, a.Queued, a.Sending, a.Failed,
                nextAttempts.TryGetValue(a.StreamId, out var next) ? CrossPostEndpoints.Utc(next) : null,
                leased ? thread!.LeaseOwner : null, leased ? CrossPostEndpoints.Utc(thread!.LeaseUntilUtc!.Value) : null,
                CrossPostEndpoints.BlueskyUrl(thread?.RootUri),
                heads.TryGetValue(a.StreamId, out var head) ? head.Attempts : 0,
                head?.LastError);
        }).OrderBy(q => q.NextAttemptAt).ToList();

        var scheduled = await items.Where(i => i.State == CrossPostState.Queued && i.NextAttemptAtUtc > now)
            .OrderBy(i => i.NextAttemptAtUtc).Take(ListLimit).ToListAsync(cancellationToken);
        var failed = await items.Where(i => i.State == CrossPostState.Failed)
            .OrderByDescending(i => i.UpdatedAtUtc).Take(ListLimit).ToListAsync(cancellationToken);
        var recent = await items.Where(i => i.State == CrossPostState.Posted || i.State == CrossPostState.Skipped || i.State == CrossPostState.Deleted)
            .OrderByDescending(i => i.UpdatedAtUtc).Take(20).ToListAsync(cancellationToken);
        var paused = await db.Set<CrossPostAccount>().Where(a => a.Id == CrossPostAccount.SingletonId).Select(a => a.PausedUntilUtc).FirstOrDefaultAsync(cancellationToken);

        var hangfire = HangfireState(storage, scheduler);
        return TypedResults.Ok(new CrossPostJobsResponse(
            counts, queues,
            scheduled.Select(CrossPostEndpoints.ToResponse).ToList(),
            failed.Select(CrossPostEndpoints.ToResponse).ToList(),
            recent.Select(CrossPostEndpoints.ToResponse).ToList(),
            hangfire.Recurring, hangfire.Pending, hangfire.Instances, hangfire.Scheduler,
            paused is { } p && p > now ? CrossPostEndpoints.Utc(p) : null));
    }

    private static (List<RecurringJobResponse> Recurring, List<RecurringJobResponse> Pending, List<SchedulerInstanceResponse> Instances, SchedulerResponse Scheduler) HangfireState(
        JobStorage storage, CrossPostScheduler scheduler)
    {
        List<RecurringJobDto> recurringJobs;
        using (var connection = storage.GetConnection())
        {
            recurringJobs = connection.GetRecurringJobs();
        }

        var recurring = recurringJobs.Select(r => new RecurringJobResponse(r.Id, r.Cron, r.LastJobState ?? (r.Removed ? "Removed" : "Scheduled"),
            Utc(r.NextExecution), Utc(r.LastExecution))).ToList();
        // This instance's wake-ups: streams waiting on a retry time (the outbox row's next attempt).
        var pending = scheduler.Wakeups.OrderBy(w => w.Value).Take(ListLimit)
            .Select(w => new RecurringJobResponse($"wake-{w.Key:N}", "Cross-post retry (this instance)", "Waiting", w.Value, null)).ToList();
        var monitoring = storage.GetMonitoringApi();
        var servers = monitoring.Servers();
        var thisServer = $"{Environment.MachineName}:{Environment.ProcessId}";
        var instances = servers.Select(s => new SchedulerInstanceResponse(s.Name, Utc(s.Heartbeat), null, $"{s.WorkersCount} workers, queues {string.Join(", ", s.Queues)}",
            s.Name.StartsWith(thisServer + ":", StringComparison.Ordinal) || s.Name == thisServer)).ToList();
        var statistics = monitoring.GetStatistics();
        var clustered = storage is Hangfire.PostgreSql.PostgreSqlStorage;
        var version = typeof(JobStorage).Assembly.GetName().Version?.ToString(3) ?? "";
        var schedulerResponse = new SchedulerResponse("Hangfire", thisServer, servers.Count > 0 ? "Running" : "No servers",
            Persistent: clustered, Clustered: clustered, storage.GetType().Name, servers.Sum(s => s.WorkersCount),
            (int)Math.Min(int.MaxValue, statistics.Succeeded), servers.Select(s => (DateTime?)s.StartedAt).Min() is { } started ? Utc(started) : null, version);
        return (recurring, pending, instances, schedulerResponse);
    }

    private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}
