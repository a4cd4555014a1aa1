using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LiveHub.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PersonalAgendas : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "agendas",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agendas", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "agenda_sessions",
                columns: table => new
                {
                    AgendaId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SessionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AddedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agenda_sessions", x => new { x.AgendaId, x.SessionId });
                    table.ForeignKey(
                        name: "FK_agenda_sessions_agendas_AgendaId",
                        column: x => x.AgendaId,
                        principalTable: "agendas",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_agenda_sessions_sessions_SessionId",
                        column: x => x.SessionId,
                        principalTable: "sessions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_agenda_sessions_SessionId",
                table: "agenda_sessions",
                column: "SessionId");

            migrationBuilder.CreateIndex(
                name: "IX_agendas_TokenHash",
                table: "agendas",
                column: "TokenHash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agenda_sessions");

            migrationBuilder.DropTable(
                name: "agendas");
        }
    }
}
