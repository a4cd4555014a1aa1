using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LiveHub.Data;

// Used only by `dotnet ef` (scripts/add-migration.sh): each provider's context, built without the web host.
// Neither connects to a database when a migration is generated, so the connection strings are placeholders.

internal sealed class SqliteDesignTimeContextFactory : IDesignTimeDbContextFactory<SqliteLiveHubDbContext>
{
    public SqliteLiveHubDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteLiveHubDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresDesignTimeContextFactory : IDesignTimeDbContextFactory<PostgresLiveHubDbContext>
{
    public PostgresLiveHubDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresLiveHubDbContext>().UseNpgsql("Host=design-time").Options);
}
