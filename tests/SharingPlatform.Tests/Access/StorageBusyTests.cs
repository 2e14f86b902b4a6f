using Google.Rpc;
using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Access;

/// <summary>
/// A database that stays locked past its busy timeout is a passing failure: the caller is told UNAVAILABLE
/// (reason STORAGE_BUSY) and may retry, never INTERNAL; the same push sent again once the lock is gone stores it once.
/// </summary>
public sealed class StorageBusyTests(ShortBusyTimeoutFixture fixture) : IClassFixture<ShortBusyTimeoutFixture>
{
    [Fact]
    public async Task A_push_while_the_database_is_locked_is_unavailable_and_the_same_push_later_stores_it_once()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        await connection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
        var push = Records.Push(client, Records.Valid(client.CaseName("locked-out")));

        RpcException busy;
        await using (await fixture.HoldWriteLockAsync())
        {
            busy = await Assert.ThrowsAsync<RpcException>(() => connection.Cases.PushCasesAsync(push).ResponseAsync);
        }

        Assert.Equal(StatusCode.Unavailable, busy.StatusCode);
        Assert.Equal("STORAGE_BUSY", busy.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
        var stored = await connection.Cases.PushCasesAsync(push);
        Assert.Equal(PushOutcome.Created, Assert.Single(stored.Results).Outcome);
        var again = await connection.Cases.PushCasesAsync(push);
        Assert.Equal(Assert.Single(stored.Results).Name, Assert.Single(again.Results).Name);
        Assert.Single((await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent })).Cases, c => c.Name == client.CaseName("locked-out"));
    }
}

/// <summary>SQLite with a busy timeout of one second instead of thirty, so that a held lock shows quickly.</summary>
public sealed class ShortBusyTimeoutFixture : SqliteFixture
{
    public override string DatabasePath => Path.Combine(DataDirectory, "busy.db");

    protected override Task<string?> CreateDatabaseAsync() =>
        Task.FromResult<string?>($"Data Source={DatabasePath};Pooling=True;Default Timeout=1");
}
