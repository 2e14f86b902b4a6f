extern alias server;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Data;

namespace SharingPlatform.Tests.Audit;

/// <summary>
/// The benchmark's switch that turns the audit off (to measure what it costs) cannot be used by a real deployment:
/// outside the Benchmark and Development environments the server refuses to start with it (StartupRefusalTests).
/// </summary>
public sealed class AuditSwitchTests
{
    [Fact]
    public async Task In_the_benchmark_environment_audit_off_serves_calls_and_records_nothing()
    {
        await using var fixture = new AuditOffFixture("Benchmark");
        await fixture.InitializeAsync();
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();

        var pushed = await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("unrecorded"))));
        var read = await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = client.CaseName("unrecorded") });

        Assert.Equal(PushOutcome.Created, Assert.Single(pushed.Results).Outcome);
        Assert.Equal(client.CaseName("unrecorded"), read.Name);
        await fixture.WithScopeAsync(async services =>
        {
            var db = services.GetRequiredService<SharingDbContext>();
            Assert.Equal(0, await db.AuditEvents.CountAsync());
            Assert.Equal(0, await db.AuditHeads.Select(h => h.Size).SingleAsync());
        });
    }

    private sealed class AuditOffFixture(string environment) : SqliteFixture
    {
        protected override string EnvironmentName => environment;

        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Audit:Disabled", "true")];
    }
}
