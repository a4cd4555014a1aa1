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
        var signalR = services.AddSignalR(o =>
            {
                o.MaximumReceiveMessageSize = 32 * 1024;
                o.AddFilter<DatabaseUnavailableHubFilter>();
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        services.AddLiveBackplane(signalR, configuration);

        services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section)
            .ValidateDataAnnotations()
            .Validate<IOptions<DatabaseOptions>>((o, database) => o.Backplane != LiveBackplaneKind.Redis || database.Value.Provider == DatabaseProvider.Postgres,
                "Live:Backplane=Redis needs Database:Provider=Postgres: several instances need a database they can share (SQLite serves one instance).")
            .Validate(o => System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
                    o.Images, new System.ComponentModel.DataAnnotations.ValidationContext(o.Images), null, validateAllProperties: true),
                "Live:Images has a value out of range (MaxFramePixels 1 to 1,000,000,000; MaxFrames 1 to 100,000; MaxTotalPixels 1 to 100,000,000,000).")
            .Validate(o => o.Images.MaxTotalPixels >= o.Images.MaxFramePixels,
                "Live:Images:MaxTotalPixels must be at least Live:Images:MaxFramePixels (a still image at the frame limit must fit).")
            .Validate(o => o.UploadShutdownGrace >= TimeSpan.Zero && o.UploadShutdownGrace < TimeSpan.FromSeconds(30),
                "Live:UploadShutdownGrace must be between 0 and 30 s (the host's shutdown timeout).")
            .ValidateOnStart();
        services.AddSingleton<UploadDeadline>();
        services.AddSingleton<LiveSubscriptions>();
        services.AddSingleton<LiveSnapshotCache>();
        services.AddSingleton<LiveConnectionLimits>();
        services.AddScoped<LiveStreamClosing>();
        services.AddHostedService<LiveChangeRelay>();
        services.AddSingleton<LiveImageCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveImageCleanup>());
        services.AddScoped<LiveCoverage>();
        services.AddScoped<LiveQueries>();
        services.AddScoped<ISeedPart, LiveSeedPart>();
        return services;
    }

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        var live = app.ServiceProvider.GetRequiredService<IOptions<LiveOptions>>().Value;
        var limits = app.ServiceProvider.GetRequiredService<LiveConnectionLimits>();
        app.MapHub<LiveCoverageHub>("/hubs/live", o => o.TransportSendTimeout = live.SlowClientTimeout)
            .Add(endpoint =>
            {
                // An address at its connection cap is refused before negotiating or upgrading (429); the hub's
                // OnConnectedAsync enforces the cap exactly, for connections that raced past this check.
                if (endpoint.RequestDelegate is { } inner)
                {
                    endpoint.RequestDelegate = context => limits.IsFull(LiveConnectionLimits.AddressKey(context.Connection.RemoteIpAddress))
                        ? TooManyConnectionsAsync(context)
                        : inner(context);
                }
            });
        app.MapLiveEndpoints();
        app.MapLiveMedia();
        app.MapLivePages();
        return app;
    }

    private static Task TooManyConnectionsAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "10";
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many live connections",
            detail: "Too many live connections from your network address; close some tabs or try again later.").ExecuteAsync(context);
    }
}
