using Google.Protobuf.WellKnownTypes;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>Agreements for tests: by default every shareable field, every record up to restricted, for a year.</summary>
public static class Agreements
{
    public static readonly string[] AllFields =
    [
        "subject_token", "related_subjects", "sex", "birth_year", "minor", "origin_region", "events", "status",
        "source", "narrative", "classification", "consent_scope", "tags", "create_time",
    ];

    public static SharingAgreement To(TestClient grantee, params string[] fields) => new()
    {
        Grantee = "tenants/" + grantee.TenantSlug,
        Purpose = Purpose.Documentation,
        Fields = new FieldMask { Paths = { fields.Length == 0 ? AllFields : fields } },
        ValidUntil = Timestamp.FromDateTime(DateTime.UtcNow.AddYears(1)),
    };

    public static CreateAgreementRequest Create(TestClient grantorAdmin, SharingAgreement agreement) =>
        new() { Parent = grantorAdmin.Parent, Agreement = agreement };
}
