using System.Globalization;
using System.Text;
using SharingPlatform.Cli.Cases;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>A generated case file: its name's extension, its bytes, the identifiers it holds (names, birth dates,
/// counties: no record may carry them, unless the file also put them in another column), the free text it holds (no
/// error may repeat either), and every other cell.</summary>
public sealed record CaseFile(string Extension, byte[] Bytes, string[] Identifying, string[] FreeText, string[] Elsewhere);

/// <summary>
/// Case files as partners make them and as they go wrong: CSV and JSONL with every column, columns missing, unknown,
/// repeated or renamed, no header, cells quoted, unquoted or with stray quotes, commas and newlines, rows of the
/// wrong width, JSON of every kind (duplicate keys, escaped lone surrogates, numbers out of range, deep nesting),
/// other encodings, and bytes mutated afterwards.
/// </summary>
public static class CaseFiles
{
    private static readonly string[] Columns = [.. CaseFileReader.CaseColumns, .. CaseFileReader.EventColumns];

    private static readonly string[] NotObjects = ["[\"Kim Minsu\", \"1990-03-04\"]", "\"c1\"", "12", "null", "{", "{\"case_id\":", "}{", "{}"];

    private static readonly string[] Numbers = ["1e400", "-0", "12345678901234567890", "3.14", "-1"];

    private static readonly string[] NotNumbers = ["0x10", "NaN", "+1", "01", "1."];

    private static readonly string[] Literals = ["null", "true", "false"];

    /// <summary>Columns whose cells identify a person: the importer must turn them into a token and a birth year only.</summary>
    private static readonly Dictionary<string, string[]> IdentifyingCells = new(StringComparer.Ordinal)
    {
        ["family_name"] = ["Kim", "김", "PARK", "park", "Choe", "O'Brien", "Ri Sol-ju", "金"],
        ["given_name"] = ["Minsu", "민수", "Mi-ra", "mira", "Chol Su", "철수", "美羅"],
        ["birth_date"] = ["1990-03-04", "1994-12-31", "2001-02-29", "19900304", "04/03/1990", "1990-3-4"],
        ["home_county"] = ["Hoeryong", "회령", "Musan county", "onsong"],
    };

    /// <summary>Columns of free text, which may say anything about a person.</summary>
    private static readonly string[] FreeTextColumns = ["narrative", "event_locality", "event_facility", "event_authority"];

    private static readonly Dictionary<string, string[]> OtherCells = new(StringComparer.Ordinal)
    {
        ["case_id"] = ["c-0001", "c-0002", "c1", "C1", "-c", "", "c_1"],
        ["sex"] = ["F", "M", "f", "여", "", "x"],
        ["status"] = ["detained", "repatriated", "held", "", "DETAINED"],
        ["classification"] = ["restricted", "confidential", "secret", ""],
        ["consent_scope"] = ["partners", "none", "public_advocacy", "all"],
        ["origin_region"] = ["KP-09", "KP-9", ""],
        ["narrative"] = ["Arrested at a bus station with two others.", "Held at Tumen; her brother reported it.", ""],
        ["tags"] = ["wave-1;oct-2023", ";;", "Bad Tag"],
        ["source_type"] = ["family", "witness", "rumour", ""],
        ["reliability"] = ["b", "A", "z", ""],
        ["credibility"] = ["2", "7", "-1", "two", ""],
        ["event_type"] = ["arrested", "repatriated", "kidnapped", ""],
        ["event_date"] = ["2024-03", "2024", "2024-13-45", "2024--3", "99999999999", "-2024", ""],
        ["event_country"] = ["CN", "cn", ""],
        ["event_region"] = ["CN-LN", "CN-JL", "LN"],
        ["event_locality"] = ["Dandong", "Tumen", ""],
        ["event_facility"] = ["Tumen border detention centre", ""],
        ["event_authority"] = ["PRC Public Security Bureau", "MSS", ""],
    };

