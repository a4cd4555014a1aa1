using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LiveHub.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class BilingualContent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BioCy",
                table: "speakers",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DescriptionCy",
                table: "sessions",
                type: "character varying(20000)",
                maxLength: 20000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TitleCy",
                table: "sessions",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BodyCy",
                table: "live_posts",
                type: "character varying(5000)",
                maxLength: 5000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DescriptionCy",
                table: "events",
                type: "character varying(20000)",
                maxLength: 20000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SummaryCy",
                table: "events",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TitleCy",
                table: "events",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "BioCy",
                table: "speakers");

            migrationBuilder.DropColumn(
                name: "DescriptionCy",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "TitleCy",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "BodyCy",
                table: "live_posts");

            migrationBuilder.DropColumn(
                name: "DescriptionCy",
                table: "events");

            migrationBuilder.DropColumn(
                name: "SummaryCy",
                table: "events");

            migrationBuilder.DropColumn(
                name: "TitleCy",
                table: "events");
        }
    }
}
