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
            // while the old id still finds its client row. An id too long to be qualified in 100 characters could
            // not be named or managed afterwards, so such a client is disabled instead; its tenant-admin registers anew.
            migrationBuilder.Sql("""
                UPDATE a SET a.[ClientId] = 'tenants/' + t.[Slug] + '/clients/' + c.[ClientId]
                FROM [OpenIddictApplications] a JOIN [clients] c ON c.[ClientId] = a.[ClientId] JOIN [tenants] t ON t.[Id] = c.[TenantId]
                WHERE a.[ClientId] NOT LIKE 'tenants/%' AND LEN('tenants/' + t.[Slug] + '/clients/' + c.[ClientId]) <= 100;
                UPDATE c SET c.[ClientId] = 'tenants/' + t.[Slug] + '/clients/' + c.[ClientId]
                FROM [clients] c JOIN [tenants] t ON t.[Id] = c.[TenantId]
                WHERE c.[ClientId] NOT LIKE 'tenants/%' AND LEN('tenants/' + t.[Slug] + '/clients/' + c.[ClientId]) <= 100;
                UPDATE [clients] SET [Status] = 1 WHERE [ClientId] NOT LIKE 'tenants/%';
                """);

            migrationBuilder.AddColumn<DateTime>(
                name: "Time",
                table: "case_revisions",
                type: "datetime2",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // A record's current revision was written at its update time; older revisions' times are unknown
            // (MinValue: judged by sequence alone).
            migrationBuilder.Sql("""
                UPDATE r SET r.[Time] = c.[UpdateTime] FROM [case_revisions] r JOIN [cases] c ON c.[Id] = r.[CaseRowId] AND c.[Seq] = r.[Seq];
                """);
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
