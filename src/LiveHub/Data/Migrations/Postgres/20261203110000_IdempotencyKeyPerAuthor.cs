using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LiveHub.Data.Migrations.Postgres;

/// <summary>
/// Idempotency keys belong to their author (unique per stream, author and key), and a post remembers a fingerprint
/// of the request that created it. Existing posts keep a null fingerprint: their key still replays them.
/// </summary>
[DbContext(typeof(PostgresLiveHubDbContext))]
[Migration("20261203110000_IdempotencyKeyPerAuthor")]
public sealed class IdempotencyKeyPerAuthor : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            ALTER TABLE live_posts ADD COLUMN "IdempotencyFingerprint" character varying(64) NULL;
            DROP INDEX "IX_live_posts_StreamId_IdempotencyKey";
            CREATE UNIQUE INDEX "IX_live_posts_StreamId_AuthorId_IdempotencyKey" ON live_posts ("StreamId", "AuthorId", "IdempotencyKey");
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        // Keys reused by two authors would break the narrower index; those posts keep their key but lose its use.
        migrationBuilder.Sql(
            """
            DROP INDEX "IX_live_posts_StreamId_AuthorId_IdempotencyKey";
            UPDATE live_posts p SET "IdempotencyKey" = NULL
            WHERE p."IdempotencyKey" IS NOT NULL AND EXISTS (
                SELECT 1 FROM live_posts o WHERE o."StreamId" = p."StreamId" AND o."IdempotencyKey" = p."IdempotencyKey" AND o."Sequence" < p."Sequence");
            CREATE UNIQUE INDEX "IX_live_posts_StreamId_IdempotencyKey" ON live_posts ("StreamId", "IdempotencyKey");
            ALTER TABLE live_posts DROP COLUMN "IdempotencyFingerprint";
            """);
    }
}
