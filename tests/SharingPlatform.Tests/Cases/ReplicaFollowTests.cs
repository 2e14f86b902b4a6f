using System.Diagnostics;
using Npgsql;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Cases;

/// <summary>
/// Two server processes on one PostgreSQL database, as replicas behind a load balancer: a change pushed through one
/// reaches a follower on the other within a second, through PostgreSQL's notification and the other replica's
/// LISTEN connection. (The heartbeat pass comes only once a minute, so nothing else could bring it that soon.)
/// </summary>
public sealed class ReplicaFollowTests(ReplicaPairFixture fixture) : IClassFixture<ReplicaPairFixture>
{
    [Fact]
    public async Task A_change_pushed_through_one_replica_reaches_a_follower_on_the_other_within_a_second()
    {
        Assert.SkipWhen(fixture.Unavailable is not null, fixture.Unavailable ?? "");
        var clientId = PlatformFixture.ClientName("nkdb-demo", "sync");
        var key = ClientKey.Load(Path.Combine(fixture.DataDirectory, "demo", "nkdb-demo-sync.jwk"));
        // Both replicas answer for one issuer, and validate its tokens with the keys they share.
        using var first = new SharingConnection(fixture.First.GrpcAddress, fixture.First.IdentityAddress, clientId, key);
        using var second = new SharingConnection(fixture.Second.GrpcAddress, fixture.First.IdentityAddress, clientId, key);
        using var follower = new Follower(second.Cases, new PullChangesRequest { Parent = "tenants/nkdb-demo" });
        Assert.NotNull(await follower.NextAsync(TimeSpan.FromSeconds(30)));

        var name = "tenants/nkdb-demo/cases/across-replicas";
        await first.Cases.PushCasesAsync(new PushCasesRequest { Parent = "tenants/nkdb-demo", RequestId = Records.RequestId(), Records = { Records.Valid(name) } });
        var pushed = Stopwatch.GetTimestamp();
        var next = await follower.NextAsync(TimeSpan.FromSeconds(10));

        Assert.True(next is not null, "Nothing arrived on the second replica." + fixture.Second.Output);
        Assert.Equal(name, Assert.Single(next.Message.Changes).Name);
        var latency = Stopwatch.GetElapsedTime(pushed, next.At);
        Assert.True(latency < TimeSpan.FromSeconds(1), $"The change arrived {latency.TotalMilliseconds:0} ms after the push.");
    }
}

/// <summary>
/// A fresh PostgreSQL database and two server processes on it sharing one data directory (so one set of keys): the
/// first starts alone (it creates the keys, the platform and the demo tenants), the second once the first is healthy.
/// </summary>
public sealed class ReplicaPairFixture : IAsyncLifetime
{
    private readonly string _database = "sp_test_" + Guid.NewGuid().ToString("N")[..16];
    private ServerProcess? _first;
    private ServerProcess? _second;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Why this cannot run here, or null; the same rule as <see cref="PostgresFixture"/>.</summary>
    public string? Unavailable { get; } = new PostgresFixture().Unavailable;

    public ServerProcess First => _first ?? throw new InvalidOperationException(Unavailable ?? "Not started.");

    public ServerProcess Second => _second ?? throw new InvalidOperationException(Unavailable ?? "Not started.");

    public async ValueTask InitializeAsync()
    {
        if (Unavailable is not null)
        {
            return;
        }

        await using (var connection = new NpgsqlConnection(PostgresFixture.ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var identityPort = ServerProcess.FreePort();
        var issuer = $"http://127.0.0.1:{identityPort}/";
        KeyValuePair<string, string>[] shared =
        [
            new("Platform:DataDirectory", DataDirectory),
            new("Database:Provider", "Postgres"),
            new("Database:ConnectionString", new NpgsqlConnectionStringBuilder(PostgresFixture.ServerConnectionString) { Database = _database }.ConnectionString),
            new("Identity:Issuer", issuer),
            new("Feed:HeartbeatSeconds", "60"),
        ];
        _first = ServerProcess.Start([.. shared, new("Demo:Enabled", "true"), new("Demo:RecordsPerTenant", "0")], identityPort, ServerProcess.FreePort());
        await _first.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        _second = ServerProcess.Start(shared, ServerProcess.FreePort(), ServerProcess.FreePort());
        await _second.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
    }

    public async ValueTask DisposeAsync()
    {
        _second?.Dispose();
        _first?.Dispose();
        if (Unavailable is null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(PostgresFixture.ServerConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection) { CommandTimeout = 300 };
            await command.ExecuteNonQueryAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
