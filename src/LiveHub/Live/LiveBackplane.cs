using LiveHub.Data;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveHub.Live;

/// <summary>How a live change reaches the viewers connected to other instances (<c>Live:Backplane</c>).</summary>
public enum LiveBackplaneKind
{
    /// <summary>
    /// Every instance hears of every change from the database (PostgreSQL NOTIFY; in-process on SQLite), reads it and
    /// pushes it to its own viewers. Nothing else to run; each instance reads each change once.
    /// </summary>
    Database,

    /// <summary>
    /// ASP.NET Core SignalR's Redis backplane: the instance that committed a change reads it once and sends it to the
    /// stream's group, and Redis carries the message to every instance's viewers.
    /// </summary>
    Redis,
}

/// <summary>What the relay needs to know of the backplane.</summary>
/// <param name="FleetWide">A group send reaches the viewers of every instance (Redis): push whether or not anyone here listens.</param>
public sealed record LiveFanOut(bool FleetWide);

/// <summary>
/// One Redis connection for the backplane, made on first use and shared by SignalR's Redis lifetime manager and the
/// readiness check (so the check sees the connection that carries the messages, not a second one).
/// </summary>
public sealed class RedisBackplaneConnection(IOptions<LiveOptions> options, ILogger<RedisBackplaneConnection> logger) : IAsyncDisposable
{
    public const string DefaultChannelPrefix = "livehub";

    private readonly Lazy<Task<IConnectionMultiplexer>> _connection = new(() => ConnectAsync(options.Value.RedisConnectionString!, logger));

    public Task<IConnectionMultiplexer> GetAsync() => _connection.Value;

    private static async Task<IConnectionMultiplexer> ConnectAsync(string connectionString, ILogger logger)
    {
        var configuration = Configuration(connectionString);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration);
        multiplexer.ConnectionFailed += (_, e) => logger.LogWarning("Redis backplane connection lost ({Failure}): live updates reach no viewer until it is back.", e.FailureType);
        multiplexer.ConnectionRestored += (_, _) => logger.LogInformation("Redis backplane connection restored.");
        return multiplexer;
    }

    /// <summary>
    /// The connection string's settings; not giving up on a Redis that is down at start (the instance serves pages and
    /// catch-ups meanwhile, and readiness says what is wrong), and the channel prefix <c>livehub</c> unless it names one.
    /// </summary>
    public static ConfigurationOptions Configuration(string connectionString)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);
        configuration.AbortOnConnectFail = false;
        if (configuration.ChannelPrefix.IsNullOrEmpty)
        {
            configuration.ChannelPrefix = RedisChannel.Literal(DefaultChannelPrefix);
        }

        return configuration;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            await _connection.Value.Result.DisposeAsync();
        }
    }
}

/// <summary>Ready only while the backplane's Redis answers: without it no live update reaches any viewer.</summary>
internal sealed class RedisBackplaneHealthCheck(RedisBackplaneConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await redis.GetAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            if (!connection.IsConnected)
            {
                return HealthCheckResult.Unhealthy("The Redis backplane is unreachable: live updates reach no viewer.");
            }

            var latency = await connection.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy(data: new Dictionary<string, object> { ["pingMs"] = Math.Round(latency.TotalMilliseconds, 1) });
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"The Redis backplane is unreachable ({ex.GetType().Name}): live updates reach no viewer.");
        }
    }
}

internal static class LiveBackplaneRegistration
{
    /// <summary>The bus, the fan-out mode and, for Redis, SignalR's Redis backplane and its readiness check.</summary>
    public static void AddLiveBackplane(this IServiceCollection services, ISignalRServerBuilder signalR, IConfiguration configuration)
    {
        var provider = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>()?.Provider ?? DatabaseProvider.Sqlite;
        var backplane = configuration.GetValue(LiveOptions.Section + ":" + nameof(LiveOptions.Backplane), LiveBackplaneKind.Database);
        if (backplane == LiveBackplaneKind.Redis)
        {
            services.AddSingleton<RedisBackplaneConnection>();
            signalR.AddStackExchangeRedis(o => { });
            services.AddOptions<Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions>()
                .Configure<RedisBackplaneConnection, IOptions<LiveOptions>>((o, redis, live) =>
                {
                    o.Configuration = RedisBackplaneConnection.Configuration(live.Value.RedisConnectionString ?? "");
                    o.ConnectionFactory = async _ => await redis.GetAsync();
                });
            services.AddHealthChecks().AddCheck<RedisBackplaneHealthCheck>("live-backplane", tags: [Health.HealthFeature.ReadyTag]);
            // Only this instance's relay hears of its own changes; Redis takes its pushes to everyone else's viewers.
            services.AddSingleton<ILiveChangeBus, InProcessLiveChangeBus>();
            services.AddSingleton(new LiveFanOut(FleetWide: true));
        }
        else
        {
            services.AddSingleton(new LiveFanOut(FleetWide: false));
            if (provider == DatabaseProvider.Postgres)
            {
                services.AddSingleton<ILiveChangeBus, PostgresLiveChangeBus>();
            }
            else
            {
                services.AddSingleton<ILiveChangeBus, InProcessLiveChangeBus>();
            }
        }
    }
}
