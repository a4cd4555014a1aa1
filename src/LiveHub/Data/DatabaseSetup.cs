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

        switch (options.Provider)
        {
            case DatabaseProvider.Postgres:
                services.AddDbContext<LiveHubDbContext, PostgresLiveHubDbContext>(o => o
                    // No retrying execution strategy: it forbids the explicit transactions the outbox needs,
                    // and an outage is better answered at once with a 503 than after minutes of retries.
                    .UseNpgsql(options.ConnectionString)
                    .ConfigureWarnings(IgnoreExpectedModelWarnings));
                break;
            default:
                var connectionString = string.IsNullOrWhiteSpace(options.ConnectionString)
                    ? $"Data Source={Path.Combine(dataDirectory, "livehub.db")}"
                    : options.ConnectionString;
                services.AddDbContext<LiveHubDbContext, SqliteLiveHubDbContext>(o => o
                    .UseSqlite(connectionString)
                    .ConfigureWarnings(IgnoreExpectedModelWarnings));
                break;
        }

        services.AddHostedService<DatabaseMigrator>();
        services.AddDatabaseKeyRing(configuration);
        return services;
    }

    // Migrations are written by hand (the EF design-time package is not available to this project),
    // so there is no model snapshot; MigrationsMatchModelTests guards the drift that the snapshot would.
    // Rows that hang off a soft-deleted event (its live streams) are meant to disappear with it: the
    // inner join EF uses for a required navigation to a filtered entity is exactly that.
    private static void IgnoreExpectedModelWarnings(WarningsConfigurationBuilder warnings) =>
        warnings.Ignore(RelationalEventId.PendingModelChangesWarning, CoreEventId.PossibleIncorrectRequiredNavigationWithQueryFilterInteractionWarning);

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
        var db = scope.ServiceProvider.GetRequiredService<LiveHubDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migration(s) on {Provider}: {Migrations}", pending.Count, options.Value.Provider, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
