using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace LiveHub.Data;

public static class DatabaseSetup
{
    public static IServiceCollection AddLiveHubDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Provider != DatabaseProvider.Postgres || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Database:ConnectionString is required when Database:Provider is Postgres.")
            .ValidateOnStart();

        // The provider decides which context subclass (and so which migrations) is used; read it once here.
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var dataDirectory = ResolveDataDirectory(options, environment);
        services.AddSingleton(new DataDirectory(dataDirectory));

        services.AddSingleton<DatabaseOutage>();
        services.AddSingleton<DatabaseOutageInterceptor>();
        switch (options.Provider)
        {
            case DatabaseProvider.Postgres:
                services.AddDbContext<LiveHubDbContext, PostgresLiveHubDbContext>((provider, o) => o
                    // No retrying execution strategy: it forbids the explicit transactions the outbox needs,
                    // and an outage is better answered at once with a 503 than after minutes of retries.
                    .UseNpgsql(options.ConnectionString)
                    .AddInterceptors(provider.GetRequiredService<DatabaseOutageInterceptor>())
                    .ConfigureWarnings(ConfigureWarnings));
                break;
            default:
                var connectionString = string.IsNullOrWhiteSpace(options.ConnectionString)
                    ? $"Data Source={Path.Combine(dataDirectory, "livehub.db")}"
                    : options.ConnectionString;
                services.AddDbContext<LiveHubDbContext, SqliteLiveHubDbContext>((provider, o) => o
                    .UseSqlite(connectionString)
                    .AddInterceptors(provider.GetRequiredService<DatabaseOutageInterceptor>())
                    .ConfigureWarnings(ConfigureWarnings));
                break;
        }

        services.AddHostedService<DatabaseMigrator>();
        services.AddDatabaseKeyRing(configuration);
        return services;
    }

    // Migrations are generated per provider by dotnet ef (scripts/add-migration.sh); a model change without one
    // makes MigrateAsync throw (PendingModelChangesWarning stays an error), and MigrationsMatchModelTests says so first.
    // Rows that hang off a soft-deleted event (its live streams) are meant to disappear with it: the
    // inner join EF uses for a required navigation to a filtered entity is exactly that.
    //
    // EF Core logs every failed connection, command, query and save as an Error with the exception's stack trace,
    // before the exception reaches the code that ran it. That code logs it where it is handled (an outage: once, by
    // DatabaseOutage; a request it breaks: by the exception handler, with the stack trace), so EF's own record is a
    // duplicate, and during an outage it was one error with a stack trace per request. Kept at Debug.
    private static void ConfigureWarnings(WarningsConfigurationBuilder warnings) => warnings
        .Ignore(CoreEventId.PossibleIncorrectRequiredNavigationWithQueryFilterInteractionWarning)
        .Log(
            (RelationalEventId.ConnectionError, LogLevel.Debug),
            (RelationalEventId.CommandError, LogLevel.Debug),
            (CoreEventId.QueryIterationFailed, LogLevel.Debug),
            (CoreEventId.SaveChangesFailed, LogLevel.Debug));

    private static string ResolveDataDirectory(DatabaseOptions options, IHostEnvironment environment)
    {
        var path = Path.IsPathRooted(options.DataDirectory)
            ? options.DataDirectory
            : Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.DataDirectory));
        Directory.CreateDirectory(path);
        return path;
    }
}

/// <summary>The resolved, existing folder for the database file and uploaded media.</summary>
public sealed record DataDirectory(string Path);

/// <summary>Applies migrations before the app starts serving requests.</summary>
internal sealed class DatabaseMigrator(IServiceProvider services, IOptions<DatabaseOptions> options, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStartup)
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        await ApplyAsync(scope.ServiceProvider.GetRequiredService<LiveHubDbContext>(), logger, cancellationToken);
    }

    /// <summary>Brings the database up to the newest migration (also used by the command-line commands).</summary>
    public static async Task ApplyAsync(LiveHubDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        if (await LegacyMigrationHistory.AdoptAsync(db, cancellationToken))
        {
            logger.LogInformation("Adopted the schema of the hand-written migrations as {Baseline}", LegacyMigrationHistory.Baseline);
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
