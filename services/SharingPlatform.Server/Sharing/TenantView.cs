using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Sharing;

/// <summary>
/// What one caller sees of one tenant's records: everything of its own tenant, or, of a grantor, the records
/// its live agreements match, each projected through the governing agreement (<see cref="AgreementPolicy.Governing"/>).
/// </summary>
public sealed class TenantView(
    long tenantId, string slug, TenantKind viewerKind, IReadOnlyList<AgreementEntity>? agreements,
    Func<string, string>? scopeToken = null, Action<AgreementEntity>? onShared = null)
{
    public long TenantId { get; } = tenantId;

    public string Slug { get; } = slug;

    public TenantKind ViewerKind { get; } = viewerKind;

    /// <summary>True for the caller's own tenant: no agreement applies.</summary>
    public bool Own => agreements is null;

    /// <summary>The live agreements, widest first (<see cref="AgreementPolicy.Governing"/> picks from them in this order).</summary>
    public IReadOnlyList<AgreementEntity> Agreements { get; } = agreements is null ? [] : AgreementPolicy.Widest(agreements);

    private readonly Dictionary<long, AgreementEntity> _byId = (agreements ?? []).ToDictionary(a => a.Id);

    /// <summary>The record as the viewer may see it: the row whole for its own tenant, else projected through the
    /// governing agreement <paramref name="governing"/> (its id; 0 or another grantor's: not visible, null).</summary>
    public CaseRecord? Project(CaseEntity row, long governing)
    {
        if (row.Retracted)
        {
            return null;
        }

        if (Own)
        {
            return CaseMapping.ToProto(row, Slug);
        }

        if (row.TenantId != TenantId || !_byId.TryGetValue(governing, out var agreement))
        {
            return null;
        }

        onShared?.Invoke(agreement);
        var projected = AgreementPolicy.Project(CaseMapping.ToProto(row, Slug), agreement);
        if (!agreement.Linkage)
        {
            // Without linkage rights every subject token becomes one only this grantee sees.
            var scope = scopeToken ?? throw new InvalidOperationException("A shared view needs the grantee's token scope.");
            if (projected.SubjectToken.Length > 0)
            {
                projected.SubjectToken = scope(projected.SubjectToken);
            }

            foreach (var related in projected.RelatedSubjects)
            {
                related.SubjectToken = scope(related.SubjectToken);
            }
        }

        return projected;
    }

    /// <summary>Whether every agreement of this view shows <paramref name="field"/>, so that filtering on it reveals nothing hidden.</summary>
    public bool AlwaysShows(string field) => Own || AgreementPolicy.AlwaysShows(Agreements, field);
}
