using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LiveHub.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddSessionRecaps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "session_recaps",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    StreamId = table.Column<Guid>(type: "uuid", nullable: false),
                    EventId = table.Column<Guid>(type: "uuid", nullable: false),
                    SessionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Body = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    BuiltFromChange = table.Column<long>(type: "bigint", nullable: false),
                    EditedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    EditedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    PublishedTitle = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    PublishedBody = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: true),
                    FirstPublishedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    PublishedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    PublishedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    CreatedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_recaps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_session_recaps_events_EventId",
                        column: x => x.EventId,
                        principalTable: "events",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_session_recaps_live_streams_StreamId",
                        column: x => x.StreamId,
                        principalTable: "live_streams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_session_recaps_sessions_SessionId",
                        column: x => x.SessionId,
                        principalTable: "sessions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_session_recaps_EventId_PublishedAtUtc",
                table: "session_recaps",
                columns: new[] { "EventId", "PublishedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_session_recaps_SessionId",
                table: "session_recaps",
                column: "SessionId");

            migrationBuilder.CreateIndex(
                name: "IX_session_recaps_StreamId",
                table: "session_recaps",
                column: "StreamId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "session_recaps");
        }
    }
}
