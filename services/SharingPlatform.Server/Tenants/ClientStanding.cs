using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Data;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Tenants;

/// <summary>
/// A client as the database says it is now: its tenant, roles and current key, and whether it and its tenant may act. Read
/// for every token request and every call, so that a disabled client or suspended tenant stops at once.
/// </summary>
public sealed record ClientStanding(string ClientId, long TenantId, string TenantSlug, TenantKind TenantKind, string Roles, bool ClientActive, bool TenantActive, string KeyId, int Generation)
{
    public static Task<ClientStanding?> FindAsync(SharingDbContext db, string clientId, CancellationToken cancellationToken) =>
        db.Clients.AsNoTracking()
            .Where(c => c.ClientId == clientId)
            .Select(c => new ClientStanding(c.ClientId, c.TenantId, c.Tenant.Slug, c.Tenant.Kind, c.Roles,
                c.Status == ClientStatus.Active, c.Tenant.Status == TenantStatus.Active, c.KeyId, c.Generation))
            .SingleOrDefaultAsync(cancellationToken);
}
