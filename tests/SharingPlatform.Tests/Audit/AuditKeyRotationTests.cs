using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Client;
using SharingPlatform.Client.Audit;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Audit;

/// <summary>
/// Rotating the audit key with the server's <c>keys stage audit</c> / <c>keys activate audit</c>, through the real server
/// process restarted on one data directory, and verified offline as an auditor who pinned the first key: checkpoints of
/// the old key still verify with it, the new key is trusted only through the announcement the old key signed, and a
/// checkpoint signed by any key not so announced is refused.
/// </summary>
public sealed class AuditKeyRotationTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", "audit-rotation-" + Guid.NewGuid().ToString("N"));
    private readonly int _identityPort = ServerProcess.FreePort();
    private readonly int _grpcPort = ServerProcess.FreePort();

    private string DataDirectory => Path.Combine(_root, "data");

    private string KeyDirectory => Path.Combine(DataDirectory, "keys");

    [Fact]
    public async Task A_rotated_audit_key_is_trusted_through_the_old_keys_announcement_and_no_other_key_is()
    {
        using var first = await StartAsync();
        SignedCheckpoint before;
        using (var auditor = Connect(first))
        {
            before = await auditor.Audit.GetCheckpointAsync(new GetCheckpointRequest());
        }

        var pinned = before.PublicJwk;
        Assert.Null(before.KeyAnnouncement);
        first.Dispose();

        var (stageCode, staged) = await KeysTool.RunAsync("stage audit", DataDirectory);
        Assert.True(stageCode == 0, staged);
        var (earlyCode, early) = await KeysTool.RunAsync("activate audit", DataDirectory);
        Assert.Equal(1, earlyCode); // not announced yet: no replica has started since the stage
        Assert.Contains("not announced yet", early, StringComparison.Ordinal);

        (await StartAsync()).Dispose(); // this start announces the staged key
        using var oldKey = LoadPrivate(Path.Combine(KeyDirectory, "audit-signing-p256.jwk")); // kept here only to forge with below
        var (activateCode, activated) = await KeysTool.RunAsync("activate audit", DataDirectory);
        Assert.True(activateCode == 0, activated);
        Assert.All(KeysTool.PrivateParts(KeyDirectory), d => Assert.DoesNotContain(d, staged + activated, StringComparison.Ordinal));

        using var second = await StartAsync();
        using var connection = Connect(second);
        var after = await connection.Audit.GetCheckpointAsync(new GetCheckpointRequest());
        var events = await AuditReader.ExportAsync(connection);

        Assert.NotEqual(Thumbprint(pinned), Thumbprint(after.PublicJwk));
        Assert.NotNull(after.KeyAnnouncement);
        Assert.Equal(Thumbprint(pinned), Thumbprint(after.KeyAnnouncement.PublicJwk));
        var announcement = Assert.Single(events, e => e.Action == AuditKeyTrust.AnnouncedAction);
        Assert.Equal(AuditKeyTrust.AnnouncedResource(Thumbprint(after.PublicJwk)), Assert.Single(announcement.Resources));
        Assert.InRange(announcement.Sequence, before.Checkpoint.Size + 1, after.KeyAnnouncement.Checkpoint.Size);

        // The old key's checkpoint still verifies with the old key; the new key's, through the announcement.
        Assert.True(AuditVerifier.Verify(events, pinned, [before], null).Intact);
        var rotated = AuditVerifier.Verify(events, pinned, [before], after);
        Assert.True(rotated.Intact, rotated.Problem);
        // An auditor who pinned the new key trusts it directly.
        Assert.True(AuditVerifier.Verify(events, after.PublicJwk, [], after).Intact);

        // Refused: the new key's checkpoint without its announcement; a checkpoint signed by a key nobody announced,
        // even carrying the genuine announcement of another; an announcement the export does not match.
        var bare = after.Clone();
        bare.KeyAnnouncement = null;
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = SignWith(stranger, after);
        forged.KeyAnnouncement = after.KeyAnnouncement;
        var elsewhere = after.KeyAnnouncement.Clone();
        elsewhere.Checkpoint.HeadHash = ByteString.CopyFrom(new byte[32]);
        var rewritten = after.Clone();
        rewritten.KeyAnnouncement = SignWith(oldKey, elsewhere); // genuinely signed by the pinned key, but over another history
        foreach (var refused in new[] { bare, forged, rewritten })
        {
            var result = AuditVerifier.Verify(events, pinned, [before], refused);
            Assert.False(result.Intact);
            Assert.Equal("checkpoint signature invalid", result.Problem);
        }

        // Without the announcement event in the export (cut before it), the new key is not trusted either.
        var cut = events.Where(e => e.Sequence < announcement.Sequence).ToList();
        Assert.False(AuditVerifier.Verify(cut, pinned, [], after).Intact);

        // A tenant's auditor sees other tenants' events redacted, but the announcement in full: it needs it too.
        var adminKey = ClientKey.Create();
        var auditorKey = ClientKey.Create();
        await connection.Tenants.CreateTenantAsync(new CreateTenantRequest
        {
            TenantId = "rotation-t", Tenant = new Tenant { DisplayName = "Rotation", Kind = TenantKind.Documentation }, AdminClientId = "admin", AdminPublicJwk = adminKey.PublicJwkJson(),
        });
        using (var tenantAdmin = Connect(second, PlatformFixture.ClientName("rotation-t", "admin"), adminKey))
        {
            await tenantAdmin.Tenants.RegisterClientAsync(new RegisterClientRequest { Parent = "tenants/rotation-t", ClientId = "auditor", Roles = { "auditor" }, PublicJwk = auditorKey.PublicJwkJson() });
        }

        using var tenantAuditor = Connect(second, PlatformFixture.ClientName("rotation-t", "auditor"), auditorKey);
        var latest = await tenantAuditor.Audit.GetCheckpointAsync(new GetCheckpointRequest());
        var seen = await AuditReader.ExportAsync(tenantAuditor, latest.Checkpoint.Size);
        Assert.Contains(seen, e => e.Redacted);
        Assert.False(seen.Single(e => e.Sequence == announcement.Sequence).Redacted);
        var tenantResult = AuditVerifier.Verify(seen, pinned, [before], latest);
        Assert.True(tenantResult.Intact, tenantResult.Problem);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task<ServerProcess> StartAsync()
    {
        var server = ServerProcess.Start([new("Platform:DataDirectory", DataDirectory), new("Identity:Issuer", $"http://127.0.0.1:{_identityPort}/")], _identityPort, _grpcPort);
        await server.WaitUntilHealthyAsync(Deadline);
        return server;
    }

    /// <summary>The platform-admin, which is also platform-auditor.</summary>
    private SharingConnection Connect(ServerProcess server) =>
        Connect(server, PlatformFixture.PlatformAdminId, ClientKey.Load(Path.Combine(DataDirectory, "bootstrap", "platform-admin.jwk")));

    private SharingConnection Connect(ServerProcess server, string clientId, ClientKey key) => new(server.GrpcAddress, new Uri($"http://127.0.0.1:{_identityPort}/"), clientId, key);

    private static ECDsa LoadPrivate(string path)
    {
        var jwk = new JsonWebKey(File.ReadAllText(path));
        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Base64UrlEncoder.DecodeBytes(jwk.D),
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
        });
    }

    private static string Thumbprint(string jwk) => AuditKeyTrust.Thumbprint(jwk) ?? throw new InvalidOperationException("not a P-256 JWK");

    /// <summary><paramref name="original"/>'s checkpoint signed by <paramref name="key"/>, naming that key.</summary>
    private static SignedCheckpoint SignWith(ECDsa key, SignedCheckpoint original)
    {
        var checkpoint = original.Checkpoint;
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return new SignedCheckpoint
        {
            Checkpoint = checkpoint.Clone(),
            Signature = ByteString.CopyFrom(key.SignData(AuditHashing.CheckpointBytes(checkpoint.Size, checkpoint.HeadHash.Span, checkpoint.Time.ToDateTime()),
                HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
            PublicJwk = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(parameters.Q.X), ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
            }),
        };
    }
}
