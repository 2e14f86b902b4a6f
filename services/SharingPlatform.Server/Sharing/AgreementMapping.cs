using Google.Protobuf.WellKnownTypes;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Sharing;

public static class AgreementMapping
{
    public static string Name(string grantorSlug, string agreementId) => $"{TenantNames.Format(grantorSlug)}/agreements/{agreementId}";

    public static SharingAgreement ToProto(this AgreementEntity a, string grantorSlug, string granteeSlug, DateTime now)
    {
        var agreement = new SharingAgreement
        {
            Name = Name(grantorSlug, a.AgreementId),
            Grantor = TenantNames.Format(grantorSlug),
            Grantee = TenantNames.Format(granteeSlug),
            Purpose = (Purpose)a.Purpose,
            Fields = new FieldMask { Paths = { a.Fields.Split(' ', StringSplitOptions.RemoveEmptyEntries) } },
            Filter = new AgreementFilter
            {
                MaxClassification = (Classification)a.MaxClassification,
                EventTypes = { CaseMapping.Unpack(a.EventTypes).Select(v => (EventType)int.Parse(v, System.Globalization.CultureInfo.InvariantCulture)) },
                Statuses = { CaseMapping.Unpack(a.Statuses).Select(v => (CaseStatus)int.Parse(v, System.Globalization.CultureInfo.InvariantCulture)) },
                Regions = { CaseMapping.Unpack(a.Regions) },
            },
            DatePrecision = (DatePrecision)a.DatePrecision,
            Linkage = a.Linkage,
            AggregateOnly = a.AggregateOnly,
            MinCellSize = a.MinCellSize,
            ValidFrom = Timestamp.FromDateTime(a.ValidFrom),
            ValidUntil = Timestamp.FromDateTime(a.ValidUntil),
            CreateTime = Timestamp.FromDateTime(a.CreateTime),
            Live = AgreementPolicy.IsLiveAt(a, long.MaxValue, now),
        };
        if (a.RevokeTime is { } revoked)
        {
            agreement.RevokeTime = Timestamp.FromDateTime(revoked);
        }

        return agreement;
    }

    /// <summary>The contract's name of a purpose, e.g. <c>PURPOSE_UN_SUBMISSION</c>.</summary>
    public static string PurposeName(int purpose) =>
        SharingReflection.Descriptor.EnumTypes.Single(e => e.Name == "Purpose").FindValueByNumber(purpose)?.Name ?? "PURPOSE_UNSPECIFIED";

    /// <summary>The packed form of a filter list (see <see cref="CaseMapping.Pack"/>).</summary>
    public static string Pack<T>(IEnumerable<T> values) where T : struct, System.Enum =>
        CaseMapping.Pack(values.Select(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
