using LiveHub.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace LiveHub.CrossPosting;

/// <summary>The admin jobs page's data: the outbox by state and stream, plus Quartz's triggers and cluster nodes.</summary>
internal static class CrossPostJobs
{
    private const int ListLimit = 100;

    public static async Task<Ok<CrossPostJobsResponse>> GetAsync(LiveHubDbContext db, CrossPostScheduler scheduler, TimeProvider clock, CancellationToken cancellationToken)
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
        var recent = await items.Where(i => i.State == CrossPostState.Posted || i.State == CrossPostState.Skipped)
            .OrderByDescending(i => i.UpdatedAtUtc).Take(20).ToListAsync(cancellationToken);
        var paused = await db.Set<CrossPostAccount>().Where(a => a.Id == CrossPostAccount.SingletonId).Select(a => a.PausedUntilUtc).FirstOrDefaultAsync(cancellationToken);

        var quartz = await QuartzStateAsync(scheduler, cancellationToken);
        return TypedResults.Ok(new CrossPostJobsResponse(
            counts, queues,
            scheduled.Select(CrossPostEndpoints.ToResponse).ToList(),
            failed.Select(CrossPostEndpoints.ToResponse).ToList(),
            recent.Select(CrossPostEndpoints.ToResponse).ToList(),
            quartz.Recurring, quartz.Pending, quartz.Instances, quartz.Scheduler,
            paused is { } p && p > now ? CrossPostEndpoints.Utc(p) : null));
    }

    private static async Task<(List<RecurringJobResponse> Recurring, List<RecurringJobResponse> Pending, List<SchedulerInstanceResponse> Instances, SchedulerResponse? Scheduler)> QuartzStateAsync(
        CrossPostScheduler crossPostScheduler, CancellationToken cancellationToken)
    {
        var scheduler = await crossPostScheduler.SchedulerAsync(cancellationToken);
        var metadata = await scheduler.GetMetadata(cancellationToken);
        var triggers = await scheduler.QueryTriggers(new TriggerQuery { Group = GroupMatcher<TriggerKey>.GroupEquals(CrossPostScheduler.Group) }, cancellationToken);
        var recurring = new List<RecurringJobResponse>();
        var pending = new List<RecurringJobResponse>();
        foreach (var trigger in triggers.Items)
        {
            var response = new RecurringJobResponse(trigger.Key.ToString(), trigger.Description, trigger.State.ToString(), trigger.NextFireTimeUtc, trigger.PreviousFireTimeUtc);
            (trigger.Key.Equals(CrossPostScheduler.SweepTriggerKey) ? recurring : pending).Add(response);
        }

        var instances = new List<SchedulerInstanceResponse>();
        if (metadata.JobStoreClustered)
        {
            foreach (var node in await scheduler.QueryClusterNodes(cancellationToken))
            {
                instances.Add(new SchedulerInstanceResponse(node.InstanceId, node.LastCheckInUtc, node.CheckInInterval, node.State.ToString(), node.IsCurrentNode));
            }
        }
        else
        {
            // A single (SQLite) scheduler has no check-ins; it is this process.
            instances.Add(new SchedulerInstanceResponse(metadata.SchedulerInstanceId, null, null, metadata.Status.ToString(), true));
        }

        var schedulerResponse = new SchedulerResponse(metadata.SchedulerName, metadata.SchedulerInstanceId, metadata.Status.ToString(), metadata.JobStorePersistent,
            metadata.JobStoreClustered, metadata.JobStoreTypeName, metadata.ThreadPoolSize, metadata.JobsExecuted, metadata.RunningSince, metadata.Version);
        return (recurring, pending.OrderBy(p => p.NextFireAt).Take(ListLimit).ToList(), instances, schedulerResponse);
    }
}
