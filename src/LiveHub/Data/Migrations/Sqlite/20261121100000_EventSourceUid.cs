using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LiveHub.Data.Migrations.Sqlite;

/// <summary>Events remember the iCalendar UID they were imported from, so re-imports update instead of duplicating.</summary>
[DbContext(typeof(SqliteLiveHubDbContext))]
[Migration("20261121100000_EventSourceUid")]
public sealed class EventSourceUid : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            ALTER TABLE "events" ADD COLUMN "SourceUid" TEXT NULL;

            CREATE UNIQUE INDEX "IX_events_SourceUid" ON "events" ("SourceUid");
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            DROP INDEX "IX_events_SourceUid";

            ALTER TABLE "events" DROP COLUMN "SourceUid";
            """);
    }
}
