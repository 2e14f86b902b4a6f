using System.Net;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// Damage made straight in the database while the server was down, as the crash harness made it, through the real
/// server process. A damaged end of the audit chain must not take the platform down silently: /healthz says so, every
/// call is refused as UNAVAILABLE (never INTERNAL), and auditors can still run VerifyAuditChain, which names the
/// place. Overwritten database pages are found at start and refused.
/// </summary>
public sealed class DamagedStorageTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", "damage-" + Guid.NewGuid().ToString("N"));

    private string DataDirectory => Path.Combine(_root, "data");

    private string DatabasePath => Path.Combine(DataDirectory, "sharing.db");

    [Fact]
    public async Task A_head_row_two_events_behind_is_reported_by_health_refuses_calls_and_verify_names_the_place()
    {
        var size = await StartOnceAsync();
        await ExecuteAsync("UPDATE \"audit_head\" SET \"Size\" = \"Size\" - 2, \"Hash\" = (SELECT \"Hash\" FROM \"audit_events\" WHERE \"Seq\" = (SELECT max(\"Seq\") - 2 FROM \"audit_events\"))");

        var verify = await AssertFaultedAsync();
        Assert.False(verify.Intact);
        Assert.Equal(size - 1, verify.FirstBadSequence);
        Assert.Contains("head row", verify.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_copied_last_event_is_reported_by_health_refuses_calls_and_verify_names_the_copy()
    {
        var size = await StartOnceAsync();
        await ExecuteAsync("INSERT INTO \"audit_events\" (\"Seq\", \"Time\", \"ActorClient\", \"ActorTenant\", \"Action\", \"Resources\", \"Purpose\", \"Outcome\", \"RequestId\", \"Tenants\", \"Salt\", \"ContentDigest\", \"PreviousHash\", \"Hash\") "
            + "SELECT \"Seq\" + 1, \"Time\", \"ActorClient\", \"ActorTenant\", \"Action\", \"Resources\", \"Purpose\", \"Outcome\", \"RequestId\", \"Tenants\", \"Salt\", \"ContentDigest\", \"PreviousHash\", \"Hash\" "
            + "FROM \"audit_events\" WHERE \"Seq\" = (SELECT max(\"Seq\") FROM \"audit_events\")");

        var verify = await AssertFaultedAsync();
        Assert.False(verify.Intact);
        Assert.Equal(size + 1, verify.FirstBadSequence);
    }

    [Fact]
    public async Task Overwritten_database_pages_are_found_at_start_and_the_start_is_refused()
    {
        await StartOnceAsync(records: 400);
        Checkpoint();
        var length = new FileInfo(DatabasePath).Length;
        Assert.True(length > 96 * 1024, $"The database is only {length} bytes.");
        await using (var file = new FileStream(DatabasePath, FileMode.Open, FileAccess.Write))
        {
            file.Position = length / 2 / 4096 * 4096; // 32 KiB from a page boundary in the middle
            file.Write(new byte[32 * 1024].Select((_, i) => (byte)(i * 7 + 13)).ToArray());
        }

        using var server = Start();
        Assert.Equal(3, await server.WaitForExitAsync(Deadline));
        Assert.Contains("is damaged", server.AllOutput, StringComparison.Ordinal);
        Assert.Contains("Restore it from its backup", server.AllOutput, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Starts the damaged platform: unhealthy, a sync client refused, the platform auditor's VerifyAuditChain answered.</summary>
    private async Task<VerifyAuditChainResponse> AssertFaultedAsync()
    {
        using var server = Start();
        var (status, body) = await server.WaitUntilAnsweringAsync(Deadline);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy: audit-chain-damaged", body);
        Assert.Contains("THE AUDIT CHAIN CANNOT TAKE EVENTS", server.AllOutput, StringComparison.Ordinal);

        using (var sync = Connect(server, "tenants/nkdb-demo/clients/sync", Path.Combine(DataDirectory, "demo", "nkdb-demo-sync.jwk")))
        {
            var refused = await Assert.ThrowsAsync<TokenRequestException>(() => sync.Tokens.GetTokenAsync(TestContext.Current.CancellationToken));
            Assert.Equal("temporarily_unavailable", refused.Error);
        }

        using var auditor = Connect(server, PlatformFixture.PlatformAdminId, Path.Combine(DataDirectory, "bootstrap", "platform-admin.jwk"));
        var verify = await auditor.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        // Any other call, even by the auditor, is refused as unavailable: it could not be recorded.
        var other = await Assert.ThrowsAsync<RpcException>(() => auditor.Tenants.ListTenantsAsync(new ListTenantsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, other.StatusCode);
        Assert.Contains("served without an audit event", server.AllOutput, StringComparison.Ordinal);
        return verify;
    }

    private static SharingConnection Connect(ServerProcess server, string clientId, string keyFile) =>
        new(server.GrpcAddress, server.IdentityAddress, clientId, ClientKey.Load(keyFile));

    private ServerProcess Start() => ServerProcess.Start(
        [new("Platform:DataDirectory", DataDirectory), new("Demo:Enabled", "true"), new("Demo:RecordsPerTenant", "5")],
        ServerProcess.FreePort(), ServerProcess.FreePort());

    /// <summary>A first start with demo data that completes, then a kill; returns the audit chain's size.</summary>
    private async Task<long> StartOnceAsync(int records = 5)
    {
        using (var server = ServerProcess.Start(
            [new("Platform:DataDirectory", DataDirectory), new("Demo:Enabled", "true"), new("Demo:RecordsPerTenant", records.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            ServerProcess.FreePort(), ServerProcess.FreePort()))
        {
            await server.WaitUntilHealthyAsync(Deadline);
            server.Kill();
        }

        await using var db = Open();
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT \"Size\" FROM \"audit_head\"";
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var db = Open();
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Moves everything from the write-ahead log into the database file, so that damage to the file is damage to the data.</summary>
    private void Checkpoint()
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        command.ExecuteNonQuery();
    }

    private SqliteConnection Open()
    {
        var db = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        db.Open();
        return db;
    }
}
