using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingPlatform.Server.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class SharingAgreements : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "KeyId",
                table: "clients",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "agreements",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    AgreementId = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    GrantorTenantId = table.Column<long>(type: "bigint", nullable: false),
                    GranteeTenantId = table.Column<long>(type: "bigint", nullable: false),
                    Purpose = table.Column<int>(type: "int", nullable: false),
                    Fields = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: false),
                    MaxClassification = table.Column<int>(type: "int", nullable: false),
                    EventTypes = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    Statuses = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    Regions = table.Column<string>(type: "nvarchar(1100)", maxLength: 1100, nullable: false),
                    DatePrecision = table.Column<int>(type: "int", nullable: false),
                    Linkage = table.Column<bool>(type: "bit", nullable: false),
                    AggregateOnly = table.Column<bool>(type: "bit", nullable: false),
                    MinCellSize = table.Column<int>(type: "int", nullable: false),
                    ValidFrom = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ValidUntil = table.Column<DateTime>(type: "datetime2", nullable: false),
                    CreateTime = table.Column<DateTime>(type: "datetime2", nullable: false),
                    CreateSeq = table.Column<long>(type: "bigint", nullable: false),
                    RevokeTime = table.Column<DateTime>(type: "datetime2", nullable: true),
                    RevokeSeq = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agreements", x => x.Id);
                    table.ForeignKey(
                        name: "FK_agreements_tenants_GranteeTenantId",
                        column: x => x.GranteeTenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_agreements_tenants_GrantorTenantId",
                        column: x => x.GrantorTenantId,
                        principalTable: "tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "case_revisions",
                columns: table => new
                {
                    CaseRowId = table.Column<long>(type: "bigint", nullable: false),
                    Seq = table.Column<long>(type: "bigint", nullable: false),
                    Retracted = table.Column<bool>(type: "bit", nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false),
                    Classification = table.Column<int>(type: "int", nullable: false),
                    ConsentScope = table.Column<int>(type: "int", nullable: false),
                    EventTypes = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    Regions = table.Column<string>(type: "nvarchar(1100)", maxLength: 1100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_revisions", x => new { x.CaseRowId, x.Seq });
                    table.ForeignKey(
                        name: "FK_case_revisions_cases_CaseRowId",
                        column: x => x.CaseRowId,
                        principalTable: "cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_cases_TenantId_Id",
                table: "cases",
                columns: new[] { "TenantId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_agreements_GranteeTenantId",
                table: "agreements",
                column: "GranteeTenantId");

            migrationBuilder.CreateIndex(
                name: "IX_agreements_GrantorTenantId_AgreementId",
                table: "agreements",
                columns: new[] { "GrantorTenantId", "AgreementId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agreements");

            migrationBuilder.DropTable(
                name: "case_revisions");

            migrationBuilder.DropIndex(
                name: "IX_cases_TenantId_Id",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "KeyId",
                table: "clients");
        }
    }
}
