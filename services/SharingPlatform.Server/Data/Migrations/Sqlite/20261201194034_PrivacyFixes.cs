using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SharingPlatform.Server.Data.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            // Records written before etags were opaque get a random one now, as every change gives them from here on.
            migrationBuilder.Sql("""
                UPDATE "cases" SET "Etag" = '"' || lower(hex(randomblob(12))) || '"' WHERE "Etag" = '';
                """);

            // Client ids become their names, tenants/{tenant}/clients/{client}: the OpenIddict application first,
            // while the old id still finds its client row. An id too long to be qualified in 100 characters could
            // not be named or managed afterwards, so such a client is disabled instead; its tenant-admin registers anew.
            migrationBuilder.Sql("""
                UPDATE "OpenIddictApplications" SET "ClientId" = (
                    SELECT 'tenants/' || t."Slug" || '/clients/' || c."ClientId" FROM "clients" c JOIN "tenants" t ON t."Id" = c."TenantId"
                    WHERE c."ClientId" = "OpenIddictApplications"."ClientId")
                WHERE "ClientId" NOT LIKE 'tenants/%' AND EXISTS (SELECT 1 FROM "clients" c JOIN "tenants" t ON t."Id" = c."TenantId"
                    WHERE c."ClientId" = "OpenIddictApplications"."ClientId" AND length('tenants/' || t."Slug" || '/clients/' || c."ClientId") <= 100);
                UPDATE "clients" SET "ClientId" = 'tenants/' || (SELECT t."Slug" FROM "tenants" t WHERE t."Id" = "clients"."TenantId") || '/clients/' || "ClientId"
                WHERE "ClientId" NOT LIKE 'tenants/%'
                    AND length('tenants/' || (SELECT t."Slug" FROM "tenants" t WHERE t."Id" = "clients"."TenantId") || '/clients/' || "ClientId") <= 100;
                UPDATE "clients" SET "Status" = 1 WHERE "ClientId" NOT LIKE 'tenants/%';
                """);

            migrationBuilder.AddColumn<DateTime>(
                name: "Time",
                table: "case_revisions",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // A record's current revision was written at its update time; older revisions' times are unknown
            // (MinValue: judged by sequence alone).
            migrationBuilder.Sql("""
                UPDATE "case_revisions" SET "Time" = (SELECT c."UpdateTime" FROM "cases" c WHERE c."Id" = "case_revisions"."CaseRowId" AND c."Seq" = "case_revisions"."Seq")
                WHERE EXISTS (SELECT 1 FROM "cases" c WHERE c."Id" = "case_revisions"."CaseRowId" AND c."Seq" = "case_revisions"."Seq");
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
