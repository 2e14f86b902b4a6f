extern alias server;

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using server::SharingPlatform.V1;

namespace SharingPlatform.Benchmarks.Large;

/// <summary>
/// The large data set, scaled by its record count: 50 tenants (the three demo tenants, whose clients the benchmark
/// authenticates as, and 47 more), 500 agreements between them, and every record, generated from its tenant and
/// index alone so that the loader and the checks derive the same records without keeping them.
/// <para>
/// The measured grantee is <c>rescue-demo</c>. It holds 1% of the records itself and receives: a share of 10% of all
/// records from <c>nkdb-demo</c> (a status and classification filter over a fifth of the records), a share of a
/// fixed 1,000 records from <c>bench-03</c> (a region filter, years only, the same at every scale), counts only from
/// <c>un-demo</c>, and one revoked and one expired agreement. The other 495 agreements connect the other tenants with
/// random filters: a tenth aggregate-only, some revoked or expired.
/// </para>
/// </summary>
internal sealed class DataShape
{
    public const int TenantCount = 50;
    public const int AgreementCount = 500;
    public const int FixedShare = 1000;
    public const int Grantor = 0;
    public const int Grantee = 1;
    public const int FixedGrantor = 3;

    /// <summary>Fields of the two measured shares: no narrative, no tags; status and events, so the grantee may filter and count.</summary>
    public const string ShareFields = "subject_token sex birth_year minor origin_region status events source create_time";

    private static readonly (string Slug, TenantKind Kind)[] DemoTenants =
        [("nkdb-demo", TenantKind.Documentation), ("rescue-demo", TenantKind.Rescue), ("un-demo", TenantKind.Intergovernmental)];

    private static readonly TenantKind[] Kinds = [TenantKind.Documentation, TenantKind.Rescue, TenantKind.Advocacy, TenantKind.Intergovernmental];

    private static readonly string[] Regions = ["CN-LN", "CN-JL", "CN-YN"];

    private static readonly string[] Localities = ["Shenyang", "Dandong", "Tumen", "Hunchun", "Yanji", "Kunming"];

    private static readonly string[] OriginRegions = ["KP-09", "KP-10", "KP-08", "KP-04", "KP-03", "KP-01"];

    // Plain words without digits, so that the ingest guard never trips on a narrative.
    private static readonly string[] Words =
    [
        "arrested", "near", "the", "river", "crossing", "detained", "at", "border", "post", "witness", "reports",
        "family", "informed", "later", "transferred", "to", "detention", "centre", "with", "others", "night",
        "police", "searched", "house", "broker", "contact", "lost", "after", "interrogation", "held", "several",
        "weeks", "before", "handed", "over", "source", "confirmed", "account", "by", "telephone", "relative",
    ];

    private static readonly string[] ShareableFields =
        ["subject_token", "related_subjects", "sex", "birth_year", "minor", "origin_region", "events", "status", "source", "narrative", "classification", "consent_scope", "tags", "create_time"];

    private readonly int[] _firstRecord;

    public DataShape(int records)
    {
        Records = records;
        ShareCount = records / 10;
        var counts = new int[TenantCount];
        counts[Grantor] = records / 5;
        counts[Grantee] = records / 100;
        counts[2] = records / 100;
        counts[FixedGrantor] = 2 * FixedShare;
        var rest = records - counts.Sum();
        var others = Enumerable.Range(4, TenantCount - 4).ToList();
        var weights = others.Sum(t => 1 + (t % 7));
        foreach (var t in others)
        {
            counts[t] = (int)((long)rest * (1 + (t % 7)) / weights);
        }

        counts[^1] += records - counts.Sum();
        Tenants = [.. Enumerable.Range(0, TenantCount).Select(t => t < DemoTenants.Length
            ? new TenantSpec(t, DemoTenants[t].Slug, DemoTenants[t].Kind, counts[t], Demo: true)
            : new TenantSpec(t, $"bench-{t:D2}", Kinds[t % Kinds.Length], counts[t], Demo: false))];
        _firstRecord = new int[TenantCount + 1];
        for (var t = 0; t < TenantCount; t++)
        {
            _firstRecord[t + 1] = _firstRecord[t] + counts[t];
        }

        Agreements = MakeAgreements();
    }

    public int Records { get; }

    /// <summary>Records of <c>nkdb-demo</c> shared with <c>rescue-demo</c>: its first <see cref="ShareCount"/>.</summary>
    public int ShareCount { get; }

    public IReadOnlyList<TenantSpec> Tenants { get; }

    public IReadOnlyList<AgreementSpec> Agreements { get; }

    /// <summary>The (tenant, index) of global record number <paramref name="global"/> (tenants in order).</summary>
    public (int Tenant, int Index) Locate(int global)
    {
        var t = Array.BinarySearch(_firstRecord, global);
        t = t >= 0 ? t : ~t - 1;
        while (_firstRecord[t + 1] == global)
        {
            t++; // skip empty tenants
        }

        return (t, global - _firstRecord[t]);
    }

