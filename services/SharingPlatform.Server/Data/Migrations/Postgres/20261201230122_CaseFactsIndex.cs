using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingPlatform.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CaseFactsIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_cases_TenantId_Retracted_Status_Classification_ConsentScope~",
                table: "cases",
                columns: new[] { "TenantId", "Retracted", "Status", "Classification", "ConsentScope", "Month", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_TenantId_Retracted_Status_Classification_ConsentScope~",
                table: "cases");
        }
    }
}
