using System.Text.Json;
using System.Text.Json.Serialization;
using LiveHub.Data;
using LiveHub.Problems;
using LiveHub.Seeding;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace LiveHub.Live;

public static class LiveFeature
{
    public static IServiceCollection AddLive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSignalR(o =>
            {
                o.MaximumReceiveMessageSize = 32 * 1024;
                o.AddFilter<DatabaseUnavailableHubFilter>();
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        var provider = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>()?.Provider ?? DatabaseProvider.Sqlite;
        if (provider == DatabaseProvider.Postgres)
        {
            services.AddSingleton<ILiveChangeBus, PostgresLiveChangeBus>();
        }
        else
        {
            services.AddSingleton<ILiveChangeBus, InProcessLiveChangeBus>();
        }

        services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section)
            .Validate(o => o.SlowClientTimeout > TimeSpan.Zero, "Live:SlowClientTimeout must be positive.")
            .Validate(o => o.UploadShutdownGrace >= TimeSpan.Zero && o.UploadShutdownGrace < TimeSpan.FromSeconds(30),
                "Live:UploadShutdownGrace must be between 0 and 30 s (the host's shutdown timeout).")
            .ValidateOnStart();
        services.AddSingleton<UploadDeadline>();
        services.AddSingleton<LiveSubscriptions>();
        services.AddHostedService<LiveChangeRelay>();
        services.AddScoped<LiveCoverage>();
        services.AddScoped<LiveQueries>();
        services.AddScoped<ISeedPart, LiveSeedPart>();
        return services;
    }

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        var live = app.ServiceProvider.GetRequiredService<IOptions<LiveOptions>>().Value;
        app.MapHub<LiveCoverageHub>("/hubs/live", o => o.TransportSendTimeout = live.SlowClientTimeout);
        app.MapLiveEndpoints();
        app.MapLiveMedia();
        app.MapLivePages();
        // The staff live console: a static page (its script signs the user in and talks to the API),
        // served at a friendly address that carries the event's slug.
        app.MapGet("/staff/live/{slug}", (IWebHostEnvironment environment) =>
        {
            var file = environment.WebRootFileProvider.GetFileInfo("staff/live.html");
            return file.Exists && file.PhysicalPath is { } path
                ? Results.File(path, "text/html; charset=utf-8")
                : Results.NotFound();
        }).ExcludeFromDescription();
        return app;
    }
}
