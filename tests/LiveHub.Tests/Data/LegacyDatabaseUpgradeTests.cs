using System.Net;
using System.Net.Http.Json;
using LiveHub.Data;
using LiveHub.Tests.Hosting;
using LiveHub.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LiveHub.Tests.Data;

/// <summary>
/// A database made by the hand-written migrations (dumped in LegacySchema/ from the last version that had them) is
/// filled by the app, then started with the generated baseline: it keeps every row, its history names the baseline,
/// and its schema is the one the baseline builds on an empty database.
/// </summary>
public sealed class LegacyDatabaseUpgradeTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_database_made_by_the_hand_written_migrations_upgrades_without_losing_a_row(DatabaseProvider provider)
    {
        var legacy = await LegacyDatabaseAsync(provider);
        var fresh = await EmptyDatabaseAsync(provider);
        try
        {
            string staffEmail;
            await using (var old = new UpgradeApp(provider, legacy, migrate: false, seed: true))
            {
                await old.InitializeAsync();
                staffEmail = (await old.CreateStaffAsync("Editor")).Email!;
            }

            var before = await DatabaseSchema.CountRowsAsync(provider, legacy);
            Assert.True(before["events"] > 0 && before["live_posts"] > 0 && before["AspNetUsers"] > 0, "The seeds did not load into the legacy schema.");

            await using (var upgraded = new UpgradeApp(provider, legacy, migrate: true, seed: false))
            {
                await upgraded.InitializeAsync();
                var conference = await upgraded.AnonymousClient().GetAsync("/api/events/second-place-partnership-conference");
                Assert.Equal(HttpStatusCode.OK, conference.StatusCode);
                var token = await upgraded.AnonymousClient().PostAsJsonAsync("/api/account/token", new { email = staffEmail, password = LiveHubApp.Password });
                Assert.Equal(HttpStatusCode.OK, token.StatusCode);
            }

            var after = await DatabaseSchema.CountRowsAsync(provider, legacy);
            foreach (var (table, count) in before.Where(t => t.Key is not "__EFMigrationsHistory" and not "data_protection_keys"))
            {
                Assert.True(after[table] == count, $"{table} had {count} rows before the upgrade and {after[table]} after it.");
            }

            // Adopted as the baseline, then migrated on through every later migration like any other database.
            Assert.Equal(AllMigrations(provider), await HistoryAsync(provider, legacy));

            await using (var app = new UpgradeApp(provider, fresh, migrate: true, seed: false))
            {
                await app.InitializeAsync();
            }

            DatabaseSchema.AssertSame(
                await DatabaseSchema.ReadAsync(provider, fresh), await DatabaseSchema.ReadAsync(provider, legacy),
                "a database built by the baseline", "the upgraded legacy database");
        }
        finally
        {
            await DropAsync(provider, legacy);
            await DropAsync(provider, fresh);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_database_that_stopped_part_way_through_the_hand_written_migrations_is_refused_by_name(DatabaseProvider provider)
    {
        var legacy = await LegacyDatabaseAsync(provider);
        try
        {
            await DatabaseSchema.ExecuteAsync(provider, legacy,
                "DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = '20261203110000_IdempotencyKeyPerAuthor'");
            await using var app = new UpgradeApp(provider, legacy, migrate: true, seed: false);
            var error = await Record.ExceptionAsync(app.InitializeAsync);
            Assert.NotNull(error);
            var messages = string.Join(" | ", Unwrap(error));
            Assert.Contains("lacks its migration(s) 20261203110000_IdempotencyKeyPerAuthor", messages, StringComparison.Ordinal);
            var history = await HistoryAsync(provider, legacy);
            Assert.Contains("20261121000001_Initial", history); // left as it was
            Assert.DoesNotContain(LegacyMigrationHistory.Baseline, history);
        }
        finally
        {
            await DropAsync(provider, legacy);
        }
    }

    private static IEnumerable<string> Unwrap(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error.Message;
        }
    }

    private static async Task<string> LegacyDatabaseAsync(DatabaseProvider provider)
    {
        var connectionString = await EmptyDatabaseAsync(provider);
        var dump = Path.Combine(HostingOnSqlite.RepositoryRoot(), "tests", "LiveHub.Tests", "Data", "LegacySchema",
            provider == DatabaseProvider.Postgres ? "postgres.sql" : "sqlite.sql");
        await DatabaseSchema.ExecuteAsync(provider, connectionString, await File.ReadAllTextAsync(dump));
        return connectionString;
    }

    private static async Task<string> EmptyDatabaseAsync(DatabaseProvider provider) => provider == DatabaseProvider.Postgres
        ? await PostgresServer.CreateDatabaseAsync("livehub_upgrade")
        : $"Data Source={Path.Combine(Directory.CreateTempSubdirectory("livehub-upgrade").FullName, "livehub.db")}";

    private static async Task DropAsync(DatabaseProvider provider, string connectionString)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
            return;
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(new SqliteConnectionStringBuilder(connectionString).DataSource)!, recursive: true);
    }

    private static List<string> AllMigrations(DatabaseProvider provider)
    {
        using LiveHubDbContext context = provider == DatabaseProvider.Sqlite
            ? new SqliteLiveHubDbContext(new DbContextOptionsBuilder<SqliteLiveHubDbContext>().UseSqlite("Data Source=:memory:").Options)
            : new PostgresLiveHubDbContext(new DbContextOptionsBuilder<PostgresLiveHubDbContext>().UseNpgsql("Host=unused").Options);
        var all = context.Database.GetMigrations().ToList();
        Assert.Equal(LegacyMigrationHistory.Baseline, all[0]);
        return all;
    }

    private static async Task<List<string>> HistoryAsync(DatabaseProvider provider, string connectionString)
    {
        var rows = new List<string>();
        await using System.Data.Common.DbConnection connection = provider == DatabaseProvider.Postgres
            ? new Npgsql.NpgsqlConnection(connectionString)
            : new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY 1";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private sealed class UpgradeApp(DatabaseProvider provider, string connectionString, bool migrate, bool seed) : LiveHubApp
    {
        public override DatabaseProvider Provider => provider;

        protected override bool OwnsDatabase => false;

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = connectionString,
            ["Database:MigrateOnStartup"] = migrate ? "true" : "false",
            ["Seeds:LoadWhenEmpty"] = seed ? "true" : "false",
            ["Seeds:Demo"] = "false",
        };
    }
}