    public static string CaseId(int index) => $"c{index:D7}";

    public string Name(int tenant, int index) => $"tenants/{Tenants[tenant].Slug}/cases/{CaseId(index)}";

    /// <summary>Whether record (<paramref name="tenant"/>, <paramref name="index"/>) is changed once after creation (2%)
    /// or retracted (1%); never one of the measured shares' grantors, whose expected answers stay simple.</summary>
    public static Later LaterChange(int tenant, int index)
    {
        if (tenant is Grantor or FixedGrantor)
        {
            return Later.None;
        }

        var roll = (int)(Mix.Hash(tenant, index, 7) % 100);
        return roll < 2 ? Later.Updated : roll < 3 ? Later.Retracted : Later.None;
    }

    /// <summary>Whether the record is in <c>nkdb-demo</c>'s share (<paramref name="tenant"/> 0) or <c>bench-03</c>'s (3).</summary>
    public bool InShare(int tenant, int index) =>
        (tenant == Grantor && index < ShareCount) || (tenant == FixedGrantor && index < FixedShare);

    /// <summary>The record as its owner pushed it; <paramref name="version"/> 1 is the update of a changed record.</summary>
    public CaseRecord Record(int tenant, int index, int version = 0)
    {
        var random = new Mix(Mix.Hash(tenant, index, 1));
        var record = new CaseRecord
        {
            Name = Name(tenant, index),
            SubjectToken = SubjectToken(tenant, index),
            Sex = random.Next(10) < 7 ? Sex.Female : Sex.Male,
            BirthYear = 1965 + random.Next(45),
            OriginRegion = OriginRegions[random.Next(OriginRegions.Length)],
            Status = (CaseStatus)(1 + random.Next(10)),
            Classification = (Classification)(1 + random.Next(4)),
            ConsentScope = (ConsentScope)(1 + random.Next(4)),
            Source = new Source
            {
                Type = (SourceType)(1 + random.Next(7)),
                Reliability = (Reliability)(1 + random.Next(6)),
                Credibility = 1 + random.Next(6),
                Corroborations = random.Next(4),
            },
            Narrative = Narrative(random.Next(1 << 30)),
        };
        record.Tags.Add(random.Next(2) == 0 ? "field-report" : "family-report");
        var region = Regions[random.Next(Regions.Length)];
        if (tenant == Grantor)
        {
            if (index < ShareCount)
            {
                // Matches the share: detained, repatriated or imprisoned; public or restricted; consent covers a rescue network.
                record.Status = (CaseStatus)(2 + random.Next(3));
                record.Classification = (Classification)(1 + random.Next(2));
                record.ConsentScope = (ConsentScope)(2 + random.Next(3));
            }
            else
            {
                // Misses it on one ground: status, classification or consent.
                switch (random.Next(3))
                {
                    case 0: record.Status = new[] { CaseStatus.AtRisk, CaseStatus.Released, CaseStatus.InTransit, CaseStatus.Safe, CaseStatus.Unknown }[random.Next(5)]; break;
                    case 1: record.Classification = (Classification)(3 + random.Next(2)); break;
                    default: record.ConsentScope = ConsentScope.None; break;
                }
            }
        }
        else if (tenant == FixedGrantor)
        {
            record.Classification = (Classification)(1 + random.Next(2));
            record.ConsentScope = (ConsentScope)(2 + random.Next(3));
            region = index < FixedShare ? "CN-JL" : random.Next(2) == 0 ? "CN-LN" : "CN-YN";
        }

        var year = 2019 + random.Next(7);
        var month = 1 + random.Next(12);
        var locality = Localities[random.Next(Localities.Length)];
        record.Minor = year - record.BirthYear < 18;
        record.Events.Add(Event(EventType.Arrested, year, month, region, locality, ""));
        record.Events.Add(Event(EventType.Detained, year, month, region, locality, $"{locality} detention centre"));
        if (random.Next(3) == 0)
        {
            var (repatriationYear, repatriationMonth) = random.Next(2) == 0 ? (2023, 10) : (2024, 4);
            var crossing = tenant == FixedGrantor && index >= FixedShare ? "CN-LN" : random.Next(2) == 0 ? "CN-LN" : "CN-JL";
            record.Events.Add(Event(EventType.Repatriated, Math.Max(year, repatriationYear), repatriationMonth, crossing, crossing == "CN-LN" ? "Dandong" : "Tumen", ""));
        }

        if (random.Next(4) == 0)
        {
            record.RelatedSubjects.Add(new RelatedSubject { SubjectToken = SubjectToken(tenant, index + 50_000_000), Relation = Relation.Child });
        }

        if (version == 1)
        {
            record.Status = (CaseStatus)(((int)record.Status % 10) + 1);
        }

        return record;
    }

