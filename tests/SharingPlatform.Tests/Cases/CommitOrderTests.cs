extern alias server;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingPlatform.Tests.Infrastructure;
using server::SharingPlatform.Server.Cases;
using server::SharingPlatform.Server.Data;

namespace SharingPlatform.Tests.Cases;

/// <summary>
/// The out-of-order commit pitfall, made deterministic: a writer holds an uncommitted change while another
/// push and a pull run. Whatever the storage does, the puller must end up with both changes; a feed that
/// let the later push commit first and advanced its cursor past the held change would lose it forever.
/// </summary>
public abstract class CommitOrderTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_change_committed_late_is_never_skipped_by_a_puller()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        // Take the access token first: on SQLite the held write lock would also hold up the token endpoint's jti record.
        await connection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SharingDbContext>();
        var tenantId = await db.Tenants.Where(t => t.Slug == client.TenantSlug).Select(t => t.Id).SingleAsync(TestContext.Current.CancellationToken);

        // Writer A: takes the next sequence number and holds it, uncommitted.
        var transaction = await ChangeSequence.BeginAsync(db, TestContext.Current.CancellationToken);
        var last = await ChangeSequence.LockAsync(db, TestContext.Current.CancellationToken);
        var held = new CaseEntity { TenantId = tenantId, CaseId = "held", Seq = last + 1, Version = 1, CreateTime = DateTime.UtcNow, UpdateTime = DateTime.UtcNow };
        db.Cases.Add(held);
        db.CaseRevisions.Add(CaseRevision.Of(held));
        await ChangeSequence.AdvanceAsync(db, last + 1, TestContext.Current.CancellationToken);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);

        // Writer B pushes meanwhile, and a puller reads while A is still open. (On SQLite, whose single writer
        // A holds, the puller waits for A, as it must record its read in the audit log; on PostgreSQL it runs.)
        var push = connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("after")))).ResponseAsync;
        await Task.WhenAny(push, Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken));
        var pull = connection.Cases.PullAllAsync(client.Parent);
        await Task.WhenAny(pull, Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken));

        await transaction.CommitAsync(TestContext.Current.CancellationToken);
        await transaction.DisposeAsync();
        await push;
        var (first, cursor, _) = await pull;
        var (second, _, _) = await connection.Cases.PullAllAsync(client.Parent, cursor);

        var seen = first.Concat(second).Select(c => c.Name.Split('/')[^1]).ToList();
        Assert.Contains("held", seen);
        Assert.Contains("after", seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }
}

public sealed class SqliteCommitOrderTests(SqliteFixture fixture) : CommitOrderTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresCommitOrderTests(PostgresFixture fixture) : CommitOrderTests(fixture), IClassFixture<PostgresFixture>;
