using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LiveHub.Data.Migrations.Postgres;

/// <summary>
/// Staff accounts can be disabled and show their last sign-in; every account gets a public display name
/// (posts made by an account without one showed its email address, which is scrubbed here); events can
/// set one byline for all their live posts.
/// </summary>
[DbContext(typeof(PostgresLiveHubDbContext))]
[Migration("20261203090000_StaffAccountState")]
public sealed class StaffAccountState : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            ALTER TABLE "AspNetUsers" ADD COLUMN "DisabledAtUtc" timestamp with time zone NULL;
            ALTER TABLE "AspNetUsers" ADD COLUMN "LastSignInAtUtc" timestamp with time zone NULL;
            ALTER TABLE events ADD COLUMN "LiveByline" character varying(200) NULL;
            UPDATE "AspNetUsers" SET "DisplayName" = 'Comms team' WHERE "DisplayName" IS NULL OR TRIM("DisplayName") = '' OR LOWER("DisplayName") = LOWER("Email");
            UPDATE live_posts SET "AuthorName" = COALESCE((SELECT u."DisplayName" FROM "AspNetUsers" u WHERE u."Id" = live_posts."AuthorId"), 'Comms team')
                WHERE "AuthorName" LIKE '%@%';
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            ALTER TABLE events DROP COLUMN "LiveByline";
            ALTER TABLE "AspNetUsers" DROP COLUMN "LastSignInAtUtc";
            ALTER TABLE "AspNetUsers" DROP COLUMN "DisabledAtUtc";
            """);
    }
}
