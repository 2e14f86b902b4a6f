extern alias server;

using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Audit;
using server::SharingPlatform.Server.Data;

namespace SharingPlatform.Tests.Audit;

/// <summary>
/// The chain's checks on a platform that is busy: appends committing between two reads must never look like damage.
/// VerifyAuditChain and the head check each read the head and the events in one statement; read in two, an append in
/// between showed "the head row says N events but the chain holds N+1" and put a sound platform in fault mode.
/// </summary>
public abstract class LiveVerifyTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Verify_and_the_head_check_find_a_sound_chain_sound_while_pushes_commit()
    {
        var owner = await fixture.CreateClientAsync();
        var auditor = await fixture.CreateClientAsync(owner.TenantSlug, "platform-auditor");
        using var auditing = auditor.Connect();
        // Pushes go on while the auditor checks: for 6 s and at least four checks (a loaded machine is slower), 60 s at most.
        using var stop = new CancellationTokenSource();
        var window = System.Diagnostics.Stopwatch.StartNew();
        var pushed = 0;
        var pushers = Enumerable.Range(0, 3).Select(p => Task.Run(async () =>
        {
            // Flat out, a fast machine passes the per-client call limit; a limited pusher waits as a client would.
            using var connection = owner.Connect();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    await connection.Cases.PushCasesAsync(Records.Push(owner, Records.Valid(owner.CaseName($"live-{p}-{i}"))));
                    Interlocked.Increment(ref pushed);
                }
                catch (RpcException limited) when (limited.StatusCode == StatusCode.ResourceExhausted)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1));
                }
            }
        })).ToList();

        var checks = 0;
        while ((window.Elapsed < TimeSpan.FromSeconds(6) || checks < 4) && window.Elapsed < TimeSpan.FromSeconds(60))
        {
            var verify = await auditing.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
            Assert.True(verify.Intact, $"A live chain looked damaged: {verify.Problem} at {verify.FirstBadSequence}");
            var problem = await fixture.WithDbAsync(db => AuditHeadCheck.ProblemAsync(db, CancellationToken.None));
            Assert.Null(problem);
            checks++;
            await Task.Delay(TimeSpan.FromMilliseconds(100)); // the auditor's calls stay under any call limit
        }

        await stop.CancelAsync();
        await Task.WhenAll(pushers);
        Assert.True(checks > 3, $"Only {checks} checks ran.");
        Assert.True(pushed > 30, $"Only {pushed} pushes committed.");
        await fixture.WithScopeAsync(services =>
        {
            Assert.Null(services.GetRequiredService<AuditChain>().Fault);
            return Task.CompletedTask;
        });
    }
}

public sealed class SqliteLiveVerifyTests(SqliteFixture fixture) : LiveVerifyTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresLiveVerifyTests(PostgresFixture fixture) : LiveVerifyTests(fixture), IClassFixture<PostgresFixture>;
