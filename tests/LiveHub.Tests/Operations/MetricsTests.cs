using LiveHub.Operations;
using LiveHub.Tests.Infrastructure;
using LiveHub.Tests.Live;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace LiveHub.Tests.Operations;

/// <summary>
/// The metrics LiveHub's OpenTelemetry setup collects (the same <see cref="OperationsFeature.AddLiveHubMetrics"/> the OTLP
/// exporter uses), read through OpenTelemetry's in-memory exporter after real traffic. OpenTelemetry listens to every
/// meter named LiveHub in the process, so these run when no other test app is posting (their own collection).
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests(MetricsTests.MetricsApp app) : IClassFixture<MetricsTests.MetricsApp>
{
    public sealed class MetricsApp : SqliteApp
    {
        public List<Metric> Exported { get; } = [];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Telemetry:QueueSampleInterval", "00:00:01");
            builder.ConfigureTestServices(services => services.AddOpenTelemetry().WithMetrics(m => m.AddLiveHubMetrics().AddInMemoryExporter(Exported)));
        }

        public Dictionary<string, List<MetricPoint>> Collect()
        {
            lock (Exported)
            {
                Exported.Clear();
                Assert.True(Services.GetRequiredService<MeterProvider>().ForceFlush(10_000), "The metrics were not flushed.");
                var points = new Dictionary<string, List<MetricPoint>>(StringComparer.Ordinal);
                foreach (var metric in Exported)
                {
                    var list = points.TryGetValue(metric.Name, out var existing) ? existing : points[metric.Name] = [];
                    foreach (ref readonly var point in metric.GetMetricPoints())
                    {
                        list.Add(point);
                    }
                }

                return points;
            }
        }
    }

    [Fact]
    public async Task Posting_and_watching_record_posts_viewers_joins_pushes_requests_the_queue_and_the_runtime()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await live.PostAsync("Before anyone watched");
        await using var viewer = await LiveClient.ConnectAsync(app);
        var snapshot = await viewer.JoinAsync(live.StreamId.ToString(), 0);
        var joinedWith = snapshot.GetProperty("posts").GetArrayLength();
        await live.PostAsync("First update");
        await viewer.NextAsync("changes");
        await live.PostAsync("A key moment", kind: "keyMoment");
        await viewer.NextAsync("changes");
        (await app.AnonymousClient().GetAsync($"/live/{live.Slug}")).EnsureSuccessStatusCode();

        var metrics = app.Collect();
        var posts = metrics["livehub.live.posts"];
        Assert.Equal(2, Sum(posts, "livehub.post.kind", "Update"));
        Assert.Equal(1, Sum(posts, "livehub.post.kind", "KeyMoment"));
        Assert.Equal(1, Gauge(metrics["livehub.live.viewers"], "livehub.stream.id", live.StreamId.ToString()));
        var join = Assert.Single(metrics["livehub.live.join.changes"], p => HasTag(p, "livehub.join.kind", "snapshot"));
        Assert.Equal(1, join.GetHistogramCount());
        Assert.Equal(joinedWith, join.GetHistogramSum());
        Assert.True(metrics["livehub.live.push.duration"].Sum(p => p.GetHistogramCount()) >= 2, "The two pushes were not timed.");
        Assert.Contains("livehub.crosspost.queue.depth", metrics.Keys);
        Assert.Contains("livehub.crosspost.queue.oldest_age", metrics.Keys);
        Assert.Contains("http.server.request.duration", metrics.Keys);
        Assert.Contains(metrics.Keys, name => name.StartsWith("dotnet.gc.", StringComparison.Ordinal));
    }

    private static bool HasTag(MetricPoint point, string tag, string value)
    {
        foreach (var pair in point.Tags)
        {
            if (pair.Key == tag && Equals(pair.Value, value))
            {
                return true;
            }
        }

        return false;
    }

    private static long Gauge(List<MetricPoint> points, string tag, string value) =>
        points.Where(p => HasTag(p, tag, value)).Select(p => p.GetGaugeLastValueLong()).Single();

    private static long Sum(List<MetricPoint> points, string tag, string value) =>
        points.Where(p => HasTag(p, tag, value)).Sum(p => p.GetSumLong());
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Process-wide metrics";
}
