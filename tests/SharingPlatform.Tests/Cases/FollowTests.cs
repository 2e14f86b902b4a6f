using System.Diagnostics;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Cases;

/// <summary>
/// Following pulls (<c>follow</c>): new changes arrive as they commit, agreements created or revoked meanwhile take
/// effect on the open stream, and the stream ends cleanly. The heartbeat pass here comes only once a minute, so
/// whatever arrives sooner was woken by the change signal.
/// </summary>
public abstract class FollowTests(PlatformFixture fixture, LogCapture logs)
{
    /// <summary>How long a test waits for something that should come at once.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_pushed_change_reaches_a_follower_of_its_tenant_within_a_second()
    {
        var owner = await fixture.CreateClientAsync();
        using var connection = owner.Connect();
        using var follower = new Follower(connection.Cases, new PullChangesRequest { Parent = owner.Parent });
        var first = await follower.NextAsync(Wait);
        Assert.NotNull(first);
        Assert.True(first.Message.CaughtUp);
        Assert.Empty(first.Message.Changes);

        await connection.Cases.PushCasesAsync(Records.Push(owner, Records.Valid(owner.CaseName("live"))));
        var pushed = Stopwatch.GetTimestamp();
        var next = await follower.NextAsync(Wait);

        Assert.NotNull(next);
        Assert.Equal(owner.CaseName("live"), Assert.Single(next.Message.Changes).Record.Name);
        Assert.True(next.Message.CaughtUp);
        var latency = Stopwatch.GetElapsedTime(pushed, next.At);
        Assert.True(latency < TimeSpan.FromSeconds(1), $"The change arrived {latency.TotalMilliseconds:0} ms after the push.");
    }

