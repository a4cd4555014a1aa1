using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LiveHub.Data.Migrations.Postgres;

/// <summary>
/// Cross-posting jobs moved from Quartz.NET to Hangfire, whose tables live in their own <c>hangfire</c> schema (created
/// by Hangfire.PostgreSql on start). Quartz's tables (prefix <c>qrtz_</c>, created by Quartz itself, so possibly absent)
/// go. Quartz's SQLite store was a separate file (<c>quartz.db</c> in the data folder), so SQLite needs no migration.
/// </summary>
[DbContext(typeof(PostgresLiveHubDbContext))]
[Migration("20261203130000_DropQuartzTables")]
public sealed class DropQuartzTables : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            DROP TABLE IF EXISTS qrtz_fired_triggers, qrtz_paused_trigger_grps, qrtz_scheduler_state, qrtz_locks,
                qrtz_simprop_triggers, qrtz_simple_triggers, qrtz_cron_triggers, qrtz_blob_triggers, qrtz_triggers,
                qrtz_job_details, qrtz_calendars CASCADE;
            """);
    }

    // Quartz created its tables itself; there is nothing to restore.
    protected override void Down(MigrationBuilder migrationBuilder)
    {
    }
}
