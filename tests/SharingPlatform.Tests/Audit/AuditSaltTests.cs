extern alias server;

using Microsoft.EntityFrameworkCore;
using SharingPlatform.Client.Audit;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Audit;

namespace SharingPlatform.Tests.Audit;

/// <summary>
/// A tenant auditor who knows every true field of another tenant's redacted event (the sequence, a time between
/// two of its own events, guessable client ids) must still be unable to test a guess against its digest: only the
/// event's salt, which never leaves with a redacted event, makes the digest computable.
/// </summary>
public abstract class AuditSaltTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_redacted_event_cannot_be_confirmed_from_its_true_fields()
    {
        var owner = await fixture.CreateClientAsync();
        var ownerAuditor = await fixture.CreateClientAsync(owner.TenantSlug, "auditor");
        var stranger = await fixture.CreateClientAsync();
        using var auditor = ownerAuditor.Connect();
        var kept = await auditor.Audit.GetCheckpointAsync(new GetCheckpointRequest());
        using (var strangerConnection = stranger.Connect())
        {
            await strangerConnection.Cases.PushCasesAsync(Records.Push(stranger, Records.Valid(stranger.CaseName("hidden"))));
        }

        var latest = await auditor.Audit.GetCheckpointAsync(new GetCheckpointRequest());
        var exported = await AuditReader.ExportAsync(auditor);
        // White-box: the attacker's best case, every true field of the stranger's push, read from the database.
        var truth = await fixture.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .SingleAsync(e => e.ActorClient == stranger.ClientId && e.Action == "sharing.v1.CaseService/PushCases"));
        var redacted = Assert.Single(exported, e => e.Sequence == truth.Seq);

        Assert.True(redacted.Redacted);
        Assert.True(redacted.Salt.IsEmpty);
        Assert.NotEqual(Digest(truth, []), redacted.ContentDigest.ToByteArray());
        // Not vacuous: the same fields with the salt only the database holds give exactly the exported digest.
        Assert.Equal(AuditHashing.SaltLength, truth.Salt.Length);
        Assert.Equal(Digest(truth, truth.Salt), redacted.ContentDigest.ToByteArray());
        var verification = AuditVerifier.Verify(exported, kept.PublicJwk, [kept], latest);
        Assert.True(verification.Intact, verification.Problem);
    }

    [Fact]
    public async Task Salts_reach_only_the_auditors_who_may_see_the_event()
    {
        var owner = await fixture.CreateClientAsync();
        var ownerAuditor = await fixture.CreateClientAsync(owner.TenantSlug, "auditor");
        var stranger = await fixture.CreateClientAsync();
        foreach (var client in new[] { owner, stranger })
        {
            using var connection = client.Connect();
            await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("c-1"))));
        }

        using var auditor = ownerAuditor.Connect();
        using var platform = fixture.ConnectPlatformAdmin();
        var listed = await AuditReader.AllAsync(auditor);
        var tenantExport = await AuditReader.ExportAsync(auditor);
        var platformExport = await AuditReader.ExportAsync(platform);
        var salts = await fixture.WithDbAsync(db => db.AuditEvents.AsNoTracking().ToDictionaryAsync(e => e.Seq, e => e.Salt));

        Assert.Contains(listed, e => e.ActorClient == owner.ClientId);
        Assert.All(listed, e => Assert.Equal(salts[e.Sequence], e.Salt.ToByteArray()));
        Assert.Contains(tenantExport, e => e.Redacted);
        Assert.Contains(tenantExport, e => !e.Redacted);
        Assert.All(tenantExport, e => Assert.Equal(e.Redacted ? [] : salts[e.Sequence], e.Salt.ToByteArray()));
        Assert.DoesNotContain(platformExport, e => e.Redacted);
        Assert.All(platformExport, e => Assert.Equal(salts[e.Sequence], e.Salt.ToByteArray()));
        Assert.All(platformExport, e => Assert.Equal(AuditHashing.SaltLength, e.Salt.Length));
        Assert.Equal(platformExport.Count, platformExport.Select(e => Convert.ToHexString(e.Salt.Span)).Distinct().Count());
    }

    private static byte[] Digest(AuditEventEntity e, byte[] salt) =>
        AuditHashing.ContentDigest(e.Seq, e.Time, e.ActorClient, e.ActorTenant, e.Action, e.ResourceList, e.Purpose, e.Outcome, e.RequestId, salt);
}

public sealed class SqliteAuditSaltTests(SqliteFixture fixture) : AuditSaltTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresAuditSaltTests(PostgresFixture fixture) : AuditSaltTests(fixture), IClassFixture<PostgresFixture>;
