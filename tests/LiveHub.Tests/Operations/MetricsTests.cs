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
/// exporter uses), read through OpenTelemetry's in-memory exporter after real traffic.
/// </summary>
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
    public async Task Posting_and_reading_record_posts_requests_the_queue_and_the_runtime()
    {
        var live = await LiveTestSupport.LiveSessionAsync(app);
        await live.PostAsync("First update");
        await live.PostAsync("A key moment", kind: "keyMoment");
        (await app.AnonymousClient().GetAsync($"/live/{live.Slug}")).EnsureSuccessStatusCode();

        var metrics = app.Collect();
        var posts = metrics["livehub.live.posts"];
        Assert.Equal(1, Sum(posts, "livehub.post.kind", "Update"));
        Assert.Equal(1, Sum(posts, "livehub.post.kind", "KeyMoment"));
        Assert.Contains("livehub.crosspost.queue.depth", metrics.Keys);
        Assert.Contains("livehub.crosspost.queue.oldest_age", metrics.Keys);
        Assert.Contains("http.server.request.duration", metrics.Keys);
        Assert.Contains(metrics.Keys, name => name.StartsWith("dotnet.gc.", StringComparison.Ordinal));
    }

    private static long Sum(List<MetricPoint> points, string tag, string value)
    {
        long sum = 0;
        foreach (var point in points)
        {
            foreach (var pair in point.Tags)
            {
                if (pair.Key == tag && Equals(pair.Value, value))
                {
                    sum += point.GetSumLong();
                }
            }
        }

        return sum;
    }
}
