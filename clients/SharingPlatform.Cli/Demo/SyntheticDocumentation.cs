using System.Globalization;

namespace SharingPlatform.Cli.Demo;

/// <summary>One invented case: its CSV rows (one per event), and what the summary counts.</summary>
internal sealed record DemoCase(IReadOnlyList<string[]> Rows, bool Minor, bool Repatriated);

/// <summary>
/// Invented documentation in the CSV shape <c>sharectl cases push</c> reads: arrests in Liaoning, Jilin and Yunnan,
/// detention, the mass repatriations through Dandong and Tumen (October 2023, April 2024), minors, families split
/// between Seoul and the North. Every name is made up from common surnames and given-name syllables; the same seed
/// gives the same file. Narratives hold no phone numbers, e-mail addresses, long digit runs or birth dates.
/// </summary>
internal sealed class SyntheticDocumentation(int seed, bool romanized)
{
    public static readonly string[] Header =
    [
        "case_id", "family_name", "given_name", "birth_date", "sex", "home_county", "status", "classification", "consent_scope",
        "origin_region", "event_type", "event_date", "event_country", "event_region", "event_locality", "event_facility",
        "event_authority", "narrative", "tags", "source_type", "reliability", "credibility",
    ];

    private static readonly (string Hangul, string Roman)[] Surnames =
    [
        ("김", "Kim"), ("리", "Ri"), ("박", "Pak"), ("최", "Choi"), ("정", "Jeong"), ("강", "Kang"), ("조", "Cho"), ("윤", "Yun"),
        ("장", "Jang"), ("림", "Rim"), ("한", "Han"), ("오", "O"), ("송", "Song"), ("류", "Ryu"), ("홍", "Hong"), ("문", "Mun"),
    ];

    private static readonly (string Hangul, string Roman)[] Syllables =
    [
        ("미", "mi"), ("라", "ra"), ("영", "yeong"), ("희", "hui"), ("철", "cheol"), ("수", "su"), ("은", "eun"), ("정", "jeong"),
        ("성", "seong"), ("옥", "ok"), ("순", "sun"), ("혁", "hyeok"), ("명", "myeong"), ("향", "hyang"), ("금", "geum"), ("남", "nam"),
    ];

    // Origin province (ISO 3166-2:KP), its English name and counties; the border provinces are listed more than once.
    private static readonly (string Code, string Name, (string Hangul, string Roman)[] Counties)[] Origins =
    [
        ("KP-09", "North Hamgyong", [("무산", "Musan"), ("회령", "Hoeryong")]), ("KP-09", "North Hamgyong", [("온성", "Onsong"), ("청진", "Chongjin")]),
        ("KP-10", "Ryanggang", [("혜산", "Hyesan"), ("삼지연", "Samjiyon")]), ("KP-10", "Ryanggang", [("혜산", "Hyesan"), ("보천", "Pochon")]),
        ("KP-03", "North Pyongan", [("신의주", "Sinuiju"), ("삭주", "Sakju")]), ("KP-04", "Chagang", [("만포", "Manpo"), ("자성", "Jasong")]),
        ("KP-08", "South Hamgyong", [("함흥", "Hamhung"), ("단천", "Tanchon")]), ("KP-02", "South Pyongan", [("평성", "Pyongsong"), ("개천", "Kaechon")]),
        ("KP-01", "Pyongyang", [("사동", "Sadong")]), ("KP-05", "South Hwanghae", [("해주", "Haeju")]),
        ("KP-06", "North Hwanghae", [("사리원", "Sariwon")]), ("KP-07", "Kangwon", [("원산", "Wonsan")]),
        ("KP-13", "Rason", [("선봉", "Sonbong")]),
    ];

    private static readonly (string Region, string Locality, string Facility)[] ArrestPlaces =
    [
        ("CN-LN", "Shenyang", "Shenyang detention centre"), ("CN-LN", "Dandong", "Dandong border defence detention centre"),
        ("CN-JL", "Tumen", "Tumen border defence detention centre"), ("CN-JL", "Hunchun", "Hunchun detention centre"),
        ("CN-JL", "Yanji", "Yanji detention centre"), ("CN-JL", "Changchun", "Changchun detention centre"),
        ("CN-YN", "Kunming", "Kunming detention centre"),
    ];

    private static readonly (string Region, string Locality, string Facility)[] Prisons =
    [
        ("KP-02", "Kaechon", "Kaechon kyo-hwa-so"), ("KP-09", "Hoeryong", "Jongo-ri kyo-hwa-so"),
        ("KP-09", "Onsong", "Onsong county security bureau holding centre"), ("KP-03", "Sinuiju", "Sinuiju provincial holding centre"),
    ];

