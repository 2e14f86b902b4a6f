using System.Diagnostics;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Cases;

/// <summary>An idle following pull sends an empty message every heartbeat (here every second) so that proxies keep it open.</summary>
public abstract class HeartbeatTests(PlatformFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_idle_follow_gets_unaudited_heartbeats_that_repeat_its_cursor()
    {
        var owner = await fixture.CreateClientAsync();
        var auditor = await fixture.CreateClientAsync(owner.TenantSlug, "auditor");
        using var connection = owner.Connect();
        await connection.Cases.PushCasesAsync(Records.Push(owner, Records.Valid(owner.CaseName("held"))));
        // Another tenant's activity while this one is idle must not show in its heartbeats.
        var other = await fixture.CreateClientAsync();
        using var otherConnection = other.Connect();

        using var follower = new Follower(connection.Cases, new PullChangesRequest { Parent = owner.Parent });
        var first = await follower.NextAsync(Wait);
        Assert.NotNull(first);
        Assert.Single(first.Message.Changes);
        var beats = new List<Follower.Arrival>();
        for (var i = 0; i < 2; i++)
        {
            await otherConnection.Cases.PushCasesAsync(Records.Push(other, Records.Valid(other.CaseName($"elsewhere-{i}"))));
            beats.Add(Assert.IsType<Follower.Arrival>(await follower.NextAsync(Wait)));
        }

        Assert.All(beats, b =>
        {
            Assert.Empty(b.Message.Changes);
            Assert.True(b.Message.CaughtUp);
            Assert.Equal(first.Message.NextCursor, b.Message.NextCursor);
        });
        var gap = Stopwatch.GetElapsedTime(beats[0].At, beats[1].At);
        Assert.True(gap > TimeSpan.FromMilliseconds(800), $"Heartbeats {gap.TotalMilliseconds:0} ms apart.");

        follower.Dispose();
        using var audit = auditor.Connect();
        var pulls = await AuditReader.AllAsync(audit, new ListAuditEventsRequest { ActorClient = owner.ClientId, Action = "sharing.v1.CaseService/PullChanges" });
        // The first message carried a record and was recorded; the heartbeats carried nothing and were not.
        Assert.Equal([owner.CaseName("held")], Assert.Single(pulls).Resources);
    }
}

/// <summary>SQLite, heartbeat every second.</summary>
public sealed class SqliteHeartbeatFixture : SqliteFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Feed:HeartbeatSeconds", "1")];
}

/// <summary>PostgreSQL, heartbeat every second.</summary>
public sealed class PostgresHeartbeatFixture : PostgresFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Feed:HeartbeatSeconds", "1")];
}

public sealed class SqliteHeartbeatTests(SqliteHeartbeatFixture fixture) : HeartbeatTests(fixture), IClassFixture<SqliteHeartbeatFixture>;

public sealed class PostgresHeartbeatTests(PostgresHeartbeatFixture fixture) : HeartbeatTests(fixture), IClassFixture<PostgresHeartbeatFixture>;
