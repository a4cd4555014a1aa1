using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LiveHub.Data.Migrations.Postgres;

/// <summary>
/// Events remember when they were first published: only an event the public once saw may answer 410 Gone
/// (or appear cancelled) after it is deleted. Events published now are marked; for the others there is no
/// record, so they are treated as never published (a 404 reveals less than a 410).
/// </summary>
[DbContext(typeof(PostgresLiveHubDbContext))]
[Migration("20261203100000_EventFirstPublishedAt")]
public sealed class EventFirstPublishedAt : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            ALTER TABLE events ADD COLUMN "FirstPublishedAtUtc" timestamp with time zone NULL;
            UPDATE events SET "FirstPublishedAtUtc" = "CreatedAtUtc" WHERE "IsPublished";
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            ALTER TABLE events DROP COLUMN "FirstPublishedAtUtc";
            """);
    }
}
