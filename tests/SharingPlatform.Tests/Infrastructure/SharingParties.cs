extern alias server;

using SharingPlatform.V1;
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

    /// <summary>The grantor's admin grants the grantee <paramref name="fields"/> (default all) of the records with one of
    /// <paramref name="statuses"/> (default any).</summary>
    public async Task<SharingAgreement> GrantAsync(IEnumerable<CaseStatus>? statuses = null, params string[] fields)
    {
        var agreement = Agreements.To(Grantee, fields);
        if (statuses?.ToList() is { Count: > 0 } only)
        {
            agreement.Filter = new AgreementFilter { Statuses = { only } };
        }

        using var admin = GrantorAdmin.Connect();
        return await admin.Sharing.CreateAgreementAsync(Agreements.Create(GrantorAdmin, agreement));
    }

    public async Task RevokeAsync(SharingAgreement agreement)
    {
        using var admin = GrantorAdmin.Connect();
        await admin.Sharing.RevokeAgreementAsync(new RevokeAgreementRequest { Name = agreement.Name });
    }
}