    /// <summary>How many lines an editor shows: CR, LF and CRLF each end one (so CsvHelper and StreamReader count).</summary>
    public static int Lines(byte[] bytes) =>
        1 + bytes.Select((b, i) => b == '\n' || (b == '\r' && (i + 1 == bytes.Length || bytes[i + 1] != '\n'))).Count(end => end);

    public static CaseFile Csv(Random random)
    {
        // One file in three is flawed in its form; the others hold odd values in good form, so that they reach the mapper.
        var flawed = random.Next(3) == 0;
        var cells = new Cells();
        var header = random.Next(4) == 0 ? [.. Columns.OrderBy(_ => random.Next())] : Columns.ToList();
        switch (flawed ? random.Next(5) : -1)
        {
            case 0:
                header.RemoveAt(random.Next(header.Count));
                break;
            case 1:
                header.Insert(random.Next(header.Count + 1), random.Next(2) == 0 ? "nickname" : FuzzValues.Text(random));
                break;
            case 2:
                header.Insert(random.Next(header.Count + 1), header[random.Next(header.Count)]);
                break;
            case 3 or 4:
                var at = random.Next(header.Count);
                header[at] = random.Next(2) == 0 ? header[at].ToUpperInvariant() : " " + header[at] + " ";
                break;
        }

        var lines = new List<List<string>>();
        var headerless = flawed && random.Next(6) == 0;
        if (!headerless)
        {
            lines.Add(header);
        }

        for (var rows = random.Next(0, 7); rows > 0; rows--)
        {
            var width = flawed && random.Next(6) == 0 ? header.Count + random.Next(-2, 3) : header.Count;
            lines.Add([.. Enumerable.Range(0, Math.Max(width, 0)).Select(i => cells.Draw(i < header.Count ? header[i].Trim() : "", random))]);
        }

        var newline = random.Next(3) == 0 ? "\r\n" : "\n";
        var text = string.Join(newline, lines.Select(line => string.Join(',', line.Select(c => Quoted(c, flawed, random))))) + (random.Next(2) == 0 ? newline : "");
        return cells.File(".csv", Encode(text, flawed, random));
    }

    public static CaseFile JsonLines(Random random)
    {
        var flawed = random.Next(3) == 0;
        var cells = new Cells();
        var lines = new List<string>();
        for (var count = random.Next(0, 7); count > 0; count--)
        {
            lines.Add((flawed ? random.Next(8) : -1) switch
            {
                0 => NotObjects[random.Next(NotObjects.Length)],
                1 => new string('[', 70) + new string(']', 70),
                _ => CaseObject(random, cells, flawed),
            });
        }

        cells.Identifying.AddRange(["Kim Minsu", "1990-03-04"]); // in one of the lines that are not objects
        var text = string.Join(random.Next(3) == 0 ? "\r\n" : "\n", lines) + (random.Next(2) == 0 ? "\n" : "");
        return cells.File(".jsonl", Encode(text, flawed, random));
    }

    private static string CaseObject(Random random, Cells cells, bool flawed)
    {
        var members = CaseFileReader.CaseColumns.Where(_ => random.Next(5) > 0)
            .Select(c => Member(c, Json(c, random, cells, flawed, nested: 0), flawed, random)).ToList();
        if (random.Next(3) > 0)
        {
            var events = Enumerable.Range(0, random.Next(0, 3)).Select(_ => "{" + string.Join(',', CaseFileReader.EventColumns.Where(_ => random.Next(3) > 0)
                .Select(c => Member(c["event_".Length..], Json(c, random, cells, flawed, nested: 0), flawed, random))) + "}");
            members.Add(Member("events", flawed && random.Next(6) == 0 ? "\"arrested\"" : "[" + string.Join(',', events) + "]", flawed, random));
        }

        switch (flawed ? random.Next(3) : -1)
        {
            case 0 when members.Count > 0:
                members.Add(members[random.Next(members.Count)]);
                break;
            case 1:
                members.Add(Member(random.Next(2) == 0 ? "nickname" : FuzzValues.Text(random), Json("", random, cells, flawed, nested: 0), flawed, random));
                break;
        }

        return "{" + string.Join(random.Next(5) == 0 ? " , " : ",", members.OrderBy(_ => random.Next(3))) + "}";
    }

