using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Linq.Expressions;
using static SharingPlatform.Server.Sharing.PolicyExpressions;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Sharing;

/// <summary>
/// The sharing policy, written once: when an agreement is live, which records it matches, which agreement governs a
/// record several match, which fields every agreement shows, how a record is cut down for the grantee, and when a
/// grantee may be told that a record is gone. The rules are expressions that EF Core translates to SQL, so that the
/// database filters; where a rule must run in memory (past revisions, agreements already loaded) the same
/// expression is compiled.
/// </summary>
public static class AgreementPolicy
{
    /// <summary>CaseRecord fields an agreement may name. <c>name</c>, <c>etag</c> and <c>update_time</c> always go.</summary>
    public static readonly FrozenSet<string> ShareableFields = new[]
    {
        "subject_token", "related_subjects", "sex", "birth_year", "minor", "origin_region", "events", "status",
        "source", "narrative", "classification", "consent_scope", "tags", "create_time",
    }.ToFrozenSet(StringComparer.Ordinal);

    // ---- Liveness -------------------------------------------------------------------------------------------

    /// <summary>Whether an agreement was in force at change-sequence position <c>seq</c> and time <c>time</c>:
    /// created by then, not yet revoked, inside its validity. Aggregate-only agreements are live too; they allow
    /// counts only (<see cref="SharesRecords"/>).</summary>
    private static readonly Expression<Func<AgreementEntity, long, DateTime, bool>> Live = (a, seq, time) =>
        a.CreateSeq <= seq && (a.RevokeSeq == null || a.RevokeSeq > seq) && a.ValidFrom <= time && time < a.ValidUntil;

    private static readonly Func<AgreementEntity, long, DateTime, bool> LiveCompiled = Live.Compile();

    /// <summary>Agreements live at (<paramref name="seq"/>, <paramref name="time"/>), for a query.</summary>
    public static Expression<Func<AgreementEntity, bool>> LiveAt(long seq, DateTime time) => Bind(Live, seq, time);

    /// <summary>Agreements live now, for a query: every stored agreement is committed, so no sequence bound applies.</summary>
    public static Expression<Func<AgreementEntity, bool>> LiveNow(DateTime now) => LiveAt(long.MaxValue, now);

    public static bool IsLiveAt(AgreementEntity agreement, long seq, DateTime time) => LiveCompiled(agreement, seq, time);

    /// <summary>Whether an agreement shares records (and not only counts of them).</summary>
    public static bool SharesRecords(AgreementEntity agreement) => !agreement.AggregateOnly;

    /// <summary>Agreements not revoked and not expired (those not yet started included), for ListAgreements.</summary>
    public static Expression<Func<AgreementEntity, bool>> NotEnded(DateTime now) => a => a.RevokeSeq == null && a.ValidUntil > now;

    // ---- Matching -------------------------------------------------------------------------------------------

    /// <summary>Whether a person's consent scope covers sharing with an organisation of <paramref name="kind"/>.</summary>
    public static bool ConsentCovers(int consentScope, TenantKind kind) => (ConsentScope)consentScope switch
    {
        ConsentScope.Partners => kind is TenantKind.Documentation or TenantKind.Rescue or TenantKind.Advocacy,
        ConsentScope.Intergovernmental => kind is TenantKind.Documentation or TenantKind.Rescue or TenantKind.Advocacy or TenantKind.Intergovernmental,
        ConsentScope.PublicAdvocacy => kind is not TenantKind.Operator,
        _ => false,
    };

    private static readonly ConcurrentDictionary<TenantKind, int[]> ConsentByKind = new();

    /// <summary>The consent scopes that cover sharing with <paramref name="kind"/>.</summary>
    private static int[] ConsentScopesFor(TenantKind kind) => ConsentByKind.GetOrAdd(kind, k =>
        [.. System.Enum.GetValues<ConsentScope>().Select(s => (int)s).Where(s => ConsentCovers(s, k))]);

