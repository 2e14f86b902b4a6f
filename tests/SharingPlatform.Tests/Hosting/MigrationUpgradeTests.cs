extern alias server;

using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Google.Protobuf;
using server::SharingPlatform.Server.Cases;
using server::SharingPlatform.Server.Data;
using server::SharingPlatform.V1;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// A database written before the privacy fixes, migrated: clients get their tenant-qualified names (in the OpenIddict
/// application too), one too long to qualify is disabled, records get random etags, each record's current
/// revision gets its time, and the sharing facts (side rows, month) are filled in from each record's content.
/// </summary>
public sealed partial class MigrationUpgradeTests
{
    private const string LongSlug = "a-long-tenant-slug-of-forty-characters-x";
    private static readonly string LongClient = new('x', 63);

    [Fact]
    public async Task A_sqlite_database_from_before_the_privacy_fixes_is_upgraded()
    {
        var path = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", Guid.NewGuid().ToString("N") + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            await using var db = new SqliteSharingDbContext(new DbContextOptionsBuilder<SqliteSharingDbContext>().UseSqlite($"Data Source={path};Pooling=false").UseOpenIddict().Options);
            await UpgradeAsync(db, "'2026-01-01 10:00:00'", hex => $"X'{hex}'");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_postgres_database_from_before_the_privacy_fixes_is_upgraded()
    {
        var server = Environment.GetEnvironmentVariable("SHARINGPLATFORM_TEST_POSTGRES");
        Assert.SkipWhen(string.IsNullOrEmpty(server), "SHARINGPLATFORM_TEST_POSTGRES is not set");
        var name = "sp_upgrade_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            var connection = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
            await using var db = new PostgresSharingDbContext(new DbContextOptionsBuilder<PostgresSharingDbContext>().UseNpgsql(connection).UseOpenIddict().Options);
            await UpgradeAsync(db, "'2026-01-01 10:00:00+00'", hex => $"'\\x{hex}'::bytea");
        }
        finally
        {
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task UpgradeAsync(SharingDbContext db, string time, Func<string, string> bytes)
    {
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync("AuditSalt");
        // Rows as the previous version wrote them: global client ids, no etags, revisions without times, facts in packed
        // columns. The values are this test's own constants.
        var content = new CaseRecord
        {
            Status = CaseStatus.Detained,
            Events =
            {
                new CaseEvent { Type = EventType.Arrested, Date = new PartialDate { Year = 2024, Month = 3 }, Location = new Location { Country = "CN", Region = "CN-LN" } },
                new CaseEvent { Type = EventType.Released, Date = new PartialDate { Year = 2024, Month = 5 }, Location = new Location { Country = "CN", Region = "CN-JL" } },
            },
        };
        var emptyBytes = bytes("");
        var contentBytes = bytes(Convert.ToHexStringLower(content.ToByteArray()));
        var oldRows = $"""
            INSERT INTO "tenants" ("Id", "Slug", "DisplayName", "Kind", "Status", "CreateTime") VALUES
                (100, 'old-ngo', 'Old NGO', 2, 0, {time}), (101, '{LongSlug}', 'Long', 2, 0, {time});
            INSERT INTO "clients" ("Id", "ClientId", "TenantId", "Roles", "Status", "CreateTime") VALUES
                (100, 'old-admin', 100, 'tenant-admin', 0, {time}), (101, '{LongClient}', 101, 'sync', 0, {time});
            INSERT INTO "OpenIddictApplications" ("Id", "ClientId") VALUES ('app-1', 'old-admin'), ('app-2', '{LongClient}');
            INSERT INTO "cases" ("Id", "TenantId", "CaseId", "Seq", "Version", "Retracted", "CreateTime", "UpdateTime",
                "Status", "Classification", "ConsentScope", "EventTypes", "Regions", "Content") VALUES
                (100, 100, 'c1', 5, 2, FALSE, {time}, {time}, 2, 1, 1, '', '', {emptyBytes}),
                (101, 100, 'c2', 6, 1, FALSE, {time}, {time}, 2, 1, 1, '|1|5|', '|CN-JL|CN-LN|', {contentBytes});
            INSERT INTO "case_revisions" ("CaseRowId", "Seq", "Retracted", "Status", "Classification", "ConsentScope", "EventTypes", "Regions") VALUES
                (100, 4, FALSE, 2, 1, 1, '', ''), (100, 5, FALSE, 2, 1, 1, '', '');
            """;
        await db.Database.ExecuteSqlRawAsync(oldRows);

        await migrator.MigrateAsync();
        Assert.Equal(2, await CaseScope.FillMissingFactsAsync(db, TestContext.Current.CancellationToken));
        Assert.Equal(0, await CaseScope.FillMissingFactsAsync(db, TestContext.Current.CancellationToken));

        var clients = await db.Clients.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
        var applications = await db.Database.SqlQueryRaw<string>("""SELECT "ClientId" AS "Value" FROM "OpenIddictApplications" ORDER BY "Id" """).ToListAsync();
        var record = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == 100);
        var revisions = await db.CaseRevisions.AsNoTracking().Where(r => r.CaseRowId == 100).OrderBy(r => r.Seq).ToListAsync();
        var filled = await db.Cases.AsNoTracking().Include(c => c.EventTypes).Include(c => c.Regions).SingleAsync(c => c.Id == 101);

        Assert.Equal("tenants/old-ngo/clients/old-admin", clients[0].ClientId);
        Assert.Equal(server::SharingPlatform.Server.Tenants.ClientStatus.Active, clients[0].Status);
        Assert.Equal(LongClient, clients[1].ClientId);
        Assert.Equal(server::SharingPlatform.Server.Tenants.ClientStatus.Disabled, clients[1].Status);
        Assert.Equal(["tenants/old-ngo/clients/old-admin", LongClient], applications);
        Assert.Matches(RandomEtag(), record.Etag);
        Assert.Equal(DateTime.MinValue, revisions[0].Time);
        Assert.Equal(record.UpdateTime, revisions[1].Time);
        // The sharing facts of stored records are filled in from their content: side rows and the latest month.
        Assert.Equal(CaseFacts.Version, filled.FactsVersion);
        Assert.Equal(202405, filled.Month);
        Assert.Equal([(int)EventType.Arrested, (int)EventType.Released], filled.EventTypes.Select(e => e.EventType).Order());
        Assert.Equal(["CN-JL", "CN-LN"], filled.Regions.Select(r => r.Region).Order(StringComparer.Ordinal));
        Assert.Equal((int)CaseStatus.Detained, filled.Status);
    }

    [GeneratedRegex("^\"[0-9a-f]{24}\"$")]
    private static partial Regex RandomEtag();
}
