using Npgsql;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// A token-signing key rotated under two replicas (one PostgreSQL database, one key directory) in the documented
/// rolling order, restarting one replica at a time: at every step each replica accepts the tokens the other signs.
/// </summary>
public sealed class ReplicaKeyRotationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _database = "sp_test_" + Guid.NewGuid().ToString("N")[..16];
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", "replica-rotation-" + Guid.NewGuid().ToString("N"));
    private readonly (int Identity, int Grpc) _firstPorts = (ServerProcess.FreePort(), ServerProcess.FreePort());
    private readonly (int Identity, int Grpc) _secondPorts = (ServerProcess.FreePort(), ServerProcess.FreePort());
    private readonly string? _unavailable = new PostgresFixture().Unavailable;
    private ServerProcess? _first;
    private ServerProcess? _second;

    // The one URL a load balancer would publish; both replicas issue and accept tokens for it.
    private Uri Issuer => new($"http://127.0.0.1:{_firstPorts.Identity}/");

    [Fact]
    public async Task During_a_rolling_stage_and_activation_each_replica_accepts_the_tokens_the_other_signs()
    {
        Assert.SkipWhen(_unavailable is not null, _unavailable ?? "");
        _first = await StartAsync(_firstPorts);
        _second = await StartAsync(_secondPorts);
        var oldKid = KeysTool.KidOf(await TokenAsync(_first));

        Assert.Equal(0, (await KeysTool.RunAsync("stage", _dataDirectory)).ExitCode);
        _first = await RestartAsync(_first, _firstPorts); // the second still runs without the staged key
        await AcceptEachOthersAsync(oldKid, oldKid);
        _second = await RestartAsync(_second, _secondPorts); // every replica has the staged key: activation may begin
        await AcceptEachOthersAsync(oldKid, oldKid);

        Assert.Equal(0, (await KeysTool.RunAsync("activate", _dataDirectory)).ExitCode);
        _first = await RestartAsync(_first, _firstPorts); // signs with the new key; the second still signs with the old one
        var newKid = KeysTool.KidOf(await TokenAsync(_first));
        Assert.NotEqual(oldKid, newKid);
        await AcceptEachOthersAsync(newKid, oldKid);

        _second = await RestartAsync(_second, _secondPorts);
        await AcceptEachOthersAsync(newKid, newKid);
    }

    /// <summary>A fresh token from each replica, signed by the expected key, is accepted by both.</summary>
    private async Task AcceptEachOthersAsync(string firstKid, string secondKid)
    {
        foreach (var (issuing, kid) in new[] { (_first!, firstKid), (_second!, secondKid) })
        {
            var token = await TokenAsync(issuing);
            Assert.Equal(kid, KeysTool.KidOf(token));
            foreach (var serving in new[] { _first!, _second! })
            {
                Assert.True(await KeysTool.AcceptsAsync(serving, token), $"{serving.GrpcAddress} refused a token signed by {kid} at {issuing.IdentityAddress}.{serving.Output}");
            }
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (_unavailable is not null)
        {
            return;
        }

        await PostgresFixture.CreateServerDatabaseAsync(_database);
    }

    public async ValueTask DisposeAsync()
    {
        _second?.Dispose();
        _first?.Dispose();
        if (_unavailable is null)
        {
            await PostgresFixture.DropServerDatabaseAsync(_database);
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task<ServerProcess> StartAsync((int Identity, int Grpc) ports)
    {
        var server = ServerProcess.Start(
        [
            new("Platform:DataDirectory", _dataDirectory),
            new("Database:Provider", "Postgres"),
            new("Database:ConnectionString", new NpgsqlConnectionStringBuilder(PostgresFixture.ServerConnectionString) { Database = _database }.ConnectionString),
            new("Identity:Issuer", Issuer.ToString()),
        ], ports.Identity, ports.Grpc);
        await server.WaitUntilHealthyAsync(Deadline);
        return server;
    }

    private async Task<ServerProcess> RestartAsync(ServerProcess server, (int Identity, int Grpc) ports)
    {
        server.Terminate();
        await server.WaitForExitAsync(Deadline);
        server.Dispose();
        return await StartAsync(ports);
    }

    private Task<string> TokenAsync(ServerProcess server) =>
        KeysTool.TokenAsync(server, Issuer, PlatformFixture.PlatformAdminId, ClientKey.Load(Path.Combine(_dataDirectory, "bootstrap", "platform-admin.jwk")));
}
