using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LiveHub.Data.Migrations.Sqlite;

/// <summary>Live coverage: streams, posts, images and the audit trail.</summary>
[DbContext(typeof(SqliteLiveHubDbContext))]
[Migration("20261121110000_LiveCoverage")]
public sealed class LiveCoverage : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            CREATE TABLE "live_audit" (
                "Id" INTEGER NOT NULL CONSTRAINT "PK_live_audit" PRIMARY KEY AUTOINCREMENT,
                "StreamId" TEXT NOT NULL,
                "PostId" TEXT NULL,
                "Action" TEXT NOT NULL,
                "ActorId" TEXT NULL,
                "ActorName" TEXT NULL,
                "AtUtc" TEXT NOT NULL,
                "ChangeSequence" INTEGER NOT NULL,
                "Details" TEXT NULL
            );

            CREATE TABLE "live_streams" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_live_streams" PRIMARY KEY,
                "EventId" TEXT NOT NULL,
                "SessionId" TEXT NULL,
                "Key" TEXT NOT NULL,
                "State" TEXT NOT NULL,
                "StartedAtUtc" TEXT NULL,
                "EndedAtUtc" TEXT NULL,
                "LastSequence" INTEGER NOT NULL,
                "LastChange" INTEGER NOT NULL,
                "StateChange" INTEGER NOT NULL,
                "CreatedAtUtc" TEXT NOT NULL,
                CONSTRAINT "FK_live_streams_events_EventId" FOREIGN KEY ("EventId") REFERENCES "events" ("Id") ON DELETE CASCADE,
                CONSTRAINT "FK_live_streams_sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "sessions" ("Id") ON DELETE CASCADE
            );

            CREATE TABLE "live_posts" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_live_posts" PRIMARY KEY,
                "StreamId" TEXT NOT NULL,
                "Sequence" INTEGER NOT NULL,
                "ChangeSequence" INTEGER NOT NULL,
                "Kind" TEXT NOT NULL,
                "Format" TEXT NOT NULL,
                "Body" TEXT NOT NULL,
                "SpeakerId" TEXT NULL,
                "LinkUrl" TEXT NULL,
                "IsPinned" INTEGER NOT NULL,
                "IsKeyMoment" INTEGER NOT NULL,
                "AuthorId" TEXT NULL,
                "AuthorName" TEXT NULL,
                "CreatedAtUtc" TEXT NOT NULL,
                "EditedAtUtc" TEXT NULL,
                "DeletedAtUtc" TEXT NULL,
                "Version" INTEGER NOT NULL,
                CONSTRAINT "FK_live_posts_live_streams_StreamId" FOREIGN KEY ("StreamId") REFERENCES "live_streams" ("Id") ON DELETE CASCADE,
                CONSTRAINT "FK_live_posts_speakers_SpeakerId" FOREIGN KEY ("SpeakerId") REFERENCES "speakers" ("Id") ON DELETE SET NULL
            );

            CREATE TABLE "live_images" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_live_images" PRIMARY KEY,
                "StreamId" TEXT NOT NULL,
                "PostId" TEXT NULL,
                "Position" INTEGER NOT NULL,
                "ContentType" TEXT NOT NULL,
                "FileName" TEXT NOT NULL,
                "Length" INTEGER NOT NULL,
                "Width" INTEGER NOT NULL,
                "Height" INTEGER NOT NULL,
                "AltText" TEXT NOT NULL,
                "UploadedById" TEXT NULL,
                "CreatedAtUtc" TEXT NOT NULL,
                CONSTRAINT "FK_live_images_live_posts_PostId" FOREIGN KEY ("PostId") REFERENCES "live_posts" ("Id") ON DELETE SET NULL
            );

            CREATE INDEX "IX_live_audit_StreamId_Id" ON "live_audit" ("StreamId", "Id");

            CREATE INDEX "IX_live_images_PostId" ON "live_images" ("PostId");

            CREATE INDEX "IX_live_images_StreamId" ON "live_images" ("StreamId");

            CREATE INDEX "IX_live_posts_SpeakerId" ON "live_posts" ("SpeakerId");

            CREATE INDEX "IX_live_posts_StreamId_ChangeSequence" ON "live_posts" ("StreamId", "ChangeSequence");

            CREATE UNIQUE INDEX "IX_live_posts_StreamId_Sequence" ON "live_posts" ("StreamId", "Sequence");

            CREATE UNIQUE INDEX "IX_live_streams_EventId_Key" ON "live_streams" ("EventId", "Key");

            CREATE INDEX "IX_live_streams_SessionId" ON "live_streams" ("SessionId");
            """);
    }
}