    /// <summary>The records of any tenant that <paramref name="agreement"/> matches for a grantee of <paramref name="granteeKind"/>
    /// (not retracted; within its classification, the person's consent, its statuses, event types and regions).
    /// The grantor is not part of it: see <see cref="MatchesAny"/>.</summary>
    public static Expression<Func<CaseEntity, bool>> Matches(AgreementEntity agreement, TenantKind granteeKind)
    {
        var maxClassification = agreement.MaxClassification;
        var consents = ConsentScopesFor(granteeKind);
        Expression<Func<CaseEntity, bool>> matches = c => !c.Retracted && c.Classification <= maxClassification && consents.Contains(c.ConsentScope);
        var statuses = Ints(agreement.Statuses);
        if (statuses.Length > 0)
        {
            matches = And(matches, c => statuses.Contains(c.Status));
        }

        var types = Ints(agreement.EventTypes);
        if (types.Length > 0)
        {
            matches = And(matches, c => c.EventTypes.Any(e => types.Contains(e.EventType)));
        }

        var regions = CaseMapping.Unpack(agreement.Regions);
        if (regions.Length > 0)
        {
            matches = And(matches, c => c.Regions.Any(r => regions.Contains(r.Region)));
        }

        return matches;
    }

    private static readonly ConcurrentDictionary<(int, string, string, string, TenantKind), Func<CaseEntity, bool>> Compiled = new();

    /// <summary><see cref="Matches"/> compiled, for facts in memory (a past revision's); compiled once per filter (what
    /// matching depends on), so that the cache holds few entries however many agreements and databases there are.</summary>
    public static bool MatchesInMemory(AgreementEntity agreement, CaseEntity facts, TenantKind granteeKind) =>
        Compiled.GetOrAdd((agreement.MaxClassification, agreement.Statuses, agreement.EventTypes, agreement.Regions, granteeKind),
            _ => Matches(agreement, granteeKind).Compile())(facts);

    /// <summary>Records that one of <paramref name="agreements"/> matches, each agreement only on its own grantor's records.</summary>
    public static Expression<Func<CaseEntity, bool>> MatchesAny(IEnumerable<AgreementEntity> agreements, TenantKind granteeKind)
    {
        Expression<Func<CaseEntity, bool>>? any = null;
        foreach (var agreement in agreements)
        {
            var one = MatchesOnGrantor(agreement, granteeKind);
            any = any is null ? one : Or(any, one);
        }

        return any ?? (c => false);
    }

    /// <summary><see cref="Matches"/> on the agreement's own grantor's records only.</summary>
    private static Expression<Func<CaseEntity, bool>> MatchesOnGrantor(AgreementEntity agreement, TenantKind granteeKind)
    {
        var grantor = agreement.GrantorTenantId;
        return And(c => c.TenantId == grantor, Matches(agreement, granteeKind));
    }

    /// <summary>
    /// The agreement that governs each record: the id of the first of <paramref name="widestFirst"/> (ordered by
    /// <see cref="Widest"/>) that matches it on its grantor's records, or 0 when none does.
    /// </summary>
    public static Expression<Func<CaseEntity, long>> Governing(IReadOnlyList<AgreementEntity> widestFirst, TenantKind granteeKind)
    {
        var row = Expression.Parameter(typeof(CaseEntity), "c");
        Expression body = Expression.Constant(0L);
        for (var i = widestFirst.Count - 1; i >= 0; i--)
        {
            body = Expression.Condition(Inline(MatchesOnGrantor(widestFirst[i], granteeKind), row), Parameter(widestFirst[i].Id), body);
        }

        return Expression.Lambda<Func<CaseEntity, long>>(body, row);
    }

    /// <summary>Agreements in governing order: most fields, then finest dates, then linkage (then oldest).</summary>
    public static List<AgreementEntity> Widest(IEnumerable<AgreementEntity> agreements) =>
        [.. agreements.OrderByDescending(a => a.Fields.Split(' ').Length)
            .ThenBy(a => a.DatePrecision == 0 ? 1 : a.DatePrecision)
            .ThenByDescending(a => a.Linkage)
            .ThenBy(a => a.Id)];

