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
            // The app of today cannot write every table of the old schema (its model has moved on), so the rows are
            // written in SQL, the way the hand-written schema held them: venues typed into each event, among others.
            await using (var old = new UpgradeApp(provider, legacy, migrate: false, seed: false))
            {
                await old.InitializeAsync();
                staffEmail = (await old.CreateStaffAsync("Editor")).Email!;
            }

            await DatabaseSchema.ExecuteAsync(provider, legacy, LegacyRows(provider));
            var before = await DatabaseSchema.CountRowsAsync(provider, legacy);
            Assert.True(before["events"] == 4 && before["session_speakers"] == 1 && before["AspNetUsers"] > 0, "The rows did not load into the legacy schema.");

            await using (var upgraded = new UpgradeApp(provider, legacy, migrate: true, seed: false))
            {
                await upgraded.InitializeAsync();
                var client = upgraded.AnonymousClient();
                var conference = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/events/second-place-partnership-conference");
                var venue = conference.GetProperty("venue");
                Assert.Equal("University of Birmingham", venue.GetProperty("name").GetString());
                Assert.Equal("Edgbaston, Birmingham", venue.GetProperty("address").GetString());
                Assert.Equal(52.4508, venue.GetProperty("latitude").GetDouble());
                Assert.Equal(-1.9305, venue.GetProperty("longitude").GetDouble());
                Assert.Equal("university-of-birmingham", venue.GetProperty("slug").GetString());
                var second = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/events/legacy-second");
                Assert.Equal("university-of-birmingham", second.GetProperty("venue").GetProperty("slug").GetString());
                var online = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/events/legacy-online");
                Assert.Equal(System.Text.Json.JsonValueKind.Null, online.GetProperty("venue").ValueKind);
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/speakers/rebecca-riley")).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/speakers/jo-allison")).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/venues/university-of-birmingham")).StatusCode);
                var token = await client.PostAsJsonAsync("/api/account/token", new { email = staffEmail, password = LiveHubApp.Password });
                Assert.Equal(HttpStatusCode.OK, token.StatusCode);
            }

            var after = await DatabaseSchema.CountRowsAsync(provider, legacy);
            foreach (var (table, count) in before.Where(t => t.Key is not "__EFMigrationsHistory" and not "data_protection_keys"))
            {
                Assert.True(after[table] == count, $"{table} had {count} rows before the upgrade and {after[table]} after it.");
            }

            // One venue per distinct venue typed in (the deleted event's too: its row stays, and so does its venue).
            Assert.Equal(2, after["venues"]);
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

    /// <summary>Speakers, events with and without venues (one deleted), a session with a chair and a speaker, as the old schema held them.</summary>
    private static string LegacyRows(DatabaseProvider provider)
    {
        var postgres = provider == DatabaseProvider.Postgres;
        string Id(int n) => $"'0190A000-0000-7000-8000-{n:D12}'";
        string Time(string value) => postgres ? $"'{value}+00'" : $"'{value}'";
        string Tags(string tag) => postgres ? $"'{{{tag}}}'" : $"'[\"{tag}\"]'";
        var yes = postgres ? "true" : "1";
        string Event(int n, string slug, string venueName, string venueAddress, string latitude, string longitude, string online, string deleted) =>
            $"INSERT INTO events (\"Id\", \"Slug\", \"Title\", \"StartsAtUtc\", \"EndsAtUtc\", \"TimeZoneId\", \"VenueName\", \"VenueAddress\", \"VenueLatitude\", " +
            $"\"VenueLongitude\", \"OnlineUrl\", \"Status\", \"Tags\", \"IsPublished\", \"Revision\", \"CreatedAtUtc\", \"UpdatedAtUtc\", \"DeletedAtUtc\") VALUES " +
            $"({Id(n)}, '{slug}', 'Event {slug}', {Time("2024-11-04 10:00:00")}, {Time("2024-11-04 16:00:00")}, 'Europe/London', {venueName}, {venueAddress}, {latitude}, " +
            $"{longitude}, {online}, 'Scheduled', {Tags("lpip")}, {yes}, 0, {Time("2024-10-01 09:00:00")}, {Time("2024-10-02 09:00:00")}, {deleted});\n";
        return
            $"INSERT INTO speakers (\"Id\", \"Name\", \"Role\", \"CreatedAtUtc\", \"UpdatedAtUtc\") VALUES ({Id(1)}, 'Rebecca Riley', 'Professor', {Time("2024-10-01 09:00:00")}, {Time("2024-10-01 09:00:00")});\n" +
            $"INSERT INTO speakers (\"Id\", \"Name\", \"CreatedAtUtc\", \"UpdatedAtUtc\") VALUES ({Id(2)}, 'Jo Allison', {Time("2024-10-01 09:00:00")}, {Time("2024-10-01 09:00:00")});\n" +
            Event(11, "second-place-partnership-conference", "'University of Birmingham'", "'Edgbaston, Birmingham'", "52.4508", "-1.9305", "NULL", "NULL") +
            Event(12, "legacy-second", "'University of Birmingham'", "'Edgbaston, Birmingham'", "52.4508", "-1.9305", "NULL", "NULL") +
            Event(13, "legacy-online", "NULL", "NULL", "NULL", "NULL", "'https://meet.example.org/j/1'", "NULL") +
            Event(14, "legacy-deleted", "'Old Hall'", "NULL", "NULL", "NULL", "NULL", Time("2024-10-03 09:00:00")) +
            $"INSERT INTO sessions (\"Id\", \"EventId\", \"Title\", \"StartsAtUtc\", \"EndsAtUtc\", \"ChairId\", \"Status\", \"Coverage\", \"Revision\", \"CreatedAtUtc\", \"UpdatedAtUtc\") " +
            $"VALUES ({Id(21)}, {Id(11)}, 'Panel', {Time("2024-11-04 14:00:00")}, {Time("2024-11-04 15:00:00")}, {Id(1)}, 'Scheduled', 'Upcoming', 0, {Time("2024-10-01 09:00:00")}, {Time("2024-10-01 09:00:00")});\n" +
            $"INSERT INTO session_speakers (\"SessionId\", \"SpeakerId\", \"Position\") VALUES ({Id(21)}, {Id(2)}, 0);\n";
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
