using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingPlatform.Server.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class PrivacyFixes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Etag",
                table: "cases",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            // Records written before etags were opaque get a random one now, as every change gives them from here on.
            migrationBuilder.Sql("""
                UPDATE [cases] SET [Etag] = '"' + LOWER(CONVERT(varchar(24), CRYPT_GEN_RANDOM(12), 2)) + '"' WHERE [Etag] = '';
                """);

            // Client ids become their names, tenants/{tenant}/clients/{client}: the OpenIddict application first,
            // while the old id still finds its client row.
            migrationBuilder.Sql("""
                UPDATE a SET a.[ClientId] = 'tenants/' + t.[Slug] + '/clients/' + c.[ClientId]
                FROM [OpenIddictApplications] a JOIN [clients] c ON c.[ClientId] = a.[ClientId] JOIN [tenants] t ON t.[Id] = c.[TenantId]
                WHERE a.[ClientId] NOT LIKE 'tenants/%';
                UPDATE c SET c.[ClientId] = 'tenants/' + t.[Slug] + '/clients/' + c.[ClientId]
                FROM [clients] c JOIN [tenants] t ON t.[Id] = c.[TenantId]
                WHERE c.[ClientId] NOT LIKE 'tenants/%';
                """);

            migrationBuilder.AddColumn<DateTime>(
                name: "Time",
                table: "case_revisions",
                type: "datetime2",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Etag",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "Time",
                table: "case_revisions");
        }
    }
}
