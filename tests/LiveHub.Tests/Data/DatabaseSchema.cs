using System.Data.Common;
using LiveHub.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LiveHub.Tests.Data;

/// <summary>A database's schema as comparable lines (columns, indexes, keys), and its tables' row counts.</summary>
internal static class DatabaseSchema
{
    // Read through PRAGMAs, not the stored CREATE text, which SQLite rewrites on ALTER TABLE.
    private const string SqliteSchema = """
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

    private const string PostgresSchema = """
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

    public static Task<List<string>> ReadAsync(DatabaseProvider provider, string connectionString) =>
        QueryAsync(provider, connectionString, provider == DatabaseProvider.Postgres ? PostgresSchema : SqliteSchema);

    /// <summary>Row count per table (the migrations history included), to show an upgrade kept every row.</summary>
    public static async Task<Dictionary<string, long>> CountRowsAsync(DatabaseProvider provider, string connectionString)
    {
        var tables = await QueryAsync(provider, connectionString, provider == DatabaseProvider.Postgres
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1");
        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            counts[table] = long.Parse((await QueryAsync(provider, connectionString, $"SELECT count(*) FROM \"{table}\""))[0], System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    }

    public static async Task ExecuteAsync(DatabaseProvider provider, string connectionString, string sql)
    {
        await using var connection = Open(provider, connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public static void AssertSame(List<string> expected, List<string> actual, string expectedName, string actualName)
    {
        Assert.NotEmpty(expected);
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"The schemas differ." + Environment.NewLine +
            $"In {expectedName} only:" + Environment.NewLine + string.Join(Environment.NewLine, missing) + Environment.NewLine +
            $"In {actualName} only:" + Environment.NewLine + string.Join(Environment.NewLine, extra));
    }

    private static async Task<List<string>> QueryAsync(DatabaseProvider provider, string connectionString, string query)
    {
        await using var connection = Open(provider, connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = query;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return rows;
    }

    private static DbConnection Open(DatabaseProvider provider, string connectionString) =>
        provider == DatabaseProvider.Postgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
}
