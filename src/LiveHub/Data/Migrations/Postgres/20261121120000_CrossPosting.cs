using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LiveHub.Data.Migrations.Postgres;

/// <summary>
/// Bluesky cross-posting: the account, per-event settings, the outbox and each stream's thread state. Quartz's own
/// tables are not here: the scheduler creates them itself when it starts (SchemaProvisioning.CreateIfMissing).
/// </summary>
[DbContext(typeof(PostgresLiveHubDbContext))]
[Migration("20261121120000_CrossPosting")]
public sealed class CrossPosting : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            CREATE TABLE crosspost_account (
                "Id" integer NOT NULL,
                "Handle" character varying(253),
                "Did" character varying(256),
                "ProtectedAppPassword" text,
                "ProtectedSession" text,
                "ConnectedAtUtc" timestamp with time zone,
                "ConnectionStamp" uuid NOT NULL,
                "DefaultHashtags" character varying(200),
                "DefaultLanguage" character varying(16),
                "PausedUntilUtc" timestamp with time zone,
                "UpdatedAtUtc" timestamp with time zone NOT NULL,
                CONSTRAINT "PK_crosspost_account" PRIMARY KEY ("Id")
            );

            CREATE TABLE crosspost_items (
                "Id" uuid NOT NULL,
                "StreamId" uuid NOT NULL,
                "PostId" uuid NOT NULL,
                "PostSequence" integer NOT NULL,
                "ChangeSequence" bigint NOT NULL,
                "Part" integer NOT NULL,
                "PartCount" integer NOT NULL,
                "Action" character varying(16) NOT NULL,
                "State" character varying(16) NOT NULL,
                "Text" character varying(3000),
                "Attempts" integer NOT NULL,
                "NextAttemptAtUtc" timestamp with time zone NOT NULL,
                "LastError" character varying(2000),
                "Rkey" character varying(16),
                "RecordJson" text,
                "Uri" character varying(512),
                "Cid" character varying(128),
                "RemovedAtUtc" timestamp with time zone,
                "CreatedAtUtc" timestamp with time zone NOT NULL,
                "UpdatedAtUtc" timestamp with time zone NOT NULL,
                "CompletedAtUtc" timestamp with time zone,
                CONSTRAINT "PK_crosspost_items" PRIMARY KEY ("Id")
            );

            CREATE TABLE crosspost_threads (
                "StreamId" uuid NOT NULL,
                "RootUri" character varying(512),
                "RootCid" character varying(128),
                "LastUri" character varying(512),
                "LastCid" character varying(128),
                "LeaseOwner" character varying(128),
                "LeaseUntilUtc" timestamp with time zone,
                "UpdatedAtUtc" timestamp with time zone NOT NULL,
                CONSTRAINT "PK_crosspost_threads" PRIMARY KEY ("StreamId")
            );

            CREATE TABLE crosspost_event_settings (
                "EventId" uuid NOT NULL,
                "Enabled" boolean NOT NULL,
                "EditMode" character varying(16) NOT NULL,
                "Hashtags" character varying(200),
                "Language" character varying(16),
                "UpdatedAtUtc" timestamp with time zone NOT NULL,
                CONSTRAINT "PK_crosspost_event_settings" PRIMARY KEY ("EventId"),
                CONSTRAINT "FK_crosspost_event_settings_events_EventId" FOREIGN KEY ("EventId") REFERENCES events ("Id") ON DELETE CASCADE
            );

            CREATE INDEX "IX_crosspost_items_PostId" ON crosspost_items ("PostId");

            CREATE INDEX "IX_crosspost_items_State_NextAttemptAtUtc" ON crosspost_items ("State", "NextAttemptAtUtc");

            CREATE INDEX "IX_crosspost_items_StreamId_State_ChangeSequence_Part" ON crosspost_items ("StreamId", "State", "ChangeSequence", "Part");
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            DROP TABLE crosspost_event_settings;
            DROP TABLE crosspost_threads;
            DROP TABLE crosspost_items;
            DROP TABLE crosspost_account;
            """);
    }
}
