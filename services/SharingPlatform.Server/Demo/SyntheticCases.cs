using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Demo;

/// <summary>
/// Invented case records shaped like real documentation: arrests in Liaoning, Jilin and Yunnan, detention,
/// mass repatriations through Dandong and Tumen (October 2023, April 2024), minors, families split across
/// the border. No real person is described; subjects are numbered, not named.
/// </summary>
public static class SyntheticCases
{
    /// <summary>A clearly named demo fixture, never a partner's key: it only makes demo subjects overlap between tenants.</summary>
    private static readonly byte[] DemoLinkageKey = Encoding.UTF8.GetBytes("sharingplatform-demo-linkage-key-not-secret");

    private static readonly (string Region, string Locality, string Facility)[] ArrestPlaces =
    [
        ("CN-LN", "Shenyang", "Shenyang detention centre"),
        ("CN-LN", "Dandong", "Dandong border defence detention centre"),
        ("CN-JL", "Tumen", "Tumen border defence detention centre"),
        ("CN-JL", "Hunchun", "Hunchun detention centre"),
        ("CN-JL", "Yanji", "Yanji detention centre"),
        ("CN-JL", "Changchun", "Changchun detention centre"),
        ("CN-YN", "Kunming", "Kunming detention centre"),
    ];

    private static readonly string[] OriginRegions = ["KP-09", "KP-10", "KP-08", "KP-04", "KP-03", "KP-01"];

    /// <summary>The subject token of demo person <paramref name="person"/>, as the SDK would derive it.</summary>
    public static string SubjectToken(int person) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(DemoLinkageKey, Encoding.UTF8.GetBytes("v1|demo-person-" + person.ToString(CultureInfo.InvariantCulture))));

    /// <summary>Records for persons <paramref name="firstPerson"/> onwards; the same seed gives the same records.</summary>
    public static IEnumerable<CaseRecord> Generate(string tenantSlug, int firstPerson, int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var person = firstPerson + i;
            var place = ArrestPlaces[random.Next(ArrestPlaces.Length)];
            var minor = random.Next(8) == 0;
            var birthYear = minor ? random.Next(2007, 2012) : random.Next(1965, 2004);
            var massRepatriation = random.Next(3) switch { 0 => (2023, 10), 1 => (2024, 4), _ => (0, 0) };
            var arrestYear = massRepatriation.Item1 != 0 ? massRepatriation.Item1 - (random.Next(2) == 0 ? 1 : 0) : random.Next(2019, 2025);
            var arrestMonth = random.Next(1, 13);
            var record = new CaseRecord
            {
                Name = $"tenants/{tenantSlug}/cases/demo-{person:D5}",
                SubjectToken = SubjectToken(person),
                Sex = random.Next(10) < 7 ? Sex.Female : Sex.Male,
                BirthYear = birthYear,
                Minor = minor,
                OriginRegion = OriginRegions[random.Next(OriginRegions.Length)],
                Classification = (Classification)random.Next(1, 5),
                ConsentScope = (ConsentScope)random.Next(1, 5),
                Source = new Source
                {
                    Type = (SourceType)random.Next(1, 8),
                    Reliability = (Reliability)random.Next(1, 7),
                    Credibility = random.Next(1, 7),
                    Corroborations = random.Next(0, 4),
                },
                Tags = { "demo" },
            };
            record.Events.Add(Event(EventType.CrossedBorder, arrestYear, 0, "CN", "", "", ""));
            record.Events.Add(Event(EventType.Arrested, arrestYear, arrestMonth, "CN", place.Region, place.Locality, "", "Public Security Bureau"));
            record.Events.Add(Event(EventType.Detained, arrestYear, arrestMonth, "CN", place.Region, place.Locality, place.Facility));
            if (massRepatriation.Item1 != 0)
            {
                var crossing = random.Next(2) == 0 ? ("CN-LN", "Dandong") : ("CN-JL", "Tumen");
                record.Events.Add(Event(EventType.Repatriated, massRepatriation.Item1, massRepatriation.Item2, "CN", crossing.Item1, crossing.Item2, "", "Border defence"));
                record.Status = random.Next(3) == 0 ? CaseStatus.Imprisoned : CaseStatus.Repatriated;
            }
            else
            {
                record.Status = (CaseStatus)new[] { 2, 5, 6, 7, 8, 10 }[random.Next(6)];
            }

            if (random.Next(4) == 0)
            {
                record.RelatedSubjects.Add(new RelatedSubject { SubjectToken = SubjectToken(100_000 + person), Relation = Relation.Child });
            }

            record.Narrative = $"Synthetic demo case. Arrested in {place.Locality} with {random.Next(1, 6)} others; "
                + "relatives in Seoul were told by a broker. Invented for demonstration only.";
            yield return record;
        }
    }

    private static CaseEvent Event(EventType type, int year, int month, string country, string region, string locality, string facility, string authority = "") => new()
    {
        Type = type,
        Date = new PartialDate { Year = year, Month = month },
        Location = new Location { Country = country, Region = region, Locality = locality, Facility = facility },
        Authority = authority,
    };
}
