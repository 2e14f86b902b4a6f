extern alias server;

using Google.Protobuf;
using server::SharingPlatform.Server.Cases;

namespace SharingPlatform.Benchmarks.Large;

/// <summary>What a change or record must look like to the grantee.</summary>
internal enum Seen
{
    /// <summary>One of its own records, whole.</summary>
    Own,

    /// <summary>One of its own records, retracted: a tombstone.</summary>
    OwnTombstone,

    /// <summary>Shared without linkage: no narrative, a subject token only this grantee sees.</summary>
    Scoped,

    /// <summary>Shared with linkage: no narrative, the consortium's subject token.</summary>
    Linked,
}

/// <summary>
/// The answers the measured calls must give for a <see cref="DataShape"/>, derived from the generator and the way
/// the shape was built (which records are in which share), not from the server's policy code. The count cells use
/// <see cref="CaseFacts"/> only to read a record's month and regions as the server stores them.
/// </summary>
internal sealed class Expectations(DataShape shape)
{
    public string GrantorSlug => shape.Tenants[DataShape.Grantor].Slug;

    public string FixedGrantorSlug => shape.Tenants[DataShape.FixedGrantor].Slug;

    public string GranteeSlug => shape.Tenants[DataShape.Grantee].Slug;

    public int ShareCount => shape.ShareCount;

    /// <summary>The name prefixes of the grantors whose agreements with the grantee ended (revoked, expired) before the run.</summary>
    public string[] EndedGrantorPrefixes { get; } = [.. shape.Agreements
        .Where(a => a.GranteeIndex == DataShape.Grantee && a.End != AgreementEnd.Live)
        .Select(a => $"tenants/{shape.Tenants[a.GrantorIndex].Slug}/cases/")];

    /// <summary>The name of record <paramref name="index"/> of the 10% share.</summary>
    public string Shared(int index) => shape.Name(DataShape.Grantor, index);

    public static string OriginalToken(int tenant, int index) => DataShape.SubjectToken(tenant, index);

    /// <summary>Every change the grantee's first pull must bring, by name, with the original subject token.</summary>
    public Dictionary<string, (Seen Seen, string Token)> FirstPull()
    {
        var expected = new Dictionary<string, (Seen, string)>(StringComparer.Ordinal);
        for (var i = 0; i < shape.Tenants[DataShape.Grantee].Records; i++)
        {
            var seen = DataShape.LaterChange(DataShape.Grantee, i) == Later.Retracted ? Seen.OwnTombstone : Seen.Own;
            expected.Add(shape.Name(DataShape.Grantee, i), (seen, OriginalToken(DataShape.Grantee, i)));
        }

        for (var i = 0; i < shape.ShareCount; i++)
        {
            expected.Add(shape.Name(DataShape.Grantor, i), (Seen.Scoped, OriginalToken(DataShape.Grantor, i)));
        }

        for (var i = 0; i < DataShape.FixedShare; i++)
        {
            expected.Add(shape.Name(DataShape.FixedGrantor, i), (Seen.Linked, OriginalToken(DataShape.FixedGrantor, i)));
        }

        return expected;
    }

    /// <summary>CountCases cells of the 10% share (<paramref name="fixedShare"/> false; months) or of the fixed share
    /// (true; years, as its agreement shows years only), by month and by region, with the total.</summary>
    public (SortedDictionary<string, long> Months, SortedDictionary<string, long> Regions, long Total) Counts(bool fixedShare)
    {
        var (tenant, count, yearsOnly) = fixedShare ? (DataShape.FixedGrantor, DataShape.FixedShare, true) : (DataShape.Grantor, shape.ShareCount, false);
        var months = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var regions = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var facts = new CaseEntity { CaseId = "" };
            CaseFacts.Apply(facts, shape.Record(tenant, i));
            var month = CaseFacts.MonthKey(yearsOnly ? facts.Month / 100 * 100 : facts.Month, yearsOnly);
            months[month] = months.GetValueOrDefault(month) + 1;
            foreach (var region in facts.Regions.Select(r => r.Region).DefaultIfEmpty("unknown"))
            {
                regions[region] = regions.GetValueOrDefault(region) + 1;
            }
        }

        return (months, regions, count);
    }

    /// <summary>Record <paramref name="n"/> of those the grantor pushes during the run, in wire form: inside the
    /// share (it is shaped like share record <c>n % ShareCount</c>), under a name the data set does not use.</summary>
    public byte[] Pushed(int n)
    {
        var record = shape.Record(DataShape.Grantor, n % shape.ShareCount);
        record.Name = PushedName(n);
        record.SubjectToken = OriginalToken(DataShape.Grantor, 8_000_000 + n);
        return record.ToByteArray();
    }

    public string PushedName(int n) => shape.Name(DataShape.Grantor, 9_000_000 + n);
}
