using System.Diagnostics;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Npgsql;
using SharingPlatform.Client;
using SharingPlatform.Client.Audit;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// The backup and restore the README documents, done as an operator would, against the real server process: a backup
/// taken while the server runs (SQLite <c>VACUUM INTO</c>; PostgreSQL <c>pg_dump</c>), the database lost (the server
/// then refuses to start), the backup restored beside the same keys. The restored platform starts, holds every record
/// pushed before the backup, and its audit chain verifies on the server and offline against a checkpoint kept before
/// the backup.
/// </summary>
public sealed class BackupTests : IDisposable
{
    private const string Tenant = "tenants/nkdb-demo";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", "backup-" + Guid.NewGuid().ToString("N"));
    private string? _database;

    private string DataDirectory => Path.Combine(_root, "data");

    [Fact]
    public async Task A_sqlite_backup_taken_while_serving_restores_a_platform_whose_chain_verifies_against_an_earlier_checkpoint()
    {
        var backup = Path.Combine(_root, "sharing-backup.db");
        var database = Path.Combine(DataDirectory, "sharing.db");
        await RoundTripAsync([], async () =>
        {
            // What `sqlite3 data/sharing.db "VACUUM INTO '/backups/sharing-backup.db'"` runs: a consistent copy while serving.
            await using var db = new SqliteConnection($"Data Source={database};Pooling=False");
            await db.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = db.CreateCommand();
            command.CommandText = $"VACUUM INTO '{backup}'";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }, () =>
        {
            foreach (var file in new[] { database, database + "-wal", database + "-shm" })
            {
                File.Delete(file);
            }

            return Task.CompletedTask;
        }, () =>
        {
            File.Copy(backup, database, overwrite: true); // over the empty file the refused start left
            return Task.CompletedTask;
        });
    }

    [Fact]
    public async Task A_postgres_dump_taken_while_serving_restores_a_platform_whose_chain_verifies_against_an_earlier_checkpoint()
    {
        Assert.SkipWhen(PostgresFixture.ServerConnectionString is null, $"Set {PostgresFixture.Variable} to run against PostgreSQL.");
        _database = "sp_backup_" + Guid.NewGuid().ToString("N")[..12];
        var target = new NpgsqlConnectionStringBuilder(PostgresFixture.ServerConnectionString) { Database = _database };
        await AdminAsync($"CREATE DATABASE \"{_database}\"");
        var dump = Path.Combine(_root, "sharing.dump");
        await RoundTripAsync(
            [new("Database:Provider", "Postgres"), new("Database:ConnectionString", target.ConnectionString)],
            () => RunAsync("pg_dump", target, "--format=custom", "--file", dump),
            async () =>
            {
                NpgsqlConnection.ClearAllPools();
                await AdminAsync($"DROP DATABASE \"{_database}\" WITH (FORCE)");
                await AdminAsync($"CREATE DATABASE \"{_database}\""); // empty, as after losing the data
            },
            () => RunAsync("pg_restore", target, "--no-owner", "--dbname", _database, dump));
    }

    public void Dispose()
    {
        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            AdminAsync($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)").GetAwaiter().GetResult();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task RoundTripAsync(KeyValuePair<string, string>[] database, Func<Task> backUp, Func<Task> lose, Func<Task> restore)
    {
        SignedCheckpoint kept;
        List<string> before;
        using (var server = Start(database))
        {
            await server.WaitUntilHealthyAsync(Deadline);
            using var auditor = Connect(server, PlatformFixture.PlatformAdminId, "bootstrap/platform-admin.jwk");
            kept = await auditor.Audit.GetCheckpointAsync(new GetCheckpointRequest());
            using var sync = Connect(server, "tenants/nkdb-demo/clients/sync", "demo/nkdb-demo-sync.jwk");
            await sync.Cases.PushCasesAsync(new PushCasesRequest
            {
                Parent = Tenant,
                RequestId = Records.RequestId(),
                Records = { Enumerable.Range(0, 50).Select(i => Records.Valid($"{Tenant}/cases/before-backup-{i}")) },
            });
            before = [.. (await sync.Cases.PullAllAsync(Tenant)).Changes.Select(c => c.Name)];
            await backUp();
            server.Kill();
        }

        await lose();
        using (var refused = Start(database))
        {
            Assert.Equal(3, await refused.WaitForExitAsync(Deadline)); // a lost database is never a first start
        }

        await restore();
        using var restored = Start(database);
        await restored.WaitUntilHealthyAsync(Deadline);
        using (var sync = Connect(restored, "tenants/nkdb-demo/clients/sync", "demo/nkdb-demo-sync.jwk"))
        {
            Assert.Equal(before.Order(StringComparer.Ordinal), (await sync.Cases.PullAllAsync(Tenant)).Changes.Select(c => c.Name).Order(StringComparer.Ordinal));
        }

        using var platformAuditor = Connect(restored, PlatformFixture.PlatformAdminId, "bootstrap/platform-admin.jwk");
        var onServer = await platformAuditor.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        Assert.True(onServer.Intact, $"{onServer.Problem} at {onServer.FirstBadSequence}");
        var latest = await platformAuditor.Audit.GetCheckpointAsync(new GetCheckpointRequest());
        var events = await AuditReader.ExportAsync(platformAuditor, latest.Checkpoint.Size);
        var offline = AuditVerifier.Verify(events, kept.PublicJwk, [kept], latest);
        Assert.True(offline.Intact, offline.Problem);
        Assert.True(latest.Checkpoint.Size > kept.Checkpoint.Size);
    }

    private ServerProcess Start(KeyValuePair<string, string>[] database) => ServerProcess.Start(
        [.. database, new("Platform:DataDirectory", DataDirectory), new("Demo:Enabled", "true"), new("Demo:RecordsPerTenant", "20")],
        ServerProcess.FreePort(), ServerProcess.FreePort());

    private SharingConnection Connect(ServerProcess server, string clientId, string keyFile) =>
        new(server.GrpcAddress, server.IdentityAddress, clientId, ClientKey.Load(Path.Combine(DataDirectory, keyFile)));

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresFixture.ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a PostgreSQL client tool against <paramref name="target"/>'s server, the password in the environment.</summary>
    private static async Task RunAsync(string tool, NpgsqlConnectionStringBuilder target, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--host", target.Host!, "--port", target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--username", target.Username! }
            .Concat(tool == "pg_dump" ? [target.Database!] : []).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = target.Password;
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {error}");
    }
}