    // ---- What the grantee sees ------------------------------------------------------------------------------

    /// <summary>Whether every one of <paramref name="agreements"/> shows <paramref name="field"/>, so that filtering or
    /// grouping on it reveals nothing hidden.</summary>
    public static bool AlwaysShows(IEnumerable<AgreementEntity> agreements, string field) =>
        agreements.All(a => a.Fields.Split(' ').Contains(field, StringComparer.Ordinal));

    /// <summary>
    /// The record as the grantee may see it: only the agreement's fields, dates cut to its precision. Changes and
    /// returns <paramref name="full"/>, which must be the caller's own copy (freshly parsed from storage).
    /// </summary>
    public static CaseRecord Project(CaseRecord full, AgreementEntity agreement)
    {
        foreach (var field in Hidden.GetOrAdd(agreement.Fields, HiddenFields))
        {
            field.Accessor.Clear(full);
        }

        foreach (var date in full.Events.Select(e => e.Date).OfType<PartialDate>())
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

        return full;
    }

    private static readonly ConcurrentDictionary<string, Google.Protobuf.Reflection.FieldDescriptor[]> Hidden = new(StringComparer.Ordinal);

    /// <summary>The record's fields an agreement of <paramref name="fields"/> does not show; <c>name</c>, <c>etag</c> and
    /// <c>update_time</c> always go.</summary>
    private static Google.Protobuf.Reflection.FieldDescriptor[] HiddenFields(string fields)
    {
        var shown = fields.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("name").Append("etag").Append("update_time").ToHashSet(StringComparer.Ordinal);
        return [.. CaseRecord.Descriptor.Fields.InDeclarationOrder().Where(f => !shown.Contains(f.Name))];
    }

    // ---- Tombstones -----------------------------------------------------------------------------------------

    /// <summary>
    /// Whether <paramref name="agreement"/> could have shared a revision with the holder of <paramref name="cursor"/>: it
    /// was live at some point (in change sequence and in time) while the revision was its record's current version, and
    /// that point lies between where the cursor's history began (its first pull) and the last point at which its pulls
    /// delivered anything. Only such a revision may be named to the grantee in a tombstone. The sequence decides
    /// exactly; the times (revision, validity, the pull's clock) come from server clocks, which may differ between
    /// replicas or step, so they are compared with <see cref="ClockTolerance"/> in favour of sending the tombstone:
    /// a stale copy left behind is worse than naming a record that was shareable moments apart.
    /// </summary>
    public static bool CouldHaveShared(AgreementEntity agreement, RevisionSpan span, PullCursor cursor)
    {
        if (!SharesRecords(agreement))
        {
            return false;
        }

        var fromSeq = Math.Max(span.FromSeq, agreement.CreateSeq);
        var toSeq = Math.Min(span.ToSeq, agreement.RevokeSeq ?? long.MaxValue);
        var fromTime = Max(span.FromTime, Max(agreement.ValidFrom, agreement.CreateTime));
        var toTime = Min(span.ToTime, Min(agreement.ValidUntil, agreement.RevokeTime ?? DateTime.MaxValue));
        return fromSeq < toSeq && fromSeq <= cursor.SeenSeq && toSeq > cursor.FromSeq
            && fromTime < Later(toTime) && fromTime <= Later(cursor.SeenTime) && Later(toTime) > cursor.FromTime;
    }

    /// <summary>How far apart two replicas' clocks may be (NTP keeps them far closer) when tombstones are decided.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(1);

    private static DateTime Later(DateTime time) => time >= DateTime.MaxValue - ClockTolerance ? DateTime.MaxValue : time + ClockTolerance;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    // ---- Expression plumbing --------------------------------------------------------------------------------

    private static int[] Ints(string packed) =>
        [.. CaseMapping.Unpack(packed).Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
}
