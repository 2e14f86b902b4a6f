using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Sharing;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The one place that decides which case rows a caller may touch. Every read and write of cases starts
/// here; nothing else filters cases by tenant. A tenant the caller may not see yields null, which the
/// services turn into NOT_FOUND, so a foreign tenant looks exactly like a missing one.
/// </summary>
public sealed class CaseScope(SharingDbContext db, GranteeTokens granteeTokens, AuditTrail trail, TimeProvider time)
{
    /// <summary>The caller's view of tenant <paramref name="tenantSlug"/>: its own, or what live agreements grant; null otherwise.</summary>
    public async Task<TenantView?> ReadableAsync(Caller caller, string tenantSlug, CancellationToken cancellationToken)
    {
        if (string.Equals(tenantSlug, caller.TenantSlug, StringComparison.Ordinal))
        {
            return OwnView(caller);
        }

        var agreements = await LiveAgreementsAsync(caller, tenantSlug, includeAggregateOnly: false, cancellationToken);
        return agreements.Count == 0
            ? null
            : new TenantView(agreements[0].GrantorTenantId, tenantSlug, caller.TenantKind, agreements, ScopeFor(caller), RecordPurpose);
    }

    /// <summary>What the caller may count of tenant <paramref name="tenantSlug"/>: its own records, or a grantor's through live agreements (aggregate-only included).</summary>
    public async Task<CountView?> CountableAsync(Caller caller, string tenantSlug, CancellationToken cancellationToken)
    {
        if (string.Equals(tenantSlug, caller.TenantSlug, StringComparison.Ordinal))
        {
            return new CountView(caller.TenantId, caller.TenantKind, agreements: null);
        }

        var agreements = await LiveAgreementsAsync(caller, tenantSlug, includeAggregateOnly: true, cancellationToken);
        return agreements.Count == 0 ? null : new CountView(agreements[0].GrantorTenantId, caller.TenantKind, agreements);
    }

    /// <summary>The agreements from grantor <paramref name="grantorSlug"/> to the caller's tenant that are live now.</summary>
    private Task<List<AgreementEntity>> LiveAgreementsAsync(Caller caller, string grantorSlug, bool includeAggregateOnly, CancellationToken cancellationToken)
    {
        var now = time.UtcNow();
        return db.Agreements.AsNoTracking()
            .Where(a => a.GranteeTenantId == caller.TenantId && a.RevokeSeq == null && (includeAggregateOnly || !a.AggregateOnly)
                && a.ValidFrom <= now && a.ValidUntil > now
                && db.Tenants.Any(t => t.Id == a.GrantorTenantId && t.Slug == grantorSlug))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The rows of the tenant a count view covers; callers must pass each through <see cref="CountView.Counts"/>.</summary>
    public IQueryable<CaseEntity> Rows(CountView view) => db.Cases.Where(c => c.TenantId == view.TenantId);

    /// <summary>Every agreement (live or not) that grants records to the caller's tenant, with its grantor's slug.</summary>
    public async Task<IReadOnlyList<(AgreementEntity Agreement, string GrantorSlug)>> IncomingAgreementsAsync(Caller caller, CancellationToken cancellationToken)
    {
        var rows = await db.Agreements.AsNoTracking()
            .Where(a => a.GranteeTenantId == caller.TenantId && !a.AggregateOnly)
            .Join(db.Tenants, a => a.GrantorTenantId, t => t.Id, (a, t) => new { Agreement = a, t.Slug })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r.Agreement, r.Slug))];
    }

    /// <summary>The caller's view of a grantor from the agreements live at one point of the change sequence and time.</summary>
    public TenantView? SharedView(Caller caller, string grantorSlug, IEnumerable<AgreementEntity> agreements, long seq, DateTime at)
    {
        var live = agreements.Where(a => a.LiveAt(seq, at)).ToList();
        return live.Count == 0 ? null : new TenantView(live[0].GrantorTenantId, grantorSlug, caller.TenantKind, live, ScopeFor(caller), RecordPurpose);
    }

    private Func<string, string> ScopeFor(Caller caller) => token => granteeTokens.For(caller.TenantId, token);

    /// <summary>Every shared record read is audited with the purpose of the agreement it was shared through.</summary>
    private void RecordPurpose(AgreementEntity agreement) => trail.Purposes.Add(AgreementMapping.PurposeName(agreement.Purpose));

    /// <summary>The caller's view of its own tenant.</summary>
    public static TenantView OwnView(Caller caller) => new(caller.TenantId, caller.TenantSlug, caller.TenantKind, agreements: null);

    /// <summary>The rows of tenant <paramref name="view"/> (own or shared); callers must pass each row through the view.</summary>
    public IQueryable<CaseEntity> Rows(TenantView view) => db.Cases.Where(c => c.TenantId == view.TenantId);

    /// <summary>The rows of tenant <paramref name="tenantSlug"/> the caller may change: only its own tenant's.</summary>
    public IQueryable<CaseEntity>? Writable(Caller caller, string tenantSlug) =>
        string.Equals(tenantSlug, caller.TenantSlug, StringComparison.Ordinal)
            ? db.Cases.Where(c => c.TenantId == caller.TenantId)
            : null;
}
