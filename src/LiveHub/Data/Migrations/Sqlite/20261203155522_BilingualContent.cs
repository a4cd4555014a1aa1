using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LiveHub.Data.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DescriptionCy",
                table: "sessions",
                type: "TEXT",
                maxLength: 20000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TitleCy",
                table: "sessions",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BodyCy",
                table: "live_posts",
                type: "TEXT",
                maxLength: 5000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DescriptionCy",
                table: "events",
                type: "TEXT",
                maxLength: 20000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SummaryCy",
                table: "events",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TitleCy",
                table: "events",
                type: "TEXT",
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
