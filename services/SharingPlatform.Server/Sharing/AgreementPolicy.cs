using System.Collections.Frozen;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Sharing;

/// <summary>
/// What an agreement shares: which records match it, which agreement governs a record when several do, and
/// how the record is cut down (field mask, date precision) before it reaches the grantee.
/// </summary>
public static class AgreementPolicy
{
    /// <summary>CaseRecord fields an agreement may name. <c>name</c>, <c>etag</c> and <c>update_time</c> always go.</summary>
    public static readonly FrozenSet<string> ShareableFields = new[]
    {
        "subject_token", "related_subjects", "sex", "birth_year", "minor", "origin_region", "events", "status",
        "source", "narrative", "classification", "consent_scope", "tags", "create_time",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether a person's consent scope covers sharing with an organisation of <paramref name="kind"/>.</summary>
    public static bool ConsentCovers(int consentScope, TenantKind kind) => (ConsentScope)consentScope switch
    {
        ConsentScope.Partners => kind is TenantKind.Documentation or TenantKind.Rescue or TenantKind.Advocacy,
        ConsentScope.Intergovernmental => kind is TenantKind.Documentation or TenantKind.Rescue or TenantKind.Advocacy or TenantKind.Intergovernmental,
        ConsentScope.PublicAdvocacy => kind is not TenantKind.Operator,
        _ => false,
    };

    public static bool Matches(AgreementEntity agreement, ICaseFacts facts, TenantKind granteeKind) =>
        !facts.Retracted
        && facts.Classification <= agreement.MaxClassification
        && ConsentCovers(facts.ConsentScope, granteeKind)
        && (agreement.Statuses.Length == 0 || agreement.Statuses.Contains($"|{facts.Status}|", StringComparison.Ordinal))
        && Overlaps(agreement.EventTypes, facts.EventTypes)
        && Overlaps(agreement.Regions, facts.Regions);

    /// <summary>
    /// Whether <paramref name="agreement"/> could have shared a revision with a grantee: it was live at some point
    /// (in change sequence and in time) while the revision was its record's current version, and that point is not
    /// after (<paramref name="seenSeq"/>, <paramref name="seenTime"/>), the last point at which the grantee's pulls
    /// delivered anything. Only such a revision may be named to the grantee in a tombstone. The sequence decides
    /// exactly; the times (revision, validity, the pull's clock) come from server clocks, which may differ between
    /// replicas or step, so they are compared with <see cref="ClockTolerance"/> in favour of sending the tombstone:
    /// a stale copy left behind is worse than naming a record that was shareable moments apart.
    /// </summary>
    public static bool CouldHaveShared(AgreementEntity agreement, RevisionSpan span, long seenSeq, DateTime seenTime)
    {
        if (agreement.AggregateOnly)
        {
            return false;
        }

        var fromSeq = Math.Max(span.FromSeq, agreement.CreateSeq);
        var toSeq = Math.Min(span.ToSeq, agreement.RevokeSeq ?? long.MaxValue);
        var fromTime = Max(span.FromTime, Max(agreement.ValidFrom, agreement.CreateTime));
        var toTime = Min(span.ToTime, Min(agreement.ValidUntil, agreement.RevokeTime ?? DateTime.MaxValue));
        return fromSeq < toSeq && fromSeq <= seenSeq && fromTime < Later(toTime) && fromTime <= Later(seenTime);
    }

    /// <summary>How far apart two replicas' clocks may be (NTP keeps them far closer) when tombstones are decided.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(1);

    private static DateTime Later(DateTime time) => time >= DateTime.MaxValue - ClockTolerance ? DateTime.MaxValue : time + ClockTolerance;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>The agreement that governs a record several agreements match: most fields, then finest dates, then linkage.</summary>
    public static AgreementEntity? Widest(IEnumerable<AgreementEntity> matching) =>
        matching.OrderByDescending(a => a.Fields.Split(' ').Length)
            .ThenBy(a => a.DatePrecision == 0 ? 1 : a.DatePrecision)
            .ThenByDescending(a => a.Linkage)
            .ThenBy(a => a.Id)
            .FirstOrDefault();

    /// <summary>The record as the grantee may see it: only the agreement's fields, dates cut to its precision.</summary>
    public static CaseRecord Project(CaseRecord full, AgreementEntity agreement)
    {
        var mask = new FieldMask();
        mask.Paths.AddRange(agreement.Fields.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var projected = new CaseRecord { Name = full.Name, Etag = full.Etag, UpdateTime = full.UpdateTime };
        mask.Merge(full, projected);
        projected = projected.Clone(); // Merge shares nested messages with the source; cut dates on our own copy
        foreach (var date in projected.Events.Select(e => e.Date).OfType<PartialDate>())
        {
            if ((DatePrecision)agreement.DatePrecision is DatePrecision.Month or DatePrecision.Year)
            {
                date.Day = 0;
            }

            if ((DatePrecision)agreement.DatePrecision is DatePrecision.Year)
            {
                date.Month = 0;
            }
        }

        return projected;
    }

    /// <summary>True when the agreement side is empty (no restriction) or the two packed sets share a value.</summary>
    private static bool Overlaps(string agreementPacked, string recordPacked) =>
        agreementPacked.Length == 0
        || CaseMapping.Unpack(recordPacked).Any(v => agreementPacked.Contains($"|{v}|", StringComparison.Ordinal));
}
