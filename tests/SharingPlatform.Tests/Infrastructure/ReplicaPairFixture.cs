using SharingPlatform.Client;
using SharingPlatform.Client.Auth;

namespace SharingPlatform.Tests.Infrastructure;

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

    /// <summary>The one issuer both replicas answer for, as a load balancer in front of them would publish it: the first's identity URL.</summary>
    public Uri Issuer => First.IdentityAddress;

    /// <summary>The demo sync client of <paramref name="tenant"/>: its name and key (written by the first replica's demo seed).</summary>
    public (string ClientId, ClientKey Key) DemoSync(string tenant) =>
        (PlatformFixture.ClientName(tenant, "sync"), ClientKey.Load(Path.Combine(DataDirectory, "demo", $"{tenant}-sync.jwk")));

    /// <summary>An SDK connection to <paramref name="replica"/>'s gRPC API that gets its tokens from the one issuer.</summary>
    public SharingConnection Connect(ServerProcess replica, string clientId, ClientKey key) => new(replica.GrpcAddress, Issuer, clientId, key);

    /// <summary>The platform-admin (and platform-auditor) made at the first start.</summary>
    public SharingConnection ConnectOperator(ServerProcess replica) =>
        Connect(replica, PlatformFixture.ClientName("platform", "admin"), ClientKey.Load(Path.Combine(DataDirectory, "bootstrap", "platform-admin.jwk")));

    public async ValueTask InitializeAsync()
    {
        if (Unavailable is not null)
        {
            return;
        }

        var connectionString = await PostgresFixture.CreateServerDatabaseAsync(_database);

        var identityPort = ServerProcess.FreePort();
        var issuer = $"http://127.0.0.1:{identityPort}/";
        KeyValuePair<string, string>[] shared =
        [
            new("Platform:DataDirectory", DataDirectory),
            new("Database:Provider", "Postgres"),
            new("Database:ConnectionString", connectionString),
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
            await PostgresFixture.DropServerDatabaseAsync(_database);
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
