using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using LiveHub.Data;
using LiveHub.Live;
using LiveHub.Staff;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.CrossPosting;

/// <summary>
/// Bluesky cross-posting: an outbox written with each live change, drained per stream by Hangfire jobs. On PostgreSQL
/// Hangfire keeps its jobs in the <see cref="HangfireSchema"/> schema (created by Hangfire.PostgreSql) and every
/// instance is a server of one Hangfire cluster; on SQLite it keeps them in memory (the durable state is the outbox,
/// and a sweep at start-up picks up whatever was due), so the app's own SQLite library stays the one it ships with.
/// </summary>
public static class CrossPostingFeature
{
    public const string HangfireSchema = "hangfire";
    public const string DashboardPath = "/staff/hangfire";

    public static IServiceCollection AddCrossPosting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CrossPostingOptions>().BindConfiguration(CrossPostingOptions.Section)
            // One public address for the whole hub: the link cards use the site's LiveHub:PublicBaseUrl unless told otherwise.
            .PostConfigure<IConfiguration>((o, configuration) => o.PublicBaseUrl ??=
                Uri.TryCreate(configuration[$"{Calendar.PublicSiteOptions.Section}:{nameof(Calendar.PublicSiteOptions.PublicBaseUrl)}"], UriKind.Absolute, out var site) ? site : null)
            .ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(CrossPostingOptions.Section).Get<CrossPostingOptions>() ?? new CrossPostingOptions();
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var clustered = database.Provider == DatabaseProvider.Postgres;

        // The client applies its own per-request timeouts (30 s JSON, 120 s blobs); this one must not cut them short.
        // Its requests carry the account's JWTs: logged by BlueskyHttpLogger, which never writes a header.
        services.AddHttpClient(BlueskyAccount.HttpClientName, c => c.Timeout = TimeSpan.FromMinutes(5))
            .RemoveAllLoggers()
            .AddLogger(sp => new BlueskyHttpLogger(sp.GetRequiredService<ILogger<BlueskyHttpLogger>>(), sp.GetRequiredService<LiveHub.Operations.LiveHubMetrics>()));
        services.AddDataProtection();
        services.AddSingleton<BlueskyAccount>();
        services.AddSingleton<CrossPostTids>();
        services.AddSingleton<CrossPostInstance>();
        services.AddSingleton<CrossPostScheduler>();
        services.AddSingleton<CrossPostWorker>();
        services.AddSingleton<CrossPostKicker>();
        services.AddSingleton<CrossPostCommitSignal>();
        services.AddSingleton<CrossPostRecapQuotes>();
        services.AddSingleton<CrossPostOutageLog>();
        services.AddScoped<ILiveChangeInterceptor, CrossPostEnqueuer>();
        services.AddTransient<CrossPostStreamJob>();
        services.AddTransient<CrossPostSweepJob>();
        services.ConfigureDbContext<SqliteLiveHubDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<CrossPostCommitSignal>()));
        services.ConfigureDbContext<PostgresLiveHubDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<CrossPostCommitSignal>()));

        // One storage per host, not Hangfire's static JobStorage.Current: a test process runs several hosts (a restart,
        // a second instance), and each must talk to its own database. Registered before AddHangfire, which keeps it.
        services.AddSingleton<JobStorage>(_ => clustered
            ? new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString!, PostgresStorageOptions(options)), PostgresStorageOptions(options))
            : new InMemoryStorage(new InMemoryStorageOptions()));
        services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>()));
        services.AddSingleton<IRecurringJobManager>(sp => new RecurringJobManager(sp.GetRequiredService<JobStorage>()));
        services.AddHangfire((sp, c) => c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogProvider(sp.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton<ShutdownLeftovers>();
        // Registered after the database migrator, so the app's tables exist before any job runs.
        services.AddHostedService<CrossPostHangfireServer>();
        // Stopped before the Hangfire server (hosted services stop in reverse order): waits for in-process drains to finish the write in hand.
        services.AddHostedService(sp => sp.GetRequiredService<CrossPostKicker>());
        return services;
    }

    public static IEndpointRouteBuilder MapCrossPosting(this IEndpointRouteBuilder app)
    {
        app.MapCrossPostEndpoints();
        // Hangfire's dashboard, for admins signed in to LiveHub. Its POSTs (requeue, delete) are checked by Hangfire
        // against LiveHub's antiforgery token, which its pages send in the X-CSRF-TOKEN header.
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            AppPath = "/staff/jobs",
            DashboardTitle = "LiveHub jobs",
            Authorization = [new StaffAdminDashboardFilter()],
            IgnoreAntiforgeryToken = false,
            DisplayStorageConnectionString = false,
        }).RequireAuthorization(StaffPolicies.Admin);
        return app;
    }

    internal static PostgreSqlStorageOptions PostgresStorageOptions(CrossPostingOptions options) => new()
    {
        SchemaName = HangfireSchema,
        PrepareSchemaIfNecessary = true,
        // LISTEN/NOTIFY: an enqueued job reaches an idle worker at once instead of at the next queue poll.
        EnableLongPolling = true,
        // A fetched job stays invisible to other servers while its server is alive, however long it runs, and comes
        // back to the queue soon after that server dies (kill -9), instead of after a fixed 30-minute timeout.
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = options.LeaseDuration,
        QueuePollInterval = options.SweepInterval < TimeSpan.FromSeconds(15) ? options.SweepInterval : TimeSpan.FromSeconds(15),
        DistributedLockTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// The recurring sweep's cron expression: every <see cref="CrossPostingOptions.SweepInterval"/>, rounded down to an
    /// interval cron can express (whole seconds dividing a minute, or whole minutes dividing an hour), at least every second.
    /// </summary>
    internal static string SweepCron(TimeSpan interval)
    {
        var seconds = Math.Max(1, (int)interval.TotalSeconds);
        if (seconds < 60)
        {
            var every = Enumerable.Range(1, seconds).Last(d => 60 % d == 0);
            return every == 1 ? "* * * * * *" : $"*/{every} * * * * *";
        }

        var minutes = Math.Min(60, seconds / 60);
        var everyMinutes = Enumerable.Range(1, minutes).Last(d => 60 % d == 0);
        return everyMinutes == 1 ? "0 * * * * *" : $"0 */{everyMinutes} * * * *";
    }

    /// <summary>The dashboard is for admins signed in with the staff cookie (or a bearer token).</summary>
    private sealed class StaffAdminDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) =>
            context.GetHttpContext().User is { Identity.IsAuthenticated: true } user && user.IsInRole(StaffRoles.Admin);
    }
}
