using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Access;

/// <summary>The authenticated, authorized client behind the current call, as read from the database for this call.</summary>
public sealed record Caller(string ClientId, long TenantId, string TenantSlug, TenantKind TenantKind, IReadOnlySet<string> Roles)
{
    public bool Has(string role) => Roles.Contains(role);
}
