using LiveHub.Data;
using LiveHub.Live;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace LiveHub.CrossPosting;

/// <summary>
/// Bluesky cross-posting: an outbox written with each live change, drained per stream by Quartz.NET jobs on a
/// persistent ADO store (PostgreSQL, clustered; or SQLite, single instance), with the schema created by Quartz.
/// </summary>
public static class CrossPostingFeature
{
    public const string QuartzTablePrefix = "qrtz_";

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
            .AddLogger(sp => new BlueskyHttpLogger(sp.GetRequiredService<ILogger<BlueskyHttpLogger>>()));
        services.AddDataProtection();
        services.AddSingleton<BlueskyAccount>();
        services.AddSingleton<CrossPostTids>();
        services.AddSingleton<CrossPostScheduler>();
        services.AddSingleton<CrossPostWorker>();
        services.AddSingleton<CrossPostKicker>();
        services.AddSingleton<CrossPostCommitSignal>();
        services.AddScoped<ILiveChangeInterceptor, CrossPostEnqueuer>();
        services.ConfigureDbContext<SqliteLiveHubDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<CrossPostCommitSignal>()));
        services.ConfigureDbContext<PostgresLiveHubDbContext>((sp, o) => o.AddInterceptors(sp.GetRequiredService<CrossPostCommitSignal>()));

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "LiveHub";
                // Clustered nodes need distinct ids; Quartz generates them (host name + ticks).
                s.GenerateInstanceId = clustered;
            });
            q.UseDefaultThreadPool(options.MaxConcurrentStreams);
            q.AddJobType<CrossPostStreamJob>();
            q.AddJobType<CrossPostSweepJob>();
            q.AddJob<CrossPostSweepJob>(j => j.WithIdentity(CrossPostScheduler.SweepJobKey).WithDescription("Re-triggers streams with due cross-posts").StoreDurably());
            q.AddTrigger<CrossPostSweepJob>(t => t.WithIdentity(CrossPostScheduler.SweepTriggerKey).ForJob(CrossPostScheduler.SweepJobKey)
                .WithDescription($"Every {options.SweepInterval}").StartNow()
                .WithSimpleSchedule(x => x.WithInterval(options.SweepInterval).RepeatForever()));
            q.UsePersistentStore(store =>
            {
                store.ConfigureStore(s => s.TablePrefix = QuartzTablePrefix);
                if (clustered)
                {
                    store.UsePostgres(database.ConnectionString!);
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = options.ClusterCheckinInterval;
                        c.CheckinMisfireThreshold = options.ClusterCheckinInterval * 2;
                    });
                }
                else
                {
                    store.UseSqlite(d => d.DataSourceFactory = sp => SqliteFactory.Instance.CreateDataSource(SqliteJobStore(sp, options)));
                }

                // Quartz creates its tables (CREATE ... IF NOT EXISTS) when the scheduler starts.
                store.ProvisionSchema();
            });
        });
        // Registered after the database migrator, so the app's tables exist before any job runs. Quartz waits for running
        // jobs on shutdown (a job finishes its write in hand and stops), but only up to CrossPosting:ShutdownTimeout:
        // CrossPostSchedulerHost wraps Quartz's hosted service to put a deadline on its stop.
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(QuartzHostedService)));
        services.AddSingleton<QuartzHostedService>();
        services.AddSingleton<ShutdownLeftovers>();
        services.AddHostedService<CrossPostSchedulerHost>();
        // Stopped before Quartz (hosted services stop in reverse order): waits for in-process drains to finish the write in hand.
        services.AddHostedService(sp => sp.GetRequiredService<CrossPostKicker>());
        return services;
    }

    public static IEndpointRouteBuilder MapCrossPosting(this IEndpointRouteBuilder app)
    {
        app.MapCrossPostEndpoints();
        return app;
    }

    private static string SqliteJobStore(IServiceProvider services, CrossPostingOptions options) =>
        string.IsNullOrWhiteSpace(options.SqliteJobStoreConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(services.GetRequiredService<DataDirectory>().Path, "quartz.db") }.ToString()
            : options.SqliteJobStoreConnectionString;
}
