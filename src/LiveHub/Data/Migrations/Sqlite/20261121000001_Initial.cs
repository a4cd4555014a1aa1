using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace LiveHub.Data.Migrations.Sqlite;

/// <summary>
/// The first schema: Identity, Data Protection keys, events, sessions, speakers. Written from the output of
/// <c>print-schema-sql</c> for this provider; see docs/development.md for how to add a migration.
/// </summary>
[DbContext(typeof(SqliteLiveHubDbContext))]
[Migration("20261121000001_Initial")]
public sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(
            """
            CREATE TABLE "AspNetRoles" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetRoles" PRIMARY KEY,
                "Name" TEXT NULL,
                "NormalizedName" TEXT NULL,
                "ConcurrencyStamp" TEXT NULL
            );

            CREATE TABLE "AspNetUsers" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetUsers" PRIMARY KEY,
                "DisplayName" TEXT NULL,
                "CreatedAtUtc" TEXT NOT NULL,
                "UserName" TEXT NULL,
                "NormalizedUserName" TEXT NULL,
                "Email" TEXT NULL,
                "NormalizedEmail" TEXT NULL,
                "EmailConfirmed" INTEGER NOT NULL,
                "PasswordHash" TEXT NULL,
                "SecurityStamp" TEXT NULL,
                "ConcurrencyStamp" TEXT NULL,
                "PhoneNumber" TEXT NULL,
                "PhoneNumberConfirmed" INTEGER NOT NULL,
                "TwoFactorEnabled" INTEGER NOT NULL,
                "LockoutEnd" TEXT NULL,
                "LockoutEnabled" INTEGER NOT NULL,
                "AccessFailedCount" INTEGER NOT NULL
            );

            CREATE TABLE "data_protection_keys" (
                "Id" INTEGER NOT NULL CONSTRAINT "PK_data_protection_keys" PRIMARY KEY AUTOINCREMENT,
                "FriendlyName" TEXT NULL,
                "Xml" TEXT NOT NULL
            );

            CREATE TABLE "events" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_events" PRIMARY KEY,
                "Slug" TEXT NOT NULL,
                "Title" TEXT NOT NULL,
                "Summary" TEXT NULL,
                "Description" TEXT NULL,
                "StartsAtUtc" TEXT NOT NULL,
                "EndsAtUtc" TEXT NOT NULL,
                "TimeZoneId" TEXT NOT NULL,
                "VenueName" TEXT NULL,
                "VenueAddress" TEXT NULL,
                "VenueLatitude" REAL NULL,
                "VenueLongitude" REAL NULL,
                "OnlineUrl" TEXT NULL,
                "Status" TEXT NOT NULL,
                "Tags" TEXT NOT NULL,
                "Organiser" TEXT NULL,
                "ImageUrl" TEXT NULL,
                "IsPublished" INTEGER NOT NULL,
                "Revision" INTEGER NOT NULL,
                "CreatedAtUtc" TEXT NOT NULL,
                "UpdatedAtUtc" TEXT NOT NULL,
                "CancelledAtUtc" TEXT NULL,
                "DeletedAtUtc" TEXT NULL
            );

            CREATE TABLE "speakers" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_speakers" PRIMARY KEY,
                "Name" TEXT NOT NULL,
                "Role" TEXT NULL,
                "Affiliation" TEXT NULL,
                "BlueskyHandle" TEXT NULL,
                "Bio" TEXT NULL,
                "CreatedAtUtc" TEXT NOT NULL,
                "UpdatedAtUtc" TEXT NOT NULL
            );

            CREATE TABLE "AspNetRoleClaims" (
                "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetRoleClaims" PRIMARY KEY AUTOINCREMENT,
                "RoleId" TEXT NOT NULL,
                "ClaimType" TEXT NULL,
                "ClaimValue" TEXT NULL,
                CONSTRAINT "FK_AspNetRoleClaims_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE
            );

            CREATE TABLE "AspNetUserClaims" (
                "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetUserClaims" PRIMARY KEY AUTOINCREMENT,
                "UserId" TEXT NOT NULL,
                "ClaimType" TEXT NULL,
                "ClaimValue" TEXT NULL,
                CONSTRAINT "FK_AspNetUserClaims_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
            );

            CREATE TABLE "AspNetUserLogins" (
                "LoginProvider" TEXT NOT NULL,
                "ProviderKey" TEXT NOT NULL,
                "ProviderDisplayName" TEXT NULL,
                "UserId" TEXT NOT NULL,
                CONSTRAINT "PK_AspNetUserLogins" PRIMARY KEY ("LoginProvider", "ProviderKey"),
                CONSTRAINT "FK_AspNetUserLogins_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
            );

            CREATE TABLE "AspNetUserRoles" (
                "UserId" TEXT NOT NULL,
                "RoleId" TEXT NOT NULL,
                CONSTRAINT "PK_AspNetUserRoles" PRIMARY KEY ("UserId", "RoleId"),
                CONSTRAINT "FK_AspNetUserRoles_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE,
                CONSTRAINT "FK_AspNetUserRoles_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
            );

            CREATE TABLE "AspNetUserTokens" (
                "UserId" TEXT NOT NULL,
                "LoginProvider" TEXT NOT NULL,
                "Name" TEXT NOT NULL,
                "Value" TEXT NULL,
                CONSTRAINT "PK_AspNetUserTokens" PRIMARY KEY ("UserId", "LoginProvider", "Name"),
                CONSTRAINT "FK_AspNetUserTokens_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
            );

            CREATE TABLE "sessions" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_sessions" PRIMARY KEY,
                "EventId" TEXT NOT NULL,
                "Title" TEXT NOT NULL,
                "Description" TEXT NULL,
                "StartsAtUtc" TEXT NOT NULL,
                "EndsAtUtc" TEXT NOT NULL,
                "Room" TEXT NULL,
                "Track" TEXT NULL,
                "ChairId" TEXT NULL,
                "Status" TEXT NOT NULL,
                "Coverage" TEXT NOT NULL,
                "Revision" INTEGER NOT NULL,
                "CreatedAtUtc" TEXT NOT NULL,
                "UpdatedAtUtc" TEXT NOT NULL,
                "CancelledAtUtc" TEXT NULL,
                "DeletedAtUtc" TEXT NULL,
                CONSTRAINT "FK_sessions_events_EventId" FOREIGN KEY ("EventId") REFERENCES "events" ("Id") ON DELETE CASCADE,
                CONSTRAINT "FK_sessions_speakers_ChairId" FOREIGN KEY ("ChairId") REFERENCES "speakers" ("Id") ON DELETE SET NULL
            );

            CREATE TABLE "session_speakers" (
                "SessionId" TEXT NOT NULL,
                "SpeakerId" TEXT NOT NULL,
                "Position" INTEGER NOT NULL,
                CONSTRAINT "PK_session_speakers" PRIMARY KEY ("SessionId", "SpeakerId"),
                CONSTRAINT "FK_session_speakers_sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "sessions" ("Id") ON DELETE CASCADE,
                CONSTRAINT "FK_session_speakers_speakers_SpeakerId" FOREIGN KEY ("SpeakerId") REFERENCES "speakers" ("Id") ON DELETE CASCADE
            );

            CREATE INDEX "IX_AspNetRoleClaims_RoleId" ON "AspNetRoleClaims" ("RoleId");

            CREATE UNIQUE INDEX "RoleNameIndex" ON "AspNetRoles" ("NormalizedName");

            CREATE INDEX "IX_AspNetUserClaims_UserId" ON "AspNetUserClaims" ("UserId");

            CREATE INDEX "IX_AspNetUserLogins_UserId" ON "AspNetUserLogins" ("UserId");

            CREATE INDEX "IX_AspNetUserRoles_RoleId" ON "AspNetUserRoles" ("RoleId");

            CREATE INDEX "EmailIndex" ON "AspNetUsers" ("NormalizedEmail");

            CREATE UNIQUE INDEX "UserNameIndex" ON "AspNetUsers" ("NormalizedUserName");

            CREATE UNIQUE INDEX "IX_events_Slug" ON "events" ("Slug");

            CREATE INDEX "IX_events_StartsAtUtc" ON "events" ("StartsAtUtc");

            CREATE INDEX "IX_session_speakers_SpeakerId" ON "session_speakers" ("SpeakerId");

            CREATE INDEX "IX_sessions_ChairId" ON "sessions" ("ChairId");

            CREATE INDEX "IX_sessions_EventId_StartsAtUtc" ON "sessions" ("EventId", "StartsAtUtc");

            CREATE INDEX "IX_speakers_Name" ON "speakers" ("Name");
            """);
    }
}