    private static string Member(string key, string value, bool flawed, Random random) => Escaped(key, flawed, random) + ":" + value;

    /// <summary>A JSON value for a column: a string mostly, else a number, a literal, an array or an object.</summary>
    private static string Json(string column, Random random, Cells cells, bool flawed, int nested) => random.Next(10) switch
    {
        0 => cells.Other(flawed && random.Next(3) == 0 ? NotNumbers[random.Next(NotNumbers.Length)] : Numbers[random.Next(Numbers.Length)]),
        1 => cells.Other(Literals[random.Next(Literals.Length)]),
        2 when nested < 3 => "[" + string.Join(',', Enumerable.Range(0, random.Next(0, 3)).Select(_ => Json(column, random, cells, flawed, nested + 1))) + "]",
        3 when nested < 3 => "{" + Member("x", Json(column, random, cells, flawed, nested + 1), flawed, random) + "}",
        _ => Escaped(cells.Draw(column, random), flawed, random),
    };

    /// <summary>A JSON string, non-ASCII escaped now and then; in a flawed file, lone surrogates as escapes (which UTF-8
    /// cannot carry), else replaced as UTF-8 would.</summary>
    private static string Escaped(string text, bool flawed, Random random)
    {
        text = flawed ? text : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
        var json = new StringBuilder("\"");
        var escapeAll = random.Next(5) == 0;
        foreach (var c in text)
        {
            json.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when c < 0x20 || char.IsSurrogate(c) || (escapeAll && c > 0x7E) => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }

        return json.Append('"').ToString();
    }

    /// <summary>The cells drawn for one file, by what they are.</summary>
    private sealed class Cells
    {
        public List<string> Identifying { get; } = [];

        public List<string> FreeText { get; } = [];

        public List<string> Elsewhere { get; } = [];

        /// <summary>A cell for <paramref name="column"/>: one of its usual values (right or wrong), or any text.</summary>
        public string Draw(string column, Random random)
        {
            var any = random.Next(6) == 0 || !(IdentifyingCells.ContainsKey(column) || OtherCells.ContainsKey(column));
            var value = any ? FuzzValues.Text(random)
                : IdentifyingCells.TryGetValue(column, out var people) ? people[random.Next(people.Length)]
                : OtherCells[column][random.Next(OtherCells[column].Length)];
            if (IdentifyingCells.ContainsKey(column))
            {
                Identifying.Add(value);
            }
            else
            {
                Elsewhere.Add(value);
                if (any || FreeTextColumns.Contains(column))
                {
                    FreeText.Add(value);
                }
            }

            return value;
        }

        /// <summary>A value that is not drawn for a column (a JSON number or literal), which reads as text all the same.</summary>
        public string Other(string value)
        {
            Elsewhere.Add(value);
            return value;
        }

        public CaseFile File(string extension, byte[] bytes) => new(extension, bytes, [.. Identifying], [.. FreeText], [.. Elsewhere]);
    }

    /// <summary>Quoted as CSV should be, or (now and then) written raw or with a stray quote.</summary>
    private static string Quoted(string cell, bool flawed, Random random) => (flawed ? random.Next(12) : -1) switch
    {
        0 => cell,
        1 => "\"" + cell,
        _ => cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 || random.Next(6) == 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell,
    };

    private static byte[] Encode(string text, bool flawed, Random random)
    {
        var bytes = (flawed ? random.Next(6) : 2 + (2 * random.Next(2))) switch
        {
            0 => Encoding.Unicode.GetBytes(text),
            1 => Encoding.Latin1.GetBytes(text),
            2 or 3 => [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)],
            _ => Encoding.UTF8.GetBytes(text),
        };
        return flawed && random.Next(4) == 0 ? FuzzValues.Mutate(bytes, random) : bytes;
    }
}