    private static readonly string[] Relatives = ["Mother", "Father", "Sister", "Brother", "Daughter", "Son", "Husband", "Aunt", "Cousin"];
    private static readonly string[] Informants = ["a broker", "a missionary", "a former cellmate", "a church contact", "a field worker"];
    private static readonly string[] Circumstances = ["at a rented flat", "at a bus checkpoint", "at a railway station", "in a raid on a safe house", "on a farm near the border"];
    private static readonly string[] Companions = ["an aunt", "an older sister", "a cousin", "a neighbour", "the mother"];
    private static readonly string[] Counts = ["two", "three", "four", "five", "six", "seven"];
    private static readonly string[] Classifications = ["public", "restricted", "confidential", "strictly_confidential"];
    private static readonly string[] ConsentScopes = ["none", "partners", "intergovernmental", "public_advocacy"];
    private static readonly string[] Reliabilities = ["A", "B", "C", "D", "E", "F"];
    private static readonly string[] EasternCrossings = ["Tumen", "Helong", "Hunchun"];
    private static readonly string[] SourceTypes = ["family", "witness", "broker", "missionary", "field_worker", "media", "official"];

    private readonly Random random = new(seed);

    /// <summary>Cases demo-00001 onwards; the same seed and count give the same cases.</summary>
    public IEnumerable<DemoCase> Cases(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            // "sample-", not "demo-": the server's --demo seed already holds demo-00000 and up in each demo tenant.
            yield return Case(string.Create(CultureInfo.InvariantCulture, $"sample-{i:D5}"));
        }
    }

    private DemoCase Case(string id)
    {
        var origin = Pick(Origins);
        var county = Pick(origin.Counties);
        var place = Pick(ArrestPlaces);
        var crossing = origin.Code switch
        {
            "KP-03" or "KP-04" or "KP-01" or "KP-02" or "KP-05" or "KP-06" => ("CN-LN", "Dandong"),
            "KP-10" => ("CN-JL", "Changbai"),
            _ => ("CN-JL", Pick(EasternCrossings)),
        };
        var events = new List<string[]>();
        var story = new List<string>();
        void Add(string type, DateOnly date, string country, string region, string locality, string facility = "", string authority = "") =>
            events.Add([type, Date(date), country, region, locality, facility, authority]);

        // About three cases in eight went back in a mass repatriation; the rest are held, released, lost, safe or hiding.
        var kind = random.Next(24) switch
        {
            < 9 => "mass", < 14 => "detained", 14 => "released", 15 => "disappeared", 16 => "unknown", < 21 => "safe", < 23 => "in_transit", _ => "at_risk",
        };
        var arrest = Day(new DateOnly(2019, 1, 1), new DateOnly(2025, 6, 30));
        var tags = new List<string> { "demo" };
        var status = kind;
        switch (kind)
        {
            case "mass":
                var october = random.Next(4) < 3;
                var wave = october ? new DateOnly(2023, 10, 9) : new DateOnly(2024, 4, 26);
                arrest = Day(wave.AddYears(-3), wave.AddDays(-60));
                var through = random.Next(2) == 0 ? ("CN-LN", "Dandong") : ("CN-JL", "Tumen");
                Arrest();
                Add("repatriated", wave, "CN", through.Item1, through.Item2, "", "Border defence");
                tags.Add(october ? "mass_repatriation_2023_10" : "mass_repatriation_2024_04");
                story.Add($"Reported among those sent back through {through.Item2} in {(october ? "October 2023" : "April 2024")}.");
                var after = random.Next(12);
                var prison = Pick(Prisons);
                if (after < 5)
                {
                    Add("imprisoned", wave.AddMonths(random.Next(1, 8)), "KP", prison.Region, prison.Locality, prison.Facility, "Ministry of State Security");
                    story.Add($"Later reported held at {prison.Facility}.");
                }
                else if (after == 5)
                {
                    Add("died_in_custody", wave.AddMonths(random.Next(2, 14)), "KP", prison.Region, prison.Locality, prison.Facility);
                }

                status = after < 5 ? "imprisoned" : after == 5 ? "deceased" : after < 8 ? "disappeared" : "repatriated";
                break;
            case "detained" or "released" or "disappeared" or "unknown":
                Arrest();
                if (kind == "detained" && random.Next(3) == 0)
                {
                    var to = Pick(ArrestPlaces);
                    Add("transferred", arrest.AddDays(random.Next(20, 200)), "CN", to.Region, to.Locality, to.Facility, "Public Security Bureau");
                }
                else if (kind is "released" or "disappeared")
                {
                    Add(kind, arrest.AddDays(random.Next(20, 300)), "CN", place.Region, place.Locality);
                }

                break;
            case "safe":
                Add("crossed_border", arrest.AddYears(-random.Next(0, 6)), "CN", crossing.Item1, crossing.Item2);
                Add("reached_third_country", arrest.AddMonths(random.Next(1, 4)), "TH", "TH-57", "Chiang Rai");
                Add("resettled", arrest.AddMonths(random.Next(5, 12)), "KR", "KR-11", "Seoul", "", "Ministry of Unification");
                story.Add("Travelled through Laos to Thailand and was resettled in Seoul.");
                break;
            default:
                Add("crossed_border", arrest.AddYears(-random.Next(0, 4)), "CN", crossing.Item1, crossing.Item2);
                if (kind == "in_transit")
                {
                    Add("crossed_border", arrest, "LA", "", "");
                }

                story.Add(kind == "at_risk" ? "Hiding in China without papers; at risk of arrest." : "Reported travelling south towards Laos.");
                break;
        }

        var minor = random.Next(8) == 0;
        var age = minor ? random.Next(11, 18) : random.Next(18, 56);
        var birth = arrest.AddYears(-age).AddDays(-random.Next(365));
        var sex = random.Next(10) < 7 ? "F" : "M";
        var relative = Pick(Relatives);
        var stayed = Pick(Relatives.Where(r => r != relative).ToArray());
        story.Insert(0, random.Next(10) < 7
            ? $"{relative} in Seoul informed by {Pick(Informants)}; {stayed.ToLowerInvariant()} remains in {origin.Name}."
            : $"No relatives outside the North are known; {stayed.ToLowerInvariant()} remains in {origin.Name}.");
        if (minor)
        {
            tags.Add("minor");
            story.Add($"A minor at the time, travelling with {Pick(Companions)}.");
        }

        if (!story[0].StartsWith("No ", StringComparison.Ordinal))
        {
            tags.Add("family_split");
        }

        story.Add("Invented for demonstration only.");
        var surname = Pick(Surnames);
        var first = random.Next(Syllables.Length);
        var (given, next) = (Syllables[first], Syllables[(first + random.Next(1, Syllables.Length)) % Syllables.Length]);
        // The home county is spelled one way in both modes: the pseudonymizer folds names across scripts, not
        // counties, and partners must agree on one spelling for tokens to link.
        string[] person =
        [
            id, romanized ? surname.Roman : surname.Hangul,
            romanized ? $"{char.ToUpperInvariant(given.Roman[0])}{given.Roman[1..]}-{next.Roman}" : given.Hangul + next.Hangul,
            birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), sex, county.Roman, status,
            Pick(Classifications), Pick(ConsentScopes), origin.Code,
        ];
        string[] source = [string.Join(' ', story), string.Join(';', tags), Pick(SourceTypes), Pick(Reliabilities), random.Next(1, 7).ToString(CultureInfo.InvariantCulture)];
        var rows = events.Select(e => (string[])[.. person, .. e, .. source]).ToList();
        return new DemoCase(rows, minor, events.Exists(e => e[0] == "repatriated"));

        void Arrest()
        {
            if (random.Next(10) < 8)
            {
                Add("crossed_border", arrest.AddYears(-random.Next(0, 6)).AddDays(-random.Next(1, 200)), "CN", crossing.Item1, crossing.Item2);
            }

            Add("arrested", arrest, "CN", place.Region, place.Locality, "", place.Locality + " Public Security Bureau");
            Add("detained", arrest.AddDays(random.Next(0, 3)), "CN", place.Region, place.Locality, place.Facility, "Public Security Bureau");
            var others = random.Next(Counts.Length + 2);
            story.Add($"Arrested in {place.Locality} {Pick(Circumstances)}{(others < Counts.Length ? $" with {Counts[others]} others" : ", alone")}.");
        }
    }

    private T Pick<T>(T[] items) => items[random.Next(items.Length)];

    private DateOnly Day(DateOnly from, DateOnly to) => from.AddDays(random.Next(to.DayNumber - from.DayNumber + 1));

    // Documentation is rarely exact: about half the dates are to the month, some to the year only.
    private string Date(DateOnly date) => date.ToString(random.Next(10) switch { < 3 => "yyyy-MM-dd", < 8 => "yyyy-MM", _ => "yyyy" }, CultureInfo.InvariantCulture);
}
