using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Sharing;

/// <summary>
/// Which of a tenant's records a caller may count: all of its own, or a grantor's that match any live
/// agreement, aggregate-only ones included (those allow counts and nothing else).
/// </summary>
public sealed class CountView(long tenantId, TenantKind viewerKind, IReadOnlyList<AgreementEntity>? agreements)
{
    public long TenantId { get; } = tenantId;

    public TenantKind ViewerKind { get; } = viewerKind;

    public bool Own => agreements is null;

    public IReadOnlyList<AgreementEntity> Agreements { get; } = agreements ?? [];

    /// <summary>The minimum cell size: the largest any aggregate-only agreement asks; 0 when the caller can read every counted record.</summary>
    public int MinCellSize => Agreements.Where(a => !AgreementPolicy.SharesRecords(a)).Select(a => a.MinCellSize).DefaultIfEmpty(0).Max();

    /// <summary>True when some agreement shows years only: months are then counted as years.</summary>
    public bool YearsOnly => Agreements.Any(a => (DatePrecision)a.DatePrecision == DatePrecision.Year);

    /// <summary>Whether every agreement shows <paramref name="field"/>, so grouping by it reveals nothing hidden.</summary>
    public bool AlwaysShows(string field) => Own || AgreementPolicy.AlwaysShows(Agreements, field);
}
