using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LiveHub.Operations;

public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>An OTLP collector (e.g. http://otel-collector:4317). Unset: nothing is exported (the standard
    /// OTEL_EXPORTER_OTLP_ENDPOINT variable also turns it on).</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>grpc (port 4317) or http/protobuf (port 4318).</summary>
    [RegularExpression("^(grpc|http/protobuf)$", ErrorMessage = "Telemetry:OtlpProtocol must be grpc or http/protobuf.")]
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>How often the cross-post queue is counted for the metrics, the status page and the health check.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Telemetry:QueueSampleInterval must be between 1 s and 1 h.")]
    public TimeSpan QueueSampleInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Bluesky is reported degraded (never unhealthy) when a cross-post has waited longer than this.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Telemetry:QueueDegradedAfter must be between 10 s and 1 day.")]
    public TimeSpan QueueDegradedAfter { get; set; } = TimeSpan.FromMinutes(5);
}

public static class OperationsFeature
{
    public const string ServiceName = "livehub";

    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LiveHubMetrics>();
        services.AddSingleton<CrossPostQueueGauge>();
        services.AddHostedService(sp => sp.GetRequiredService<CrossPostQueueGauge>());
        // Trace ids in JSON console logs (Logging:Console:FormatterName=json): the host tracks the current activity's
        // TraceId and SpanId as a logging scope, which the JSON formatter writes only when scopes are included.
        services.Configure<JsonConsoleFormatterOptions>(o => o.IncludeScopes = true);

        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var endpoint = options.OtlpEndpoint
            ?? (Uri.TryCreate(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"), UriKind.Absolute, out var fromEnvironment) ? fromEnvironment : null);
        if (endpoint is null)
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithMetrics(m => m.AddLiveHubMetrics())
            .WithTracing(t => t.AddLiveHubTracing())
            .UseOtlpExporter(options.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf, endpoint);
        return services;
    }

    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app) => app.MapStatus();

    /// <summary>What LiveHub measures: its own meter, ASP.NET Core and SignalR, outgoing HTTP (Bluesky), the runtime, Npgsql.</summary>
    public static MeterProviderBuilder AddLiveHubMetrics(this MeterProviderBuilder metrics) => metrics
        .AddMeter(LiveHubMetrics.MeterName)
        .AddAspNetCoreInstrumentation()
        .AddMeter("Microsoft.AspNetCore.Http.Connections", "Microsoft.AspNetCore.Server.Kestrel")
        .AddHttpClientInstrumentation()
        .AddRuntimeInstrumentation()
        .AddNpgsqlInstrumentation();

    public static TracerProviderBuilder AddLiveHubTracing(this TracerProviderBuilder tracing) => tracing
        // Probes and the live hub's long-lived connections would drown the useful traces.
        .AddAspNetCoreInstrumentation(o =>
        {
            o.Filter = context => !context.Request.Path.StartsWithSegments("/healthz") && !context.Request.Path.StartsWithSegments("/hubs");
            // An agenda feed's path is its token: never export it.
            o.EnrichWithHttpRequest = (activity, request) =>
            {
                if (request.Path.StartsWithSegments("/agenda"))
                {
                    activity.SetTag("url.path", Agenda.AgendaTokens.RedactPath(request.Path));
                }
            };
        })
        .AddHttpClientInstrumentation()
        .AddNpgsql();
}
