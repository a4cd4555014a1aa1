using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LiveHub.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RecurringSeries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RecurrenceRule",
                table: "events",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "SeriesEndsAtUtc",
                table: "events",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "series_exceptions",
                columns: table => new
                {
                    EventId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OriginalStartUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_series_exceptions", x => new { x.EventId, x.OriginalStartUtc });
                    table.ForeignKey(
                        name: "FK_series_exceptions_events_EventId",
                        column: x => x.EventId,
                        principalTable: "events",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "series_overrides",
                columns: table => new
                {
                    EventId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OriginalStartUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartsAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndsAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_series_overrides", x => new { x.EventId, x.OriginalStartUtc });
                    table.ForeignKey(
                        name: "FK_series_overrides_events_EventId",
                        column: x => x.EventId,
                        principalTable: "events",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "series_exceptions");

            migrationBuilder.DropTable(
                name: "series_overrides");

            migrationBuilder.DropColumn(
                name: "RecurrenceRule",
                table: "events");

            migrationBuilder.DropColumn(
                name: "SeriesEndsAtUtc",
                table: "events");
        }
    }
}