    /// <summary>A fixed pseudonym per record (as a partner's SDK would compute one), valid base64url of 32 bytes.</summary>
    public static string SubjectToken(int tenant, int index)
    {
        Span<byte> seed = stackalloc byte[8];
        BitConverter.TryWriteBytes(seed, ((long)tenant << 32) | (uint)index);
        return Base64Url.EncodeToString(SHA256.HashData(seed));
    }

    private static CaseEvent Event(EventType type, int year, int month, string region, string locality, string facility) => new()
    {
        Type = type,
        Date = new PartialDate { Year = year, Month = month, Day = 1 + (month * 7 % 28) },
        Location = new Location { Country = "CN", Region = region, Locality = locality, Facility = facility },
    };

    private static string Narrative(int seed)
    {
        // About 800 characters, different per record (a repeated text would compress and cache unrealistically well).
        var text = new StringBuilder(820);
        var word = seed;
        while (text.Length < 800)
        {
            text.Append(Words[word % Words.Length]).Append(' ');
            word = ((word * 31) + 7) & int.MaxValue;
        }

        return text.ToString(0, 800).TrimEnd();
    }

    private static List<AgreementSpec> MakeAgreements()
    {
        var full = new AgreementSpec(Grantor, Grantee, Purpose.RescueCoordination, ShareFields, Classification.Restricted,
            EventTypes: [], Statuses: [CaseStatus.Detained, CaseStatus.Repatriated, CaseStatus.Imprisoned], Regions: [],
            DatePrecision.Month, Linkage: false, AggregateOnly: false, AgreementEnd.Live);
        var list = new List<AgreementSpec>
        {
            full,
            full with { GrantorIndex = FixedGrantor, Statuses = [], Regions = ["CN-JL"], DatePrecision = DatePrecision.Year, Linkage = true, Purpose = Purpose.Documentation },
            full with { GrantorIndex = 2, Statuses = [], AggregateOnly = true, Purpose = Purpose.AdvocacyStatistics },
            full with { GrantorIndex = 4, Statuses = [], End = AgreementEnd.Revoked },
            full with { GrantorIndex = 5, Statuses = [], End = AgreementEnd.Expired },
        };
        var random = new Mix(42);
        while (list.Count < AgreementCount)
        {
            var grantor = random.Next(TenantCount);
            var grantee = random.Next(TenantCount);
            if (grantee == grantor || grantee == Grantee)
            {
                continue;
            }

            var fields = ShareableFields.Where(_ => random.Next(2) == 0).ToList();
            fields.AddRange(random.Next(2) == 0 ? ["status", "events"] : []);
            fields = fields.Count == 0 ? ["status"] : [.. fields.Distinct(StringComparer.Ordinal)];
            var roll = random.Next(100);
            list.Add(new AgreementSpec(grantor, grantee, (Purpose)(1 + random.Next(4)), string.Join(' ', fields), (Classification)(1 + random.Next(3)),
                EventTypes: random.Next(10) < 3 ? [(EventType)(1 + random.Next(12)), (EventType)(1 + random.Next(12))] : [],
                Statuses: random.Next(2) == 0 ? [.. Enumerable.Range(0, 1 + random.Next(3)).Select(_ => (CaseStatus)(1 + random.Next(10)))] : [],
                Regions: random.Next(10) < 3 ? [Regions[random.Next(Regions.Length)]] : [],
                (DatePrecision)random.Next(4), Linkage: random.Next(3) == 0, AggregateOnly: roll < 10,
                roll is >= 10 and < 13 ? AgreementEnd.Revoked : roll is >= 13 and < 15 ? AgreementEnd.Expired : AgreementEnd.Live));
        }

        return list;
    }
}

internal sealed record TenantSpec(int Index, string Slug, TenantKind Kind, int Records, bool Demo);

internal sealed record AgreementSpec(
    int GrantorIndex, int GranteeIndex, Purpose Purpose, string Fields, Classification MaxClassification,
    EventType[] EventTypes, CaseStatus[] Statuses, string[] Regions, DatePrecision DatePrecision,
    bool Linkage, bool AggregateOnly, AgreementEnd End);

internal enum AgreementEnd
{
    Live,
    Revoked,
    Expired,
}

internal enum Later
{
    None,
    Updated,
    Retracted,
}

/// <summary>SplitMix64: a fast, seedable generator, so that every record is a pure function of its numbers.</summary>
internal struct Mix(ulong state)
{
    private ulong _state = state;

    public static ulong Hash(int a, int b, int c)
    {
        var mix = new Mix(((ulong)(uint)a << 40) ^ ((ulong)(uint)b << 8) ^ (uint)c);
        return mix.NextUlong();
    }

    public ulong NextUlong()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public int Next(int bound) => (int)(NextUlong() % (ulong)bound);
}
