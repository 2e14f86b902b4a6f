using SharingPlatform.Server.Access;
using SharingPlatform.Server.Data;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The one place that decides which case rows a caller may touch. Every read and write of cases starts
/// here; nothing else filters cases by tenant. A tenant the caller may not see yields null, which the
/// services turn into NOT_FOUND, so a foreign tenant looks exactly like a missing one.
/// </summary>
public sealed class CaseScope(SharingDbContext db)
{
    /// <summary>The rows of tenant <paramref name="tenantSlug"/> the caller may read, or null.</summary>
    public IQueryable<CaseEntity>? Readable(Caller caller, string tenantSlug) => Writable(caller, tenantSlug);

    /// <summary>The rows of tenant <paramref name="tenantSlug"/> the caller may change: only its own tenant's.</summary>
    public IQueryable<CaseEntity>? Writable(Caller caller, string tenantSlug) =>
        string.Equals(tenantSlug, caller.TenantSlug, StringComparison.Ordinal)
            ? db.Cases.Where(c => c.TenantId == caller.TenantId)
            : null;

    /// <summary>The change feed of everything the caller may read, with the owning tenant's slug.</summary>
    public IQueryable<CaseEntity> Feed(Caller caller) => db.Cases.Where(c => c.TenantId == caller.TenantId);
}
