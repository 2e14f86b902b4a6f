extern alias server;

using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using ChangeListener = server::SharingPlatform.Server.Data.PostgresChangeListener;

namespace SharingPlatform.Tests.Cases;

/// <summary>
/// PostgreSQL's LISTEN connection, one per server process, can drop (a restart, a failover, an operator's
/// pg_terminate_backend). The listener reconnects, and since notifications sent meanwhile are lost it wakes every
/// follower once it is back: a change committed while nobody listened still arrives long before the heartbeat.
/// </summary>
public sealed class ChangeListenerTests(PostgresFollowFixture fixture) : IClassFixture<PostgresFollowFixture>
{
    [Fact]
    public async Task A_change_committed_while_the_listen_connection_was_down_reaches_the_follower_once_it_is_back()
    {
        var owner = await fixture.CreateClientAsync();
        using var connection = owner.Connect();
        using var follower = new Follower(connection.Cases, new PullChangesRequest { Parent = owner.Parent });
        Assert.NotNull(await follower.NextAsync(TimeSpan.FromSeconds(10)));
        await WaitForListenersAsync(1);

        Assert.Equal(1, await TerminateListenersAsync());
        // The listener waits a second before it reconnects: this commit's notification goes to nobody.
        await connection.Cases.PushCasesAsync(Records.Push(owner, Records.Valid(owner.CaseName("while-down"))));
        var changes = await follower.ChangesAsync(1, TimeSpan.FromSeconds(15));

        Assert.Equal(owner.CaseName("while-down"), Assert.Single(changes ?? []).Name);
        await WaitForListenersAsync(1);
    }

    private Task<int> TerminateListenersAsync() => fixture.WithDbAsync(db => db.Database
        .SqlQueryRaw<int>("SELECT count(pg_terminate_backend(pid))::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND application_name = {0}",
            ChangeListener.ApplicationName)
        .SingleAsync(TestContext.Current.CancellationToken));

    /// <summary>Waits until <paramref name="count"/> listener connections are open on the fixture's database.</summary>
    private async Task WaitForListenersAsync(int count)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var listening = await fixture.WithDbAsync(db => db.Database
                .SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND application_name = {0}",
                    ChangeListener.ApplicationName)
                .SingleAsync(TestContext.Current.CancellationToken));
            if (listening == count || clock.Elapsed > TimeSpan.FromSeconds(15))
            {
                Assert.Equal(count, listening);
                return;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
