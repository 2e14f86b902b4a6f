using System.Globalization;
using Grpc.Core;
using Npgsql;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Faults;

/// <summary>
/// The crash harness, kept: the real server process SIGKILLed at random moments during start-up (first starts
/// included), mid-push and mid-pull, then started again. Every start must come up within <see cref="Deadline"/>; every
/// acknowledged record must exist exactly once, the in-flight push sent again with its request_id is stored once, a
/// pull resumed from its last cursor gets every record exactly once, and the audit chain verifies.
/// <para>
/// Rounds: 20 start-up kills, 10 push kills and 10 pull kills per database, multiplied by
/// <c>SHARINGPLATFORM_FAULT_ROUNDS</c> (default 1) for a longer run. The counts are printed to the test output.
/// </para>
/// </summary>
public abstract class KillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Tenant = "tenants/nkdb-demo";
    private const string SyncClient = "tenants/nkdb-demo/clients/sync";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", "kill-" + Guid.NewGuid().ToString("N"));
    private readonly Random _random = new(Environment.GetEnvironmentVariable("SHARINGPLATFORM_FAULT_SEED") is { } seed ? int.Parse(seed, CultureInfo.InvariantCulture) : Random.Shared.Next());
    private readonly HashSet<string> _acknowledged = new(StringComparer.Ordinal);
    private KeyValuePair<string, string>[] _database = [];
    private int _directories;

    /// <summary>Why this database cannot be tested here, or null.</summary>
    protected virtual string? Unavailable => null;

    private static int Multiplier => int.TryParse(Environment.GetEnvironmentVariable("SHARINGPLATFORM_FAULT_ROUNDS"), CultureInfo.InvariantCulture, out var m) && m > 0 ? m : 1;

    private string DataDirectory => Path.Combine(_root, _directories.ToString(CultureInfo.InvariantCulture));

    public async ValueTask InitializeAsync()
    {
        if (Unavailable is null)
        {
            await FreshAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DropDatabasesAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Kills_during_start_up_never_leave_a_start_that_hangs_or_a_record_lost()
    {
        Assert.SkipWhen(Unavailable is not null, Unavailable ?? "");
        var rounds = 20 * Multiplier;
        for (var round = 0; round < rounds; round++)
        {
            if (round % 5 == 0 && round > 0)
            {
                await FreshAsync(); // a first start killed at a random moment: keys, bootstrap, migrations
            }

            using (var doomed = Start())
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(0, 2500)), TestContext.Current.CancellationToken);
                doomed.Kill();
            }

            using var server = Start();
            await server.WaitUntilHealthyAsync(Deadline);
            await AssertNothingLostAsync(server);
            using var sync = Connect(server, SyncClient, "demo/nkdb-demo-sync.jwk");
            await PushAsync(sync, Batch($"s{round}", 20));
            server.Kill();
        }

        output.WriteLine($"start-up kills: {rounds}, records acknowledged and found again: {_acknowledged.Count}");
    }

    [Fact]
    public async Task Kills_mid_push_lose_no_acknowledged_record_and_the_same_push_again_stores_it_once()
    {
        Assert.SkipWhen(Unavailable is not null, Unavailable ?? "");
        var rounds = 10 * Multiplier;
        var inFlightStored = 0;
        for (var round = 0; round < rounds; round++)
        {
            PushCasesRequest? inFlight = null;
            using (var server = Start())
            {
                await server.WaitUntilHealthyAsync(Deadline);
                using var sync = Connect(server, SyncClient, "demo/nkdb-demo-sync.jwk");
                await sync.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
                var killAt = DateTime.UtcNow.AddMilliseconds(_random.Next(100, 1500));
                var killer = Task.Run(async () =>
                {
                    await Task.Delay(killAt - DateTime.UtcNow);
                    server.Kill();
                });
                for (var batch = 0; ; batch++)
                {
                    inFlight = Batch($"p{round}-{batch}", 100);
                    try
                    {
                        await PushAsync(sync, inFlight);
                        inFlight = null;
                    }
                    catch (RpcException)
                    {
                        break; // the server died under this push: it may or may not have committed
                    }
                }

                await killer;
            }

            using (var restarted = Start())
            {
                await restarted.WaitUntilHealthyAsync(Deadline);
                using var sync = Connect(restarted, SyncClient, "demo/nkdb-demo-sync.jwk");
                var again = await sync.Cases.PushCasesAsync(inFlight!);
                inFlightStored += again.Results.Count;
                _acknowledged.UnionWith(inFlight!.Records.Select(r => r.Name));
                await AssertNothingLostAsync(restarted);
                restarted.Kill();
            }
        }

        output.WriteLine($"push kills: {rounds}, in-flight records sent again: {inFlightStored}, records acknowledged and found once: {_acknowledged.Count}");
    }

    [Fact]
    public async Task Kills_mid_pull_let_the_puller_resume_from_its_cursor_and_get_every_record_once()
    {
        Assert.SkipWhen(Unavailable is not null, Unavailable ?? "");
        using (var seeding = Start())
        {
            await seeding.WaitUntilHealthyAsync(Deadline);
            using var sync = Connect(seeding, SyncClient, "demo/nkdb-demo-sync.jwk");
            for (var batch = 0; batch < 30; batch++)
            {
                await PushAsync(sync, Batch($"q{batch}", 100));
            }

            seeding.Kill();
        }

        var rounds = 10 * Multiplier;
        var killedMidStream = 0;
        for (var round = 0; round < rounds; round++)
        {
            var view = new View();
            using (var server = Start())
            {
                await server.WaitUntilHealthyAsync(Deadline);
                using var sync = Connect(server, SyncClient, "demo/nkdb-demo-sync.jwk");
                await sync.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
                var killer = Task.Run(async () =>
                {
                    await Task.Delay(_random.Next(50, 1200));
                    server.Kill();
                });
                try
                {
                    await PullAsync(sync, view, slowly: true);
                }
                catch (RpcException)
                {
                    killedMidStream++;
                }

                await killer;
            }

            using var restarted = Start();
            await restarted.WaitUntilHealthyAsync(Deadline);
            using (var sync = Connect(restarted, SyncClient, "demo/nkdb-demo-sync.jwk"))
            {
                await PullAsync(sync, view);
            }

            Assert.Equal(view.Names.Count, view.Names.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(_acknowledged.Order(StringComparer.Ordinal), view.Names.Order(StringComparer.Ordinal));
            await AssertNothingLostAsync(restarted);
            restarted.Kill();
        }

        output.WriteLine($"pull kills: {rounds} ({killedMidStream} mid-stream, the rest after the pull had ended), {_acknowledged.Count} records each resumed pull got once");
    }

    /// <summary>Settings for a new, empty database (SQLite: none, the data directory's file).</summary>
    protected abstract Task<KeyValuePair<string, string>[]> NewDatabaseAsync();

    protected virtual Task DropDatabasesAsync() => Task.CompletedTask;

    private async Task FreshAsync()
    {
        _directories++;
        _acknowledged.Clear();
        _database = await NewDatabaseAsync();
    }

    private ServerProcess Start() => ServerProcess.Start(
        [.. _database, new("Platform:DataDirectory", DataDirectory), new("Demo:Enabled", "true"), new("Demo:RecordsPerTenant", "0")],
        ServerProcess.FreePort(), ServerProcess.FreePort());

    private SharingConnection Connect(ServerProcess server, string clientId, string keyFile) =>
        new(server.GrpcAddress, server.IdentityAddress, clientId, ClientKey.Load(Path.Combine(DataDirectory, keyFile)));

    private static PushCasesRequest Batch(string prefix, int count) => new()
    {
        Parent = Tenant,
        RequestId = Records.RequestId(),
        Records = { Enumerable.Range(0, count).Select(i => Records.Valid($"{Tenant}/cases/{prefix}-{i}")) },
    };

    private async Task PushAsync(SharingConnection sync, PushCasesRequest push)
    {
        var response = await sync.Cases.PushCasesAsync(push);
        Assert.All(response.Results, r => Assert.Equal(PushOutcome.Created, r.Outcome));
        _acknowledged.UnionWith(push.Records.Select(r => r.Name));
    }

    /// <summary>Pulls from the view's cursor to the end, keeping each message's names with the cursor after them, as a sync client stores them.</summary>
    private static async Task PullAsync(SharingConnection sync, View view, bool slowly = false)
    {
        using var call = sync.Cases.PullChanges(new PullChangesRequest { Parent = Tenant, Cursor = view.Cursor, BatchSize = 50 });
        while (await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken))
        {
            view.Names.AddRange(call.ResponseStream.Current.Changes.Select(c => c.Name));
            view.Cursor = call.ResponseStream.Current.NextCursor;
            if (slowly)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken); // a partner storing each message: the kill lands mid-stream
            }
        }
    }

    /// <summary>Every acknowledged record is there exactly once and the audit chain verifies.</summary>
    private async Task AssertNothingLostAsync(ServerProcess server)
    {
        using (var sync = Connect(server, SyncClient, "demo/nkdb-demo-sync.jwk"))
        {
            var view = new View();
            await PullAsync(sync, view);
            Assert.Equal(view.Names.Count, view.Names.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(_acknowledged.Order(StringComparer.Ordinal), view.Names.Order(StringComparer.Ordinal));
        }

        using var auditor = Connect(server, PlatformFixture.PlatformAdminId, "bootstrap/platform-admin.jwk");
        var verify = await auditor.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        Assert.True(verify.Intact, $"The audit chain broke at {verify.FirstBadSequence}: {verify.Problem}");
    }
}

