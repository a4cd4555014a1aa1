-- The schema (and migration history) that LiveHub's hand-written migrations produced on SQLite, the last version
-- before the generated baseline (sqlite3 iterdump, 2026-12-03). Used by LegacyDatabaseUpgradeTests. Do not edit.
BEGIN TRANSACTION;
CREATE TABLE "AspNetRoleClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetRoleClaims" PRIMARY KEY AUTOINCREMENT,
    "RoleId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_AspNetRoleClaims_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE
);
CREATE TABLE "AspNetRoles" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetRoles" PRIMARY KEY,
    "Name" TEXT NULL,
    "NormalizedName" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL
);
INSERT INTO "AspNetRoles" VALUES('15fafe49-1f7c-4b62-bd59-f380fa22869f','Admin','ADMIN','eb49511d-1c7b-4892-b9be-bcac42e592e4');
INSERT INTO "AspNetRoles" VALUES('edae2a0f-a904-4899-b24b-4111973fa1fb','Editor','EDITOR','d9855794-8a50-4d70-968d-234e22a3306e');
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
, "DisabledAtUtc" TEXT NULL, "LastSignInAtUtc" TEXT NULL);
CREATE TABLE "__EFMigrationsHistory" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
);
INSERT INTO "__EFMigrationsHistory" VALUES('20261121000001_Initial','10.0.14');
INSERT INTO "__EFMigrationsHistory" VALUES('20261121100000_EventSourceUid','10.0.14');
INSERT INTO "__EFMigrationsHistory" VALUES('20261121110000_LiveCoverage','10.0.14');
INSERT INTO "__EFMigrationsHistory" VALUES('20261121120000_CrossPosting','10.0.14');
INSERT INTO "__EFMigrationsHistory" VALUES('20261121130000_PostIdempotencyKey','10.0.14');
INSERT INTO "__EFMigrationsHistory" VALUES('20261203090000_StaffAccountState','10.0.14');
INSERT INTO "__EFMigrationsHistory" VALUES('20261203100000_EventFirstPublishedAt','10.0.14');
INSERT INTO "__EFMigrationsHistory" VALUES('20261203110000_IdempotencyKeyPerAuthor','10.0.14');
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
CREATE TABLE "crosspost_event_settings" (
    "EventId" TEXT NOT NULL CONSTRAINT "PK_crosspost_event_settings" PRIMARY KEY,
    "Enabled" INTEGER NOT NULL,
    "EditMode" TEXT NOT NULL,
    "Hashtags" TEXT NULL,
    "Language" TEXT NULL,
    "UpdatedAtUtc" TEXT NOT NULL,
    CONSTRAINT "FK_crosspost_event_settings_events_EventId" FOREIGN KEY ("EventId") REFERENCES "events" ("Id") ON DELETE CASCADE
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
, "SourceUid" TEXT NULL, "LiveByline" TEXT NULL, "FirstPublishedAtUtc" TEXT NULL);
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
    "Version" INTEGER NOT NULL, "IdempotencyKey" TEXT NULL, "IdempotencyFingerprint" TEXT NULL,
    CONSTRAINT "FK_live_posts_live_streams_StreamId" FOREIGN KEY ("StreamId") REFERENCES "live_streams" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_live_posts_speakers_SpeakerId" FOREIGN KEY ("SpeakerId") REFERENCES "speakers" ("Id") ON DELETE SET NULL
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
CREATE TABLE "session_speakers" (
    "SessionId" TEXT NOT NULL,
    "SpeakerId" TEXT NOT NULL,
    "Position" INTEGER NOT NULL,
    CONSTRAINT "PK_session_speakers" PRIMARY KEY ("SessionId", "SpeakerId"),
    CONSTRAINT "FK_session_speakers_sessions_SessionId" FOREIGN KEY ("SessionId") REFERENCES "sessions" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_session_speakers_speakers_SpeakerId" FOREIGN KEY ("SpeakerId") REFERENCES "speakers" ("Id") ON DELETE CASCADE
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
CREATE UNIQUE INDEX "IX_events_SourceUid" ON "events" ("SourceUid");
CREATE INDEX "IX_live_audit_StreamId_Id" ON "live_audit" ("StreamId", "Id");
CREATE INDEX "IX_live_images_PostId" ON "live_images" ("PostId");
CREATE INDEX "IX_live_images_StreamId" ON "live_images" ("StreamId");
CREATE INDEX "IX_live_posts_SpeakerId" ON "live_posts" ("SpeakerId");
CREATE INDEX "IX_live_posts_StreamId_ChangeSequence" ON "live_posts" ("StreamId", "ChangeSequence");
CREATE UNIQUE INDEX "IX_live_posts_StreamId_Sequence" ON "live_posts" ("StreamId", "Sequence");
CREATE UNIQUE INDEX "IX_live_streams_EventId_Key" ON "live_streams" ("EventId", "Key");
CREATE INDEX "IX_live_streams_SessionId" ON "live_streams" ("SessionId");
CREATE INDEX "IX_crosspost_items_PostId" ON "crosspost_items" ("PostId");
CREATE INDEX "IX_crosspost_items_State_NextAttemptAtUtc" ON "crosspost_items" ("State", "NextAttemptAtUtc");
CREATE INDEX "IX_crosspost_items_StreamId_State_ChangeSequence_Part" ON "crosspost_items" ("StreamId", "State", "ChangeSequence", "Part");
CREATE UNIQUE INDEX "IX_live_posts_StreamId_AuthorId_IdempotencyKey" ON "live_posts" ("StreamId", "AuthorId", "IdempotencyKey");
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('data_protection_keys',1);
COMMIT;
