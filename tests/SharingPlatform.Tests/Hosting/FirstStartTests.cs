using Microsoft.Data.Sqlite;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// A first start is atomic and idempotent through the real server process: killed at any moment it leaves nothing that
/// stops the next start from finishing it, and two processes making their first start together on one empty
/// PostgreSQL database and one data directory (replicas brought up at once) both come up on one platform. In each
/// case the end is the same: a platform-admin client whose key file works, the three demo tenants once each with
/// clients whose key files work and their synthetic records, and an intact audit chain.
/// </summary>
public sealed class FirstStartTests : IDisposable
{
    private const int Records = 20;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private static readonly string[] DemoTenants = ["nkdb-demo", "rescue-demo", "un-demo"];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", "first-start-" + Guid.NewGuid().ToString("N"));

    private string DataDirectory => Path.Combine(_root, "data");

    [Fact]
    public async Task A_first_start_killed_at_any_moment_is_finished_by_the_next_start()
    {
        var identityPort = ServerProcess.FreePort();
        var grpcPort = ServerProcess.FreePort();
        KeyValuePair<string, string>[] settings = [new("Platform:DataDirectory", DataDirectory), new("Demo:Enabled", "true"), new("Demo:RecordsPerTenant", $"{Records}")];
        var keys = Path.Combine(DataDirectory, "keys");
        var (killedBeforeBootstrap, killedAfterBootstrap, bootstrapped) = (0, 0, false);
        // Kills ever later, from before the database exists until two have landed after the bootstrap (while the demo
        // is seeded): each start resumes what the one before left, on a machine of any speed or load.
        for (var delay = 250; delay <= 15_000 && killedAfterBootstrap < 2; delay += 250)
        {
            using var server = ServerProcess.Start(settings, identityPort, grpcPort);
            await Task.Delay(delay, TestContext.Current.CancellationToken);
            var keysWritten = Directory.Exists(keys) && Directory.EnumerateFiles(keys).Any();
            server.Kill();
            bootstrapped |= server.AllOutput.Contains("First start: created client", StringComparison.Ordinal);
            (killedBeforeBootstrap, killedAfterBootstrap) = bootstrapped ? (killedBeforeBootstrap, killedAfterBootstrap + 1)
                : keysWritten ? (killedBeforeBootstrap + 1, killedAfterBootstrap) : (killedBeforeBootstrap, killedAfterBootstrap);
            Assert.False(server.AllOutput.Contains("Unhandled exception", StringComparison.Ordinal), server.AllOutput);
        }

        using var last = ServerProcess.Start(settings, identityPort, grpcPort);
        await last.WaitUntilHealthyAsync(Deadline);

        // The kills must have landed inside the first start, else this shows nothing.
        Assert.True(killedBeforeBootstrap > 0 && killedAfterBootstrap > 0,
            $"{killedBeforeBootstrap} kill(s) landed between the keys and the bootstrap, {killedAfterBootstrap} after it: both must be some.");
        SqliteConnection.ClearAllPools();
        await AssertOnePlatformAsync(last, new Uri($"http://127.0.0.1:{identityPort}/"));
    }

    [Fact]
    public async Task Two_processes_making_their_first_start_together_on_one_empty_postgres_both_come_up_on_one_platform()
    {
        Assert.SkipWhen(PostgresFixture.ServerConnectionString is null, "PostgreSQL is not configured (" + PostgresFixture.Variable + ").");
        var database = "sp_first_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = await PostgresFixture.CreateServerDatabaseAsync(database);
        try
        {
            var identityPort = ServerProcess.FreePort();
            var issuer = new Uri($"http://127.0.0.1:{identityPort}/");
            KeyValuePair<string, string>[] settings =
            [
                new("Platform:DataDirectory", DataDirectory),
                new("Database:Provider", "Postgres"),
                new("Database:ConnectionString", connectionString),
                new("Identity:Issuer", issuer.ToString()),
                new("Demo:Enabled", "true"),
                new("Demo:RecordsPerTenant", $"{Records}"),
            ];
            using var first = ServerProcess.Start(settings, identityPort, ServerProcess.FreePort());
            using var second = ServerProcess.Start(settings, ServerProcess.FreePort(), ServerProcess.FreePort());

            await Task.WhenAll(first.WaitUntilHealthyAsync(Deadline), second.WaitUntilHealthyAsync(Deadline));

            foreach (var replica in new[] { first, second })
            {
                Assert.DoesNotContain("Unhandled exception", replica.AllOutput, StringComparison.Ordinal);
                await AssertOnePlatformAsync(replica, issuer);
            }
        }
        finally
        {
            await PostgresFixture.DropServerDatabaseAsync(database);
        }
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

    /// <summary>The bootstrap and demo key files on disk are the keys the database knows, and everything exists once.</summary>
    private async Task AssertOnePlatformAsync(ServerProcess server, Uri issuer)
    {
        var token = TestContext.Current.CancellationToken;
        using var admin = new SharingConnection(server.GrpcAddress, issuer, PlatformFixture.PlatformAdminId, ClientKey.Load(Path.Combine(DataDirectory, "bootstrap", "platform-admin.jwk")));
        var tenants = (await admin.Tenants.ListTenantsAsync(new ListTenantsRequest { PageSize = 100 }, cancellationToken: token)).Tenants.Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["tenants/nkdb-demo", "tenants/platform", "tenants/rescue-demo", "tenants/un-demo"], tenants);

        foreach (var tenant in DemoTenants)
        {
            using var sync = new SharingConnection(server.GrpcAddress, issuer, PlatformFixture.ClientName(tenant, "sync"), ClientKey.Load(Path.Combine(DataDirectory, "demo", $"{tenant}-sync.jwk")));
            var (changes, _, _) = await sync.Cases.PullAllAsync("tenants/" + tenant);
            Assert.Equal(Records, changes.Count(c => c.Name.StartsWith($"tenants/{tenant}/", StringComparison.Ordinal)));
            using var tenantAdmin = new SharingConnection(server.GrpcAddress, issuer, PlatformFixture.ClientName(tenant, "admin"), ClientKey.Load(Path.Combine(DataDirectory, "demo", $"{tenant}-admin.jwk")));
            Assert.Equal("tenants/" + tenant, (await tenantAdmin.Tenants.GetTenantAsync(new GetTenantRequest { Name = "tenants/" + tenant }, cancellationToken: token)).Name);
        }

        var chain = await admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), cancellationToken: token);
        Assert.True(chain.Intact, $"The audit chain breaks at {chain.FirstBadSequence}: {chain.Problem}");
    }
}
