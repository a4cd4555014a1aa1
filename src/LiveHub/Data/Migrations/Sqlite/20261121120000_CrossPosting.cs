using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LiveHub.Data.Migrations.Sqlite;

/// <summary>
/// Bluesky cross-posting: the account, per-event settings, the outbox and each stream's thread state. Quartz's own
/// tables are not here: the scheduler creates them itself when it starts (SchemaProvisioning.CreateIfMissing).
/// </summary>
[DbContext(typeof(SqliteLiveHubDbContext))]
[Migration("20261121120000_CrossPosting")]
public sealed class CrossPosting : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            CREATE TABLE "crosspost_account" (
                "Id" INTEGER NOT NULL CONSTRAINT "PK_crosspost_account" PRIMARY KEY,
                "Handle" TEXT NULL,
                "Did" TEXT NULL,
                "ProtectedAppPassword" TEXT NULL,
                "ProtectedSession" TEXT NULL,
                "ConnectedAtUtc" TEXT NULL,
                "ConnectionStamp" TEXT NOT NULL,
                "DefaultHashtags" TEXT NULL,
                "DefaultLanguage" TEXT NULL,
                "PausedUntilUtc" TEXT NULL,
                "UpdatedAtUtc" TEXT NOT NULL
            );

            CREATE TABLE "crosspost_items" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_crosspost_items" PRIMARY KEY,
                "StreamId" TEXT NOT NULL,
                "PostId" TEXT NOT NULL,
                "PostSequence" INTEGER NOT NULL,
                "ChangeSequence" INTEGER NOT NULL,
                "Part" INTEGER NOT NULL,
                "PartCount" INTEGER NOT NULL,
                "Action" TEXT NOT NULL,
                "State" TEXT NOT NULL,
                "Text" TEXT NULL,
                "Attempts" INTEGER NOT NULL,
                "NextAttemptAtUtc" TEXT NOT NULL,
                "LastError" TEXT NULL,
                "Rkey" TEXT NULL,
                "RecordJson" TEXT NULL,
                "Uri" TEXT NULL,
                "Cid" TEXT NULL,
                "RemovedAtUtc" TEXT NULL,
                "CreatedAtUtc" TEXT NOT NULL,
                "UpdatedAtUtc" TEXT NOT NULL,
                "CompletedAtUtc" TEXT NULL
            );

            CREATE TABLE "crosspost_threads" (
                "StreamId" TEXT NOT NULL CONSTRAINT "PK_crosspost_threads" PRIMARY KEY,
                "RootUri" TEXT NULL,
                "RootCid" TEXT NULL,
                "LastUri" TEXT NULL,
                "LastCid" TEXT NULL,
                "LeaseOwner" TEXT NULL,
                "LeaseUntilUtc" TEXT NULL,
                "UpdatedAtUtc" TEXT NOT NULL
            );

            CREATE TABLE "crosspost_event_settings" (
                "EventId" TEXT NOT NULL CONSTRAINT "PK_crosspost_event_settings" PRIMARY KEY,
                "Enabled" INTEGER NOT NULL,
                "EditMode" TEXT NOT NULL,
                "Hashtags" TEXT NULL,
                "Language" TEXT NULL,
                "UpdatedAtUtc" TEXT NOT NULL,
                CONSTRAINT "FK_crosspost_event_settings_events_EventId" FOREIGN KEY ("EventId") REFERENCES "events" ("Id") ON DELETE CASCADE
            );

            CREATE INDEX "IX_crosspost_items_PostId" ON "crosspost_items" ("PostId");

            CREATE INDEX "IX_crosspost_items_State_NextAttemptAtUtc" ON "crosspost_items" ("State", "NextAttemptAtUtc");

            CREATE INDEX "IX_crosspost_items_StreamId_State_ChangeSequence_Part" ON "crosspost_items" ("StreamId", "State", "ChangeSequence", "Part");
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            DROP TABLE "crosspost_event_settings";
            DROP TABLE "crosspost_threads";
            DROP TABLE "crosspost_items";
            DROP TABLE "crosspost_account";
            """);
    }
}
