extern alias server;

using Grpc.Core;
using SharingPlatform.Client.Audit;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Access;

namespace SharingPlatform.Tests.Audit;

/// <summary>What gets recorded, by whom it can be read, and that the chain stays whole under concurrency.</summary>
public abstract class AuditTrailTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Every_rpc_of_the_contract_records_an_event()
    {
        var partner = await fixture.CreateClientAsync(null, "sync", "tenant-admin", "auditor");
        using var platform = fixture.ConnectPlatformAdmin();
        using var partnerConnection = partner.Connect();
        using var raw = new RawCalls(fixture, partner);
        var platformToken = await platform.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
        var partnerToken = await partnerConnection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
        var methods = Contract.Services.SelectMany(s => s.Methods).ToList();

        foreach (var method in methods)
        {
            var rule = RpcRules.ByMethod[$"/{method.Service.FullName}/{method.Name}"];
            var token = rule.AnyOf.Overlaps(["sync", "tenant-admin", "auditor"]) ? partnerToken : platformToken;
            await Access.EveryRpcMatrixTests.CallAsync(raw, method, RawCalls.Bearer(token));
        }

        var actions = (await AuditReader.AllAsync(platform)).Select(e => e.Action).ToHashSet();
        Assert.All(methods, m => Assert.Contains($"{m.Service.FullName}/{m.Name}", actions));
    }

    [Fact]
    public async Task A_replayed_push_is_recorded_as_a_replay_not_as_a_second_write()
    {
        var owner = await fixture.CreateClientAsync();
        using var connection = owner.Connect();
        var push = Records.Push(owner, Records.Valid(owner.CaseName("sent-twice")));

        await connection.Cases.PushCasesAsync(push);
        await connection.Cases.PushCasesAsync(push); // the SDK's retry after a lost answer
        using var platform = fixture.ConnectPlatformAdmin();
        var events = (await AuditReader.AllAsync(platform, new ListAuditEventsRequest { ActorClient = owner.ClientId }))
            .Where(e => e.Action == "sharing.v1.CaseService/PushCases").ToList();

        Assert.Equal(["OK", "REPLAYED"], events.Select(e => e.Outcome));
        Assert.All(events, e => Assert.Equal(push.RequestId, e.RequestId));
        Assert.All(events, e => Assert.Equal([owner.CaseName("sent-twice")], e.Resources));
    }

    [Fact]
    public async Task Reads_record_the_records_returned_with_the_agreements_purpose_and_refusals_record_what_was_asked()
    {
        var owner = await fixture.CreateClientAsync(null, "sync", "tenant-admin");
        var grantee = await fixture.CreateClientAsync();
        using var ownerConnection = owner.Connect();
        using var granteeConnection = grantee.Connect();
        await ownerConnection.Cases.PushCasesAsync(Records.Push(owner, Records.Valid(owner.CaseName("read-me"))));
        var agreement = Agreements.To(grantee, "status");
        agreement.Purpose = Purpose.UnSubmission;
        await ownerConnection.Sharing.CreateAgreementAsync(Agreements.Create(owner, agreement));

        await granteeConnection.Cases.GetCaseAsync(new GetCaseRequest { Name = owner.CaseName("read-me") });
        await Assert.ThrowsAsync<RpcException>(() => granteeConnection.Cases.GetCaseAsync(new GetCaseRequest { Name = owner.CaseName("absent") }).ResponseAsync);
        using var platform = fixture.ConnectPlatformAdmin();
        var events = await AuditReader.AllAsync(platform, new ListAuditEventsRequest { ActorClient = grantee.ClientId });

        var read = Assert.Single(events, e => e.Action == "sharing.v1.CaseService/GetCase" && e.Outcome == "OK");
        Assert.Equal([owner.CaseName("read-me")], read.Resources);
        Assert.Equal("PURPOSE_UN_SUBMISSION", read.Purpose);
        Assert.Equal(grantee.TenantSlug, read.ActorTenant);
        var refused = Assert.Single(events, e => e.Action == "sharing.v1.CaseService/GetCase" && e.Outcome == "NOT_FOUND");
        Assert.Equal([owner.CaseName("absent")], refused.Resources);
        Assert.Contains(events, e => e.Action == "token.issue");
    }

    [Fact]
    public async Task An_unauthenticated_caller_cannot_write_its_strings_into_a_tenants_log()
    {
        var victim = await fixture.CreateClientAsync();
        using var raw = new RawCalls(fixture, victim);

        await Assert.ThrowsAsync<RpcException>(() => raw.Cases.GetCaseAsync(new GetCaseRequest { Name = victim.CaseName("kim-mira-1994") }).ResponseAsync);
        using var platform = fixture.ConnectPlatformAdmin();
        var events = await AuditReader.AllAsync(platform, new ListAuditEventsRequest { Action = "sharing.v1.CaseService/GetCase" });

        var refused = Assert.Single(events, e => e.Outcome == "UNAUTHENTICATED" && e.ActorClient == "-");
        Assert.Empty(refused.Resources);
        Assert.DoesNotContain(events, e => e.Resources.Any(r => r.Contains("kim-mira", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_grantees_read_across_two_grantors_is_split_so_each_grantors_auditor_sees_only_its_own_records()
    {
        var b = await fixture.CreateClientAsync(null, "sync", "tenant-admin");
        var c = await fixture.CreateClientAsync(null, "sync", "tenant-admin");
        var bAuditor = await fixture.CreateClientAsync(b.TenantSlug, "auditor");
        var grantee = await fixture.CreateClientAsync();
        foreach (var grantor in new[] { b, c })
        {
            using var connection = grantor.Connect();
            await connection.Cases.PushCasesAsync(Records.Push(grantor, Records.Valid(grantor.CaseName("shared"))));
            await connection.Sharing.CreateAgreementAsync(Agreements.Create(grantor, Agreements.To(grantee)));
        }

        using (var granteeConnection = grantee.Connect())
        {
            Assert.Equal(2, (await granteeConnection.Cases.PullAllAsync(grantee.Parent)).Changes.Count);
        }

        using var auditor = bAuditor.Connect();
        var visible = await AuditReader.AllAsync(auditor);

        Assert.Contains(visible, e => e.ActorClient == grantee.ClientId && e.Resources.Contains(b.CaseName("shared")));
        Assert.DoesNotContain(visible, e => e.Resources.Any(r => r.StartsWith(c.Parent + "/", StringComparison.Ordinal) || r == c.Parent));
    }

    [Fact]
    public async Task Each_pull_message_records_the_purposes_of_its_own_records_only()
    {
        // Two grantors share for different purposes; one record each, pulled one per message. The record that does
        // not fit a message any more goes into the next one, and so must the purpose it was shared for.
        var grantee = await fixture.CreateClientAsync();
        var grantors = new List<(TestClient Client, Purpose Purpose, string Recorded)>
        {
            (await fixture.CreateClientAsync(null, "sync", "tenant-admin"), Purpose.UnSubmission, "PURPOSE_UN_SUBMISSION"),
            (await fixture.CreateClientAsync(null, "sync", "tenant-admin"), Purpose.RescueCoordination, "PURPOSE_RESCUE_COORDINATION"),
        };
        foreach (var (grantor, purpose, _) in grantors)
        {
            using var connection = grantor.Connect();
            var agreement = Agreements.To(grantee);
            agreement.Purpose = purpose;
            await connection.Sharing.CreateAgreementAsync(Agreements.Create(grantor, agreement));
            await connection.Cases.PushCasesAsync(Records.Push(grantor, Records.Valid(grantor.CaseName("one"))));
        }

        using (var granteeConnection = grantee.Connect())
        {
            Assert.Equal(2, (await granteeConnection.Cases.PullAllAsync(grantee.Parent, batchSize: 1)).Changes.Count);
        }

        using var platform = fixture.ConnectPlatformAdmin();
        var pulls = (await AuditReader.AllAsync(platform, new ListAuditEventsRequest { ActorClient = grantee.ClientId }))
            .Where(e => e.Action == "sharing.v1.CaseService/PullChanges" && e.Resources.Count > 0).ToList();
        foreach (var (grantor, _, recorded) in grantors)
        {
            var read = Assert.Single(pulls, e => e.Resources.Contains(grantor.CaseName("one")));
            Assert.Equal([grantor.CaseName("one")], read.Resources);
            Assert.Equal(recorded, read.Purpose);
        }
    }

    [Fact]
    public async Task Refused_token_requests_are_recorded()
    {
        var client = await fixture.CreateClientAsync();
        var replayed = Tokens.Assertion(client.ClientId, client.Key.SigningKey);
        await Tokens.RequestWithAssertionAsync(fixture, replayed);
        await Tokens.RequestWithAssertionAsync(fixture, replayed);
        using var platform = fixture.ConnectPlatformAdmin();

        var refusals = await AuditReader.AllAsync(platform, new ListAuditEventsRequest { Action = "token.refuse" });

        Assert.Contains(refusals, e => e.Outcome == "invalid_client" && e.RequestId == client.ClientId);
    }

    [Fact]
    public async Task A_tenant_auditor_sees_who_read_its_data_and_its_own_clients_but_nothing_else_yet_can_verify_the_whole_chain()
    {
        var owner = await fixture.CreateClientAsync(null, "sync", "tenant-admin");
        var ownerAuditor = await fixture.CreateClientAsync(owner.TenantSlug, "auditor");
        var grantee = await fixture.CreateClientAsync();
        var stranger = await fixture.CreateClientAsync();
        using var ownerConnection = owner.Connect();
        using var granteeConnection = grantee.Connect();
        using var strangerConnection = stranger.Connect();
        await ownerConnection.Cases.PushCasesAsync(Records.Push(owner, Records.Valid(owner.CaseName("watched"))));
        await ownerConnection.Sharing.CreateAgreementAsync(Agreements.Create(owner, Agreements.To(grantee)));
        await granteeConnection.Cases.GetCaseAsync(new GetCaseRequest { Name = owner.CaseName("watched") });
        await strangerConnection.Cases.PushCasesAsync(Records.Push(stranger, Records.Valid(stranger.CaseName("elsewhere"))));
        using var auditor = ownerAuditor.Connect();

        var visible = await AuditReader.AllAsync(auditor);
        var exported = await AuditReader.ExportAsync(auditor);
        var checkpoint = await auditor.Audit.GetCheckpointAsync(new GetCheckpointRequest());

        Assert.Contains(visible, e => e.ActorClient == grantee.ClientId && e.Resources.Contains(owner.CaseName("watched")));
        Assert.Contains(visible, e => e.ActorClient == owner.ClientId && e.Action == "sharing.v1.CaseService/PushCases");
        Assert.DoesNotContain(visible, e => e.ActorClient == stranger.ClientId);
        Assert.Contains(exported, e => e.Redacted);
        Assert.DoesNotContain(exported, e => e.ActorClient == stranger.ClientId);
        var verification = AuditVerifier.Verify(exported, checkpoint.PublicJwk, [], exported.Count >= checkpoint.Checkpoint.Size ? checkpoint : null);
        Assert.True(verification.Intact, verification.Problem);
    }

    [Fact]
    public async Task Concurrent_readers_and_writers_keep_one_gap_free_chain()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => fixture.CreateClientAsync()));
        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            using var connection = client.Connect();
            for (var i = 0; i < 10; i++)
            {
                await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName($"c-{i}"))));
                await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = client.CaseName($"c-{i}") });
                await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent });
            }
        })));
        using var platform = fixture.ConnectPlatformAdmin();

        var verified = await platform.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        var exported = await AuditReader.ExportAsync(platform);

        Assert.True(verified.Intact, verified.Problem);
        Assert.Equal(Enumerable.Range(1, exported.Count).Select(i => (long)i), exported.Select(e => e.Sequence));
        Assert.True(exported.Count(e => e.Action == "sharing.v1.CaseService/PushCases") >= 40);
    }
}

public sealed class SqliteAuditTrailTests(SqliteFixture fixture) : AuditTrailTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresAuditTrailTests(PostgresFixture fixture) : AuditTrailTests(fixture), IClassFixture<PostgresFixture>;
