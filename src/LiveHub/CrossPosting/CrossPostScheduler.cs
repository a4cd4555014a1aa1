using System.Collections.Concurrent;
using Quartz;

namespace LiveHub.CrossPosting;

/// <summary>
/// Quartz side of cross-posting: one durable job per stream (so <see cref="DisallowConcurrentExecutionAttribute"/>
/// serialises each stream across the cluster), triggered right after a commit and again at each retry time.
/// </summary>
public sealed class CrossPostScheduler(ISchedulerFactory factory, TimeProvider clock)
{
    public const string Group = "crosspost";
    public static readonly JobKey SweepJobKey = new("sweep", Group);
    public static readonly TriggerKey SweepTriggerKey = new("sweep", Group);

    private readonly ConcurrentDictionary<Guid, byte> _knownJobs = new();

    public static JobKey StreamJobKey(Guid streamId) => new($"stream-{streamId:N}", Group);

    public static TriggerKey RetryTriggerKey(Guid streamId) => new($"retry-{streamId:N}", Group);

    public Task<IScheduler> SchedulerAsync(CancellationToken cancellationToken) => factory.GetScheduler(cancellationToken).AsTask();

    /// <summary>Runs the stream's job now (or as soon as its current run ends).</summary>
    public async Task KickAsync(Guid streamId, CancellationToken cancellationToken)
    {
        var scheduler = await SchedulerAsync(cancellationToken);
        await EnsureJobAsync(scheduler, streamId, cancellationToken);
        await scheduler.TriggerJob(StreamJobKey(streamId), cancellationToken);
    }

    /// <summary>Runs the stream's job at <paramref name="at"/>, replacing an earlier-planned retry of that stream.</summary>
    public async Task ScheduleAsync(Guid streamId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var scheduler = await SchedulerAsync(cancellationToken);
        await EnsureJobAsync(scheduler, streamId, cancellationToken);
        var trigger = TriggerBuilder.Create(clock)
            .WithIdentity(RetryTriggerKey(streamId))
            .WithDescription("Cross-post retry")
            .ForJob(StreamJobKey(streamId))
            .StartAt(at)
            .Build();
        await scheduler.ScheduleTrigger(trigger, TriggerConflict.Replace, cancellationToken);
    }

    private async Task EnsureJobAsync(IScheduler scheduler, Guid streamId, CancellationToken cancellationToken)
    {
        if (_knownJobs.ContainsKey(streamId))
        {
            return;
        }

        var job = JobBuilder.Create<CrossPostStreamJob>()
            .WithIdentity(StreamJobKey(streamId))
            .WithDescription("Cross-posts one live stream to Bluesky, in order")
            .UsingJobData(CrossPostStreamJob.StreamIdKey, streamId.ToString())
            .StoreDurably()
            .Build();
        await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken);
        _knownJobs.TryAdd(streamId, 0);
    }
}

/// <summary>Drains one stream's outbox. Never runs twice at once for one stream, on any instance.</summary>
[DisallowConcurrentExecution]
public sealed class CrossPostStreamJob(CrossPostWorker worker) : IJob
{
    public const string StreamIdKey = "streamId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (context.MergedJobDataMap.TryGetValue(StreamIdKey, out var value) && Guid.TryParse(value?.ToString(), out var streamId))
        {
            await worker.DrainAsync(streamId, cancellationToken);
        }
    }
}

/// <summary>Recurring safety net: re-triggers every stream with due rows (after a crash, a lost trigger, a restart).</summary>
[DisallowConcurrentExecution]
public sealed class CrossPostSweepJob(CrossPostWorker worker) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await worker.SweepAsync(cancellationToken);
}
