using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LiveHub.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AudienceQuestions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "question_poll_state",
                columns: table => new
                {
                    StreamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LastPolledAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    NextPollAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ConsecutiveFailures = table.Column<int>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_question_poll_state", x => x.StreamId);
                    table.ForeignKey(
                        name: "FK_question_poll_state_live_streams_StreamId",
                        column: x => x.StreamId,
                        principalTable: "live_streams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "questions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    StreamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    LinksJson = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    BlueskyUri = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    BlueskyCid = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    AuthorDid = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    AuthorHandle = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    ImageCount = table.Column<int>(type: "INTEGER", nullable: false),
                    MergedIntoId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AskedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AnsweredAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ModeratedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ModeratedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    UpdatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_questions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_questions_live_streams_StreamId",
                        column: x => x.StreamId,
                        principalTable: "live_streams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_questions_BlueskyUri",
                table: "questions",
                column: "BlueskyUri",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_questions_StreamId_Status_AskedAtUtc",
                table: "questions",
                columns: new[] { "StreamId", "Status", "AskedAtUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "question_poll_state");

            migrationBuilder.DropTable(
                name: "questions");
        }
    }
}
