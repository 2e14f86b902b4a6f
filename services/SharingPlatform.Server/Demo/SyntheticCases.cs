extern alias sdk;

using System.Security.Cryptography;
using System.Text;
using SharingPlatform.V1;
using LinkageKey = sdk::SharingPlatform.Client.Pseudonymization.LinkageKey;
using PersonIdentifiers = sdk::SharingPlatform.Client.Pseudonymization.PersonIdentifiers;
using SubjectPseudonymizer = sdk::SharingPlatform.Client.Pseudonymization.SubjectPseudonymizer;

namespace SharingPlatform.Server.Demo;

/// <summary>
/// Invented case records shaped like real documentation, pseudonymized by the SDK exactly as a partner would: arrests in Liaoning, Jilin and Yunnan, detention,
/// mass repatriations through Dandong and Tumen (October 2023, April 2024), minors, families split across
/// the border. No real person is described; subjects are numbered, not named.
/// </summary>
public static class SyntheticCases
{
    /// <summary>A clearly named demo fixture, never a partner's key: it only makes demo subjects link between demo tenants.</summary>
    public static readonly byte[] DemoLinkageKey = SHA256.HashData(Encoding.UTF8.GetBytes("sharingplatform-demo-linkage-key-not-secret"));

    // Invented people: common surnames and given-name syllables, each written in Hangul and in romanization.
    private static readonly (string Hangul, string Roman)[] Surnames =
        [("김", "Kim"), ("이", "Lee"), ("리", "Ri"), ("박", "Pak"), ("최", "Choi"), ("정", "Jeong"), ("강", "Kang"), ("조", "Cho"), ("윤", "Yun"), ("한", "Han")];

    private static readonly (string Hangul, string Roman)[] Syllables =
        [("미", "mi"), ("라", "ra"), ("영", "yeong"), ("희", "hui"), ("철", "cheol"), ("수", "su"), ("은", "eun"), ("정", "jeong"), ("성", "seong"), ("옥", "ok"), ("순", "sun"), ("혁", "hyeok")];

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

    /// <summary>Invented identifiers of demo person <paramref name="person"/>, in Hangul or romanized: the same person either way.</summary>
    public static PersonIdentifiers Person(int person, bool romanized)
    {
        var random = new Random(person);
        var surname = Surnames[random.Next(Surnames.Length)];
        var first = Syllables[random.Next(Syllables.Length)];
        var second = Syllables[random.Next(Syllables.Length)];
        var birth = new DateOnly(random.Next(1965, 2012), random.Next(1, 13), random.Next(1, 29));
        var sex = random.Next(10) < 7 ? "F" : "M";
        return romanized
            ? new PersonIdentifiers(surname.Roman, $"{Capitalized(first.Roman)}-{second.Roman}", birth, sex)
            : new PersonIdentifiers(surname.Hangul, first.Hangul + second.Hangul, birth, sex);
    }

    private static string Capitalized(string syllable) => char.ToUpperInvariant(syllable[0]) + syllable[1..];

    /// <summary>Records for persons <paramref name="firstPerson"/> onwards; the same seed gives the same records.</summary>
    public static IEnumerable<CaseRecord> Generate(string tenantSlug, int firstPerson, int count, int seed, bool romanized)
    {
        var pseudonymizer = new SubjectPseudonymizer(LinkageKey.FromBytes(DemoLinkageKey));
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var person = firstPerson + i;
            var place = ArrestPlaces[random.Next(ArrestPlaces.Length)];
            var identifiers = Person(person, romanized);
            var massRepatriation = random.Next(3) switch { 0 => (2023, 10), 1 => (2024, 4), _ => (0, 0) };
            var arrestYear = massRepatriation.Item1 != 0 ? massRepatriation.Item1 - (random.Next(2) == 0 ? 1 : 0) : random.Next(2019, 2025);
            var arrestMonth = random.Next(1, 13);
            var record = new CaseRecord
            {
                Name = $"tenants/{tenantSlug}/cases/demo-{person:D5}",
                Sex = identifiers.Sex == "F" ? Sex.Female : Sex.Male,
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
            // Only the token and the birth year leave the pseudonymizer; the invented name and date stay here.
            record.SubjectToken = pseudonymizer.Token(identifiers);
            record.BirthYear = identifiers.BirthDate!.Value.Year;
            record.Minor = arrestYear - record.BirthYear < 18;
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
                record.RelatedSubjects.Add(new RelatedSubject { SubjectToken = pseudonymizer.Token(Person(100_000 + person, romanized)), Relation = Relation.Child });
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
