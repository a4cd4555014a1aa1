using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LiveHub.Data.Migrations.Sqlite;

/// <summary>Live posts remember the client's Idempotency-Key, so a retried post is stored once.</summary>
[DbContext(typeof(SqliteLiveHubDbContext))]
[Migration("20261121130000_PostIdempotencyKey")]
public sealed class PostIdempotencyKey : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            ALTER TABLE "live_posts" ADD COLUMN "IdempotencyKey" TEXT NULL;
            CREATE UNIQUE INDEX "IX_live_posts_StreamId_IdempotencyKey" ON "live_posts" ("StreamId", "IdempotencyKey");
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            DROP INDEX "IX_live_posts_StreamId_IdempotencyKey";
            ALTER TABLE "live_posts" DROP COLUMN "IdempotencyKey";
            """);
    }
}
