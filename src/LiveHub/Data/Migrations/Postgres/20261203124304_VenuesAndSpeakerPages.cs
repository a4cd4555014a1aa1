using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LiveHub.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VenuesAndSpeakerPages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "Links",
                table: "speakers",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<string>(
                name: "PhotoAltText",
                table: "speakers",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PhotoUrl",
                table: "speakers",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Slug",
                table: "speakers",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            // Every existing speaker needs a unique slug before the unique index: a placeholder that the app replaces
            // with one made from the name on its next start (SlugTidy), since SQL cannot build that on every provider.
            migrationBuilder.Sql("UPDATE speakers SET \"Slug\" = 'migrated-' || \"Id\"::text;");
            // The defaults only filled the existing rows; the model has none.
            migrationBuilder.Sql("ALTER TABLE speakers ALTER COLUMN \"Links\" DROP DEFAULT, ALTER COLUMN \"Slug\" DROP DEFAULT;");

            migrationBuilder.CreateTable(
                name: "venues",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Slug = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Address = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Latitude = table.Column<double>(type: "double precision", nullable: true),
                    Longitude = table.Column<double>(type: "double precision", nullable: true),
                    MapUrl = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    TimeZoneId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    AccessibilityNotes = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    CreatedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_venues", x => x.Id);
                });

            migrationBuilder.AddColumn<Guid>(
                name: "VenueId",
                table: "events",
                type: "uuid",
                nullable: true);

            // Each distinct venue typed into events (name, address and coordinates, so no detail is lost) becomes a venue row,
            // and the events point to it. The venue takes the id of its first event (unique, and a valid id in this table).
            migrationBuilder.Sql("""
                INSERT INTO venues ("Id", "Slug", "Name", "Address", "Latitude", "Longitude", "TimeZoneId", "CreatedAtUtc", "UpdatedAtUtc")
                SELECT MIN("Id"::text)::uuid, 'migrated-' || MIN("Id"::text), "VenueName", "VenueAddress", "VenueLatitude", "VenueLongitude",
                       MIN("TimeZoneId"), MIN("CreatedAtUtc"), MAX("UpdatedAtUtc")
                FROM events WHERE "VenueName" IS NOT NULL
                GROUP BY "VenueName", "VenueAddress", "VenueLatitude", "VenueLongitude";
                UPDATE events SET "VenueId" = v."Id" FROM venues v
                WHERE events."VenueName" IS NOT NULL AND v."Name" = events."VenueName"
                  AND v."Address" IS NOT DISTINCT FROM events."VenueAddress"
                  AND v."Latitude" IS NOT DISTINCT FROM events."VenueLatitude"
                  AND v."Longitude" IS NOT DISTINCT FROM events."VenueLongitude";
                """);

            migrationBuilder.DropColumn(
                name: "VenueAddress",
                table: "events");

            migrationBuilder.DropColumn(
                name: "VenueLatitude",
                table: "events");

            migrationBuilder.DropColumn(
                name: "VenueLongitude",
                table: "events");

            migrationBuilder.DropColumn(
                name: "VenueName",
                table: "events");

            migrationBuilder.CreateIndex(
                name: "IX_speakers_Slug",
                table: "speakers",
                column: "Slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_events_VenueId",
                table: "events",
                column: "VenueId");

            migrationBuilder.CreateIndex(
                name: "IX_venues_Name",
                table: "venues",
                column: "Name");

            migrationBuilder.CreateIndex(
                name: "IX_venues_Slug",
                table: "venues",
                column: "Slug",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_events_venues_VenueId",
                table: "events",
                column: "VenueId",
                principalTable: "venues",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "VenueAddress",
                table: "events",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "VenueLatitude",
                table: "events",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "VenueLongitude",
                table: "events",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VenueName",
                table: "events",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.Sql("""
                UPDATE events SET "VenueName" = v."Name", "VenueAddress" = v."Address", "VenueLatitude" = v."Latitude", "VenueLongitude" = v."Longitude"
                FROM venues v WHERE v."Id" = events."VenueId";
                """);

            migrationBuilder.DropForeignKey(
                name: "FK_events_venues_VenueId",
                table: "events");

            migrationBuilder.DropTable(
                name: "venues");

            migrationBuilder.DropIndex(
                name: "IX_speakers_Slug",
                table: "speakers");

            migrationBuilder.DropIndex(
                name: "IX_events_VenueId",
                table: "events");

            migrationBuilder.DropColumn(
                name: "Links",
                table: "speakers");

            migrationBuilder.DropColumn(
                name: "PhotoAltText",
                table: "speakers");

            migrationBuilder.DropColumn(
                name: "PhotoUrl",
                table: "speakers");

            migrationBuilder.DropColumn(
                name: "Slug",
                table: "speakers");

            migrationBuilder.DropColumn(
                name: "VenueId",
                table: "events");
        }
    }
}
