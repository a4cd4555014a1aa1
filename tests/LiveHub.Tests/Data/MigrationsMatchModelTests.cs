using System.Data.Common;
using LiveHub.Data;
using LiveHub.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LiveHub.Tests.Data;

/// <summary>
/// Migrations are hand-written (no EF design-time package here), so this compares the schema the
/// migrations produce with the one EF would create from the current model. A model change without a
/// matching migration fails here, naming the difference.
/// </summary>
public sealed class MigrationsMatchModelTests
{
    [Fact]
    public async Task Sqlite_migrations_produce_the_model_schema()
    {
        var folder = Directory.CreateTempSubdirectory("livehub-schema").FullName;
        try
        {
            var migrated = $"Data Source={Path.Combine(folder, "migrated.db")}";
            var created = $"Data Source={Path.Combine(folder, "created.db")}";
            await using (var db = Sqlite(migrated))
            {
                await db.Database.MigrateAsync();
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            }

            await using (var db = Sqlite(created))
            {
                await db.Database.EnsureCreatedAsync();
            }

            // Compared through PRAGMAs, not the stored CREATE text, which SQLite rewrites on ALTER TABLE.
            const string schemaQuery = """
                SELECT 'column ' || m.name || '.' || p.name || ' ' || p.type || ' notnull=' || p."notnull" || ' pk=' || p.pk || ' default=' || coalesce(p.dflt_value, '')
                FROM sqlite_master m JOIN pragma_table_info(m.name) p
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__EF%'
                UNION ALL
                SELECT 'index ' || m.name || ' ' || il.name || ' unique=' || il."unique" || ' columns=' || (SELECT group_concat(ii.name, ',') FROM pragma_index_info(il.name) ii)
                FROM sqlite_master m JOIN pragma_index_list(m.name) il
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__EF%'
                UNION ALL
                SELECT 'foreign key ' || m.name || '.' || fk."from" || ' -> ' || fk."table" || '.' || fk."to" || ' on delete ' || fk.on_delete
                FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) fk
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__EF%'
                ORDER BY 1
                """;
            AssertSameSchema(await ReadAsync(new SqliteConnection(migrated), schemaQuery), await ReadAsync(new SqliteConnection(created), schemaQuery));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Postgres_migrations_produce_the_model_schema()
    {
        var migrated = await PostgresServer.CreateDatabaseAsync("livehub_schema");
        var created = await PostgresServer.CreateDatabaseAsync("livehub_schema");
        try
        {
            await using (var db = Postgres(migrated))
            {
                await db.Database.MigrateAsync();
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            }

            await using (var db = Postgres(created))
            {
                await db.Database.EnsureCreatedAsync();
            }

            const string schemaQuery = """
                SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '')
                       || ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
                FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '__EF%'
                UNION ALL
                SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '__EF%'
                UNION ALL
                SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE '"__EF%'
                ORDER BY 1
                """;
            AssertSameSchema(await ReadAsync(new NpgsqlConnection(migrated), schemaQuery), await ReadAsync(new NpgsqlConnection(created), schemaQuery));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(migrated);
            await PostgresServer.DropDatabaseAsync(created);
        }
    }

    private static void AssertSameSchema(List<string> fromMigrations, List<string> fromModel)
    {
        Assert.NotEmpty(fromModel);
        var missing = fromModel.Except(fromMigrations).ToList();
        var extra = fromMigrations.Except(fromModel).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            "Migrations and model differ. Add a migration (see docs/development.md)." + Environment.NewLine +
            "In the model but not the migrations:" + Environment.NewLine + string.Join(Environment.NewLine, missing) + Environment.NewLine +
            "In the migrations but not the model:" + Environment.NewLine + string.Join(Environment.NewLine, extra));
    }

    private static async Task<List<string>> ReadAsync(DbConnection connection, string query)
    {
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = query;
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }

            return rows;
        }
    }

    private static SqliteLiveHubDbContext Sqlite(string connectionString) =>
        new(new DbContextOptionsBuilder<SqliteLiveHubDbContext>().UseSqlite(connectionString)
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning)).Options);

    private static PostgresLiveHubDbContext Postgres(string connectionString) =>
        new(new DbContextOptionsBuilder<PostgresLiveHubDbContext>().UseNpgsql(connectionString)
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning)).Options);
}
