using System.ComponentModel.DataAnnotations;

namespace LiveHub.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Sqlite (embedded default) or Postgres (production).</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Connection string. For SQLite it defaults to <c>livehub.db</c> in <see cref="DataDirectory"/>;
    /// for PostgreSQL it is required.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Folder for the SQLite file and uploads; created on first run. Relative paths are under the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Apply pending migrations on start-up.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
