using System.Diagnostics.Metrics;
using LiveHub.Live;

namespace LiveHub.Operations;

/// <summary>
/// LiveHub's own instruments (meter <see cref="MeterName"/>), read by OpenTelemetry when an exporter is configured and
/// by the staff status page. Names follow OpenTelemetry's conventions: lower case, dotted, unit in the metadata.
/// </summary>
public sealed class LiveHubMetrics
{
    public const string MeterName = "LiveHub";

    private readonly Histogram<double> _pushDuration;
    private readonly Histogram<long> _joinChanges;
    private readonly Counter<long> _posts;
    private readonly Histogram<double> _blueskyCallDuration;
    private readonly Counter<long> _rateLimitWaits;
    private readonly Counter<long> _crossPostFailures;

    public LiveHubMetrics(IMeterFactory meters, LiveSubscriptions subscriptions, CrossPostQueueGauge queue)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("livehub.live.viewers", () => subscriptions.ListenerCounts()
                .Select(s => new Measurement<int>(s.Value, new KeyValuePair<string, object?>("livehub.stream.id", s.Key.ToString()))),
            "{connection}", "Connections following each live stream on this instance.");
        _pushDuration = meter.CreateHistogram<double>("livehub.live.push.duration", "ms",
            "Time to hand one push of new changes to every connection of a stream on this instance (the fan-out).");
        _joinChanges = meter.CreateHistogram<long>("livehub.live.join.changes", "{post}",
            "Posts sent in answer to a join: the whole snapshot for a fresh start, what was missed for a catch-up.");
        _posts = meter.CreateCounter<long>("livehub.live.posts", "{post}", "Live updates published (rate: posts per minute).");
        meter.CreateObservableGauge("livehub.crosspost.queue.depth", () => queue.Latest?.Depth ?? 0, "{item}",
            "Cross-posts waiting to go to Bluesky (sampled).");
        meter.CreateObservableGauge("livehub.crosspost.queue.oldest_age", () => queue.Latest?.OldestAge.TotalSeconds ?? 0, "s",
            "Age of the oldest cross-post still waiting (sampled).");
        _blueskyCallDuration = meter.CreateHistogram<double>("livehub.bluesky.call.duration", "ms",
            "Bluesky XRPC calls by method and outcome (ok, rate_limited, client_error, server_error, network_error).");
        _rateLimitWaits = meter.CreateCounter<long>("livehub.crosspost.rate_limit.waits", "{wait}",
            "Times Bluesky's rate limit paused cross-posting.");
        _crossPostFailures = meter.CreateCounter<long>("livehub.crosspost.failures", "{attempt}",
            "Cross-post attempts that failed and will be retried (or were given up).");
    }

    public void PushSent(TimeSpan elapsed, int posts) =>
        _pushDuration.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("livehub.push.posts", posts > 1 ? "many" : "one"));

    public void Joined(int posts, bool snapshot) =>
        _joinChanges.Record(posts, new KeyValuePair<string, object?>("livehub.join.kind", snapshot ? "snapshot" : "catch_up"));

    public void PostPublished(string kind) => _posts.Add(1, new KeyValuePair<string, object?>("livehub.post.kind", kind));

    public void BlueskyCall(string method, string outcome, TimeSpan elapsed) => _blueskyCallDuration.Record(elapsed.TotalMilliseconds,
        new KeyValuePair<string, object?>("rpc.method", method), new KeyValuePair<string, object?>("livehub.outcome", outcome));

    public void RateLimited() => _rateLimitWaits.Add(1);

    public void CrossPostFailed() => _crossPostFailures.Add(1);

    /// <summary>The outcome class of a Bluesky answer, as the histogram tags it.</summary>
    public static string Outcome(int? statusCode) => statusCode switch
    {
        null => "network_error",
        429 => "rate_limited",
        >= 500 => "server_error",
        >= 400 => "client_error",
        _ => "ok",
    };
}