/// <summary>What a puller keeps: the names received and the cursor after the last message.</summary>
internal sealed class View
{
    public string Cursor { get; set; } = "";

    public List<string> Names { get; } = [];
}

public sealed class SqliteKillTests(ITestOutputHelper output) : KillTests(output)
{
    protected override Task<KeyValuePair<string, string>[]> NewDatabaseAsync() => Task.FromResult<KeyValuePair<string, string>[]>([]);
}

public sealed class PostgresKillTests(ITestOutputHelper output) : KillTests(output)
{
    private readonly List<string> _databases = [];

    protected override string? Unavailable => PostgresFixture.ServerConnectionString is null ? $"Set {PostgresFixture.Variable} to run against PostgreSQL." : null;

    protected override async Task<KeyValuePair<string, string>[]> NewDatabaseAsync()
    {
        var name = "sp_kill_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(PostgresFixture.ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        _databases.Add(name);
        return
        [
            new("Database:Provider", "Postgres"),
            new("Database:ConnectionString", new NpgsqlConnectionStringBuilder(PostgresFixture.ServerConnectionString) { Database = name }.ConnectionString),
        ];
    }

    protected override async Task DropDatabasesAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PostgresFixture.ServerConnectionString);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection) { CommandTimeout = 300 };
            await command.ExecuteNonQueryAsync();
        }
    }
}
