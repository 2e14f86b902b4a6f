using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Sharing;

/// <summary>
/// What one caller sees of one tenant's records: everything of its own tenant, or, of a grantor, the records
/// its live agreements match, each projected through the widest matching agreement.
/// </summary>
public sealed class TenantView(
    long tenantId, string slug, TenantKind viewerKind, IReadOnlyList<AgreementEntity>? agreements,
    Func<string, string>? scopeToken = null, Action<AgreementEntity>? onShared = null)
{
    public long TenantId { get; } = tenantId;

    public string Slug { get; } = slug;

    /// <summary>True for the caller's own tenant: no agreement applies.</summary>
    public bool Own => agreements is null;

    public IReadOnlyList<AgreementEntity> Agreements { get; } = agreements ?? [];

    /// <summary>The agreement that governs this record for the viewer, or null when it is not visible.</summary>
    public AgreementEntity? Governing(ICaseFacts facts) =>
        AgreementPolicy.Widest(Agreements.Where(a => AgreementPolicy.Matches(a, facts, viewerKind)));

    public bool Visible(ICaseFacts facts) => !facts.Retracted && (Own || Governing(facts) is not null);

    /// <summary>The record as the viewer may see it, or null when it is not visible.</summary>
    public CaseRecord? Project(CaseEntity row)
    {
        if (row.Retracted)
        {
            return null;
        }

        if (Own)
        {
            return CaseMapping.ToProto(row, Slug);
        }

        var governing = Governing(row);
        if (governing is null)
        {
            return null;
        }

        onShared?.Invoke(governing);
        var projected = AgreementPolicy.Project(CaseMapping.ToProto(row, Slug), governing);
        if (!governing.Linkage)
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
    public bool AlwaysShows(string field) => Own || Agreements.All(a => a.Fields.Split(' ').Contains(field, StringComparer.Ordinal));
}