    [Fact]
    public async Task An_agreement_created_while_following_backfills_the_grantee_and_then_shares_new_changes()
    {
        var p = await SharingParties.CreateAsync(fixture);
        using var grantor = p.GrantorSync.Connect();
        await grantor.Cases.PushCasesAsync(Records.Push(p.GrantorSync, [.. Enumerable.Range(0, 3).Select(i => Records.Valid(p.GrantorSync.CaseName($"old-{i}")))]));
        using var grantee = p.Grantee.Connect();
        using var follower = new Follower(grantee.Cases, new PullChangesRequest { Parent = p.Grantee.Parent });
        Assert.Empty(Assert.IsType<Follower.Arrival>(await follower.NextAsync(Wait)).Message.Changes);

        using var admin = p.GrantorAdmin.Connect();
        await admin.Sharing.CreateAgreementAsync(Agreements.Create(p.GrantorAdmin, Agreements.To(p.Grantee, "status", "events")));
        var backfill = await follower.ChangesAsync(3, Wait);
        await grantor.Cases.PushCasesAsync(Records.Push(p.GrantorSync, Records.Valid(p.GrantorSync.CaseName("new"))));
        var live = await follower.ChangesAsync(1, Wait);

        Assert.NotNull(backfill);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => p.GrantorSync.CaseName($"old-{i}")).Order(), backfill.Select(c => c.Record.Name).Order());
        Assert.NotNull(live);
        var shared = Assert.Single(live).Record;
        Assert.Equal(p.GrantorSync.CaseName("new"), shared.Name);
        // Projected through the agreement, as in any pull: the narrative and the subject token stay with the grantor.
        Assert.Equal("", shared.Narrative);
        Assert.Equal("", shared.SubjectToken);
        Assert.Equal(CaseStatus.Detained, shared.Status);
    }

    [Fact]
    public async Task A_revocation_while_following_sends_the_grantee_tombstones_for_what_it_held()
    {
        var p = await SharingParties.CreateAsync(fixture);
        using var grantor = p.GrantorSync.Connect();
        await grantor.Cases.PushCasesAsync(Records.Push(p.GrantorSync, [.. Enumerable.Range(0, 2).Select(i => Records.Valid(p.GrantorSync.CaseName($"r-{i}")))]));
        using var admin = p.GrantorAdmin.Connect();
        var agreement = await admin.Sharing.CreateAgreementAsync(Agreements.Create(p.GrantorAdmin, Agreements.To(p.Grantee)));
        using var grantee = p.Grantee.Connect();
        using var follower = new Follower(grantee.Cases, new PullChangesRequest { Parent = p.Grantee.Parent });
        Assert.Equal(2, (await follower.ChangesAsync(2, Wait))?.Count(c => c.Record is not null));

        await admin.Sharing.RevokeAgreementAsync(new RevokeAgreementRequest { Name = agreement.Name });
        var tombstones = await follower.ChangesAsync(2, Wait);

        Assert.NotNull(tombstones);
        Assert.All(tombstones, c => Assert.Equal(TombstoneReason.NoLongerShared, c.Tombstone?.Reason));
        Assert.Equal(Enumerable.Range(0, 2).Select(i => p.GrantorSync.CaseName($"r-{i}")).Order(), tombstones.Select(c => c.Name).Order());
    }

    [Fact]
    public async Task Max_changes_ends_a_follow_once_reached()
    {
        var owner = await fixture.CreateClientAsync();
        using var connection = owner.Connect();
        using var follower = new Follower(connection.Cases, new PullChangesRequest { Parent = owner.Parent, MaxChanges = 2 });
        Assert.NotNull(await follower.NextAsync(Wait));

        await connection.Cases.PushCasesAsync(Records.Push(owner, [.. Enumerable.Range(0, 3).Select(i => Records.Valid(owner.CaseName($"m-{i}")))]));

        var last = await follower.NextAsync(Wait);
        Assert.NotNull(last);
        Assert.Equal(2, last.Message.Changes.Count);
        Assert.False(last.Message.CaughtUp);
        Assert.Equal(StatusCode.OK, await follower.Ended.WaitAsync(Wait, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_deadline_ends_a_follow_without_an_error_on_the_server()
    {
        var owner = await fixture.CreateClientAsync();
        var auditor = await fixture.CreateClientAsync(owner.TenantSlug, "auditor");
        var linesBefore = logs.Lines.Count;
        using var connection = owner.Connect();
        using var follower = new Follower(connection.Cases, new PullChangesRequest { Parent = owner.Parent }, deadline: DateTime.UtcNow.AddSeconds(2));

        Assert.NotNull(await follower.NextAsync(Wait));
        Assert.Equal(StatusCode.DeadlineExceeded, await follower.Ended.WaitAsync(Wait, TestContext.Current.CancellationToken));
        await AssertEndedCleanlyAsync(owner, auditor, linesBefore);
    }

    [Fact]
    public async Task A_cancelled_follow_ends_without_an_error_on_the_server()
    {
        var owner = await fixture.CreateClientAsync();
        var auditor = await fixture.CreateClientAsync(owner.TenantSlug, "auditor");
        var linesBefore = logs.Lines.Count;
        using var connection = owner.Connect();
        using var follower = new Follower(connection.Cases, new PullChangesRequest { Parent = owner.Parent });

        Assert.NotNull(await follower.NextAsync(Wait));
        follower.Cancel();
        Assert.Equal(StatusCode.Cancelled, await follower.Ended.WaitAsync(Wait, TestContext.Current.CancellationToken));
        await AssertEndedCleanlyAsync(owner, auditor, linesBefore);
    }

    [Fact]
    public async Task A_client_holds_at_most_four_follows_and_gets_a_place_back_when_one_closes()
    {
        var owner = await fixture.CreateClientAsync();
        var colleague = await fixture.CreateClientAsync(owner.TenantSlug, "sync");
        using var connection = owner.Connect();
        var open = Enumerable.Range(0, 4).Select(_ => new Follower(connection.Cases, new PullChangesRequest { Parent = owner.Parent })).ToList();
        try
        {
            foreach (var follower in open)
            {
                Assert.NotNull(await follower.NextAsync(Wait));
            }

            using var fifth = new Follower(connection.Cases, new PullChangesRequest { Parent = owner.Parent });
            Assert.Equal(StatusCode.ResourceExhausted, await fifth.Ended.WaitAsync(Wait, TestContext.Current.CancellationToken));
            Assert.Equal("TOO_MANY_FOLLOWS", fifth.Failure?.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
            Assert.Contains("close one", fifth.Failure?.Status.Detail, StringComparison.Ordinal);

            // The cap is the client's: another client of the same tenant follows as usual.
            using var colleagueConnection = colleague.Connect();
            using var other = new Follower(colleagueConnection.Cases, new PullChangesRequest { Parent = owner.Parent });
            Assert.NotNull(await other.NextAsync(Wait));

            open[0].Cancel();
            Assert.True(await OpensWithinAsync(connection, owner, Wait), "A closed follow did not give its place back.");
        }
        finally
        {
            open.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task A_follower_whose_client_is_disabled_receives_nothing_more()
    {
        var owner = await fixture.CreateClientAsync();
        var colleague = await fixture.CreateClientAsync(owner.TenantSlug, "sync");
        var admin = await fixture.CreateClientAsync(owner.TenantSlug, "tenant-admin");
        using var connection = owner.Connect();
        using var follower = new Follower(connection.Cases, new PullChangesRequest { Parent = owner.Parent });
        Assert.NotNull(await follower.NextAsync(Wait));

        using var adminConnection = admin.Connect();
        await adminConnection.Tenants.DisableClientAsync(new DisableClientRequest { Name = owner.ClientId });
        using var colleagueConnection = colleague.Connect();
        await colleagueConnection.Cases.PushCasesAsync(Records.Push(colleague, Records.Valid(owner.CaseName("after-disable"))));

        var leaked = await follower.NextAsync(Wait);
        Assert.True(leaked is null, "A disabled client's open follow received: " + string.Join(", ", leaked?.Message.Changes.Select(c => c.Name) ?? []));
        Assert.Equal(StatusCode.Unauthenticated, await follower.Ended.WaitAsync(Wait, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_grantee_follower_whose_tenant_is_suspended_receives_nothing_more()
    {
        var p = await SharingParties.CreateAsync(fixture);
        using var admin = p.GrantorAdmin.Connect();
        await admin.Sharing.CreateAgreementAsync(Agreements.Create(p.GrantorAdmin, Agreements.To(p.Grantee)));
        using var grantee = p.Grantee.Connect();
        using var follower = new Follower(grantee.Cases, new PullChangesRequest { Parent = p.Grantee.Parent });
        Assert.NotNull(await follower.NextAsync(Wait));

        using var operatorConnection = fixture.ConnectPlatformAdmin();
        await operatorConnection.Tenants.SuspendTenantAsync(new SuspendTenantRequest { Name = p.Grantee.Parent });
        using var grantor = p.GrantorSync.Connect();
        await grantor.Cases.PushCasesAsync(Records.Push(p.GrantorSync, Records.Valid(p.GrantorSync.CaseName("after-suspension"))));

        var leaked = await follower.NextAsync(Wait);
        Assert.True(leaked is null, "A suspended tenant's open follow received: " + string.Join(", ", leaked?.Message.Changes.Select(c => c.Name) ?? []));
        Assert.Equal(StatusCode.PermissionDenied, await follower.Ended.WaitAsync(Wait, TestContext.Current.CancellationToken));
    }

    /// <summary>Whether a new follow of <paramref name="owner"/> opens within <paramref name="timeout"/> (the server notices a closed one shortly after).</summary>
    private static async Task<bool> OpensWithinAsync(SharingPlatform.Client.SharingConnection connection, TestClient owner, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            using var follower = new Follower(connection.Cases, new PullChangesRequest { Parent = owner.Parent });
            var first = await Task.WhenAny(follower.NextAsync(timeout), follower.Ended.ContinueWith(_ => (Follower.Arrival?)null, TaskScheduler.Default));
            if (await first is not null)
            {
                return true;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return false;
    }

    /// <summary>Nothing at Warning or above in the server's log, and no failed pull in the audit.</summary>
    private async Task AssertEndedCleanlyAsync(TestClient owner, TestClient auditor, int linesBefore)
    {
        // The server notices the end shortly after the client does.
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var problems = logs.Lines.Skip(linesBefore).Where(l => l.Level >= LogLevel.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(" | ", problems.Select(l => $"{l.Category} {l.Level}: {l.Message}")));
        using var connection = auditor.Connect();
        var pulls = await AuditReader.AllAsync(connection, new ListAuditEventsRequest { ActorClient = owner.ClientId, Action = "sharing.v1.CaseService/PullChanges" });
        Assert.NotEmpty(pulls);
        Assert.All(pulls, e => Assert.Equal("OK", e.Outcome));
    }
}

/// <summary>SQLite, heartbeat once a minute, every log line kept.</summary>
public sealed class SqliteFollowFixture : SqliteFixture
{
    public LogCapture Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Feed:HeartbeatSeconds", "60")];

    protected override void ConfigureHost(IWebHostBuilder host) => host.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
}

/// <summary>PostgreSQL, heartbeat once a minute, every log line kept.</summary>
public sealed class PostgresFollowFixture : PostgresFixture
{
    public LogCapture Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Feed:HeartbeatSeconds", "60")];

    protected override void ConfigureHost(IWebHostBuilder host) => host.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
}

public sealed class SqliteFollowTests(SqliteFollowFixture fixture) : FollowTests(fixture, fixture.Logs), IClassFixture<SqliteFollowFixture>;

public sealed class PostgresFollowTests(PostgresFollowFixture fixture) : FollowTests(fixture, fixture.Logs), IClassFixture<PostgresFollowFixture>;
