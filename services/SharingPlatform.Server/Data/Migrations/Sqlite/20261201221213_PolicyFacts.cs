using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingPlatform.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PolicyFacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "EventTypes",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "Regions",
                table: "cases");

            migrationBuilder.AddColumn<int>(
                name: "FactsVersion",
                table: "cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Month",
                table: "cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "case_event_types",
                columns: table => new
                {
                    CaseRowId = table.Column<long>(type: "INTEGER", nullable: false),
                    EventType = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_event_types", x => new { x.CaseRowId, x.EventType });
                    table.ForeignKey(
                        name: "FK_case_event_types_cases_CaseRowId",
                        column: x => x.CaseRowId,
                        principalTable: "cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "case_regions",
                columns: table => new
                {
                    CaseRowId = table.Column<long>(type: "INTEGER", nullable: false),
                    Region = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_regions", x => new { x.CaseRowId, x.Region });
                    table.ForeignKey(
                        name: "FK_case_regions_cases_CaseRowId",
                        column: x => x.CaseRowId,
                        principalTable: "cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "case_event_types");

            migrationBuilder.DropTable(
                name: "case_regions");

            migrationBuilder.DropColumn(
                name: "FactsVersion",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "Month",
                table: "cases");

            migrationBuilder.AddColumn<string>(
                name: "EventTypes",
                table: "cases",
                type: "TEXT",
                maxLength: 500,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Regions",
                table: "cases",
                type: "TEXT",
                maxLength: 1100,
                nullable: false,
                defaultValue: "");
        }
    }
}
