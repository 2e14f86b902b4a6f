extern alias server;

using ServerKind = server::SharingPlatform.V1.TenantKind;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>A grantor tenant with a sync and a tenant-admin client, and a grantee tenant with a sync client.</summary>
public sealed record SharingParties(TestClient GrantorSync, TestClient GrantorAdmin, TestClient Grantee)
{
    public static async Task<SharingParties> CreateAsync(PlatformFixture fixture, ServerKind granteeKind = ServerKind.Documentation)
    {
        var grantorSync = await fixture.CreateClientAsync();
        var grantorAdmin = await fixture.CreateClientAsync(grantorSync.TenantSlug, "tenant-admin");
        var grantee = await fixture.CreateClientAsync(null, granteeKind, "sync");
        return new SharingParties(grantorSync, grantorAdmin, grantee);
    }
}
