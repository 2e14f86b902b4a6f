using SharingPlatform.Client;
using SharingPlatform.Client.Auth;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>A registered client of a test tenant, with its private key.</summary>
public sealed record TestClient(PlatformFixture Fixture, string TenantSlug, string ClientId, ClientKey Key)
{
    public string Parent => "tenants/" + TenantSlug;

    public string CaseName(string caseId) => $"tenants/{TenantSlug}/cases/{caseId}";

    public SharingConnection Connect() => Fixture.Connect(ClientId, Key);
}
