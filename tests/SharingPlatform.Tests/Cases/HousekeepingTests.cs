extern alias server;

using Google.Rpc;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Cases;
using server::SharingPlatform.Server.Data;
using server::SharingPlatform.Server.Identity;

namespace SharingPlatform.Tests.Cases;

/// <summary>
/// Push receipts and used client assertions are purged in the background once expired, not on every call; until
/// then an expired receipt answers no replay, and its request_id starts a new push.
/// </summary>
public abstract class HousekeepingTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_request_id_whose_receipt_expired_but_is_not_purged_yet_starts_a_new_push()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var first = Records.Push(client, Records.Valid(client.CaseName("first")));
        await connection.Cases.PushCasesAsync(first);
        await AgeReceiptAsync(client, first.RequestId, CaseWriter.ReceiptRetention + TimeSpan.FromHours(1));

        var second = Records.Push(client, Records.Valid(client.CaseName("second")));
        second.RequestId = first.RequestId;
        var stored = await connection.Cases.PushCasesAsync(second);
        var replayed = await connection.Cases.PushCasesAsync(second);

        Assert.Equal(PushOutcome.Created, Assert.Single(stored.Results).Outcome);
        Assert.Equal(client.CaseName("second"), Assert.Single(replayed.Results).Name);
        Assert.Equal(PushOutcome.Created, Assert.Single(replayed.Results).Outcome); // the new receipt answers the replay
    }

    [Fact]
    public async Task A_receipt_within_its_retention_still_answers_and_still_refuses_another_payload()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var first = Records.Push(client, Records.Valid(client.CaseName("kept")));
        await connection.Cases.PushCasesAsync(first);
        await AgeReceiptAsync(client, first.RequestId, CaseWriter.ReceiptRetention - TimeSpan.FromHours(1));

        var other = Records.Push(client, Records.Valid(client.CaseName("other")));
        other.RequestId = first.RequestId;
        var refused = await Assert.ThrowsAsync<RpcException>(() => connection.Cases.PushCasesAsync(other).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("REQUEST_ID_REUSED", refused.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public async Task The_purge_deletes_expired_receipts_and_assertions_and_keeps_the_rest()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var (old, recent) = (Records.Push(client, Records.Valid(client.CaseName("old"))), Records.Push(client, Records.Valid(client.CaseName("recent"))));
        await connection.Cases.PushCasesAsync(old);
        await connection.Cases.PushCasesAsync(recent);
        await AgeReceiptAsync(client, old.RequestId, CaseWriter.ReceiptRetention + TimeSpan.FromMinutes(1));
        var (expiredJti, liveJti) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
        await fixture.WithScopeAsync(async services =>
        {
            var db = services.GetRequiredService<SharingDbContext>();
            db.UsedClientAssertions.Add(new UsedClientAssertion { ClientId = client.ClientId, TokenId = expiredJti, ExpireTime = DateTime.UtcNow.AddMinutes(-1) });
            db.UsedClientAssertions.Add(new UsedClientAssertion { ClientId = client.ClientId, TokenId = liveJti, ExpireTime = DateTime.UtcNow.AddMinutes(5) });
            await db.SaveChangesAsync();
        });

        var (receipts, assertions) = await fixture.Factory.Services.GetRequiredService<Housekeeping>().PurgeAsync(CancellationToken.None);

        Assert.True(receipts >= 1 && assertions >= 1, $"purged {receipts} receipts and {assertions} assertions");
        await fixture.WithScopeAsync(async services =>
        {
            var db = services.GetRequiredService<SharingDbContext>();
            Assert.Equal([recent.RequestId], await db.PushReceipts.Where(r => r.RequestId == old.RequestId || r.RequestId == recent.RequestId).Select(r => r.RequestId).ToListAsync());
            Assert.Equal([liveJti], await db.UsedClientAssertions.Where(a => a.ClientId == client.ClientId && (a.TokenId == expiredJti || a.TokenId == liveJti)).Select(a => a.TokenId).ToListAsync());
        });
    }

    private Task AgeReceiptAsync(TestClient client, string requestId, TimeSpan age) => fixture.WithScopeAsync(async services =>
    {
        var db = services.GetRequiredService<SharingDbContext>();
        var then = DateTime.UtcNow - age;
        var aged = await db.PushReceipts.Where(r => r.RequestId == requestId && db.Tenants.Any(t => t.Id == r.TenantId && t.Slug == client.TenantSlug))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CreateTime, then));
        Assert.Equal(1, aged);
    });
}

public sealed class SqliteHousekeepingTests(SqliteFixture fixture) : HousekeepingTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresHousekeepingTests(PostgresFixture fixture) : HousekeepingTests(fixture), IClassFixture<PostgresFixture>;
