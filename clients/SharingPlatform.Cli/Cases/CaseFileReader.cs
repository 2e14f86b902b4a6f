using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;

namespace SharingPlatform.Cli.Cases;

/// <summary>One input row (CSV) or object (JSONL), by field name, with the line it started on.</summary>
public sealed record InputRow(int Line, IReadOnlyDictionary<string, string> Fields, IReadOnlyList<IReadOnlyDictionary<string, string>> Events);

/// <summary>
/// Reads a case file that holds raw identifiers, strictly: UTF-8 only, lines of at most 1 MiB, files of at most
/// 200 MiB, exactly the known columns. Any problem stops the whole file before anything is sent.
/// </summary>
public static class CaseFileReader
{
    public const int MaxLineChars = 1024 * 1024;
    public const long MaxFileBytes = 200L * 1024 * 1024;

    public static readonly string[] CaseColumns =
    [
        "case_id", "family_name", "given_name", "birth_date", "sex", "home_county", "status", "classification", "consent_scope",
        "origin_region", "narrative", "tags", "source_type", "reliability", "credibility",
    ];

    public static readonly string[] EventColumns =
        ["event_type", "event_date", "event_country", "event_region", "event_locality", "event_facility", "event_authority"];

    private static readonly string[] Required = ["case_id", "family_name", "given_name", "status", "classification", "consent_scope"];

    // A field named twice is refused by the parser, as malformed JSON: taking one of the two would guess, and the
    // dictionaries below would throw an exception whose message repeats the name (a key can be a person's name).
    private static readonly JsonDocumentOptions JsonLine = new() { AllowDuplicateProperties = false };

    public static IReadOnlyList<InputRow> Read(string path)
    {
        var text = Decode(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => ReadCsv(text),
            ".jsonl" => ReadJsonLines(text),
            _ => throw new CliException(ExitCodes.BadInput, $"{path}: use a .csv or .jsonl file."),
        };
    }

    private static string Decode(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new CliException(ExitCodes.BadInput, $"{path}: no such file.");
        }

        if (info.Length > MaxFileBytes)
        {
            throw new CliException(ExitCodes.BadInput, $"{path}: larger than {MaxFileBytes / 1024 / 1024} MiB; split it.");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException e)
        {
            throw new CliException(ExitCodes.BadInput, $"{path}: not valid UTF-8 (at byte {e.Index}). Save the file as UTF-8.");
        }

        var line = 1;
        var length = 0;
        foreach (var c in text)
        {
            if (c == '\n')
            {
                (line, length) = (line + 1, 0);
            }
            else if (++length > MaxLineChars)
            {
                throw new CliException(ExitCodes.BadInput, $"{path}: line {line} is longer than 1 MiB; is this the right file?");
            }
        }

        return text.TrimStart('\uFEFF');
    }

    private static List<InputRow> ReadCsv(string text)
    {
        using var csv = new CsvReader(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture) { DetectColumnCountChanges = true });
        var rows = new List<InputRow>();
        // The line the record being read starts on: where a quote left open or a row of the wrong width is to be found
        // (the parser's own row is where it gave up, for an open quote the end of the file).
        var start = 1;
        try
        {
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header)
            {
                throw new CliException(ExitCodes.BadInput, "the file is empty; the first line must be the header.");
            }

            var columns = header.Select(h => h.Trim()).ToList();
            CheckColumns(columns);
            // Every column is known by now, so naming the repeated one repeats nothing of the file.
            if (columns.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw new CliException(ExitCodes.BadInput, $"wrong columns; {twice.Key} is given twice. Give each column once.");
            }

            for (start = csv.Parser.RawRow + 1; csv.Read(); start = csv.Parser.RawRow + 1)
            {
                var fields = header.ToDictionary(h => h.Trim(), h => csv.GetField(h)?.Trim() ?? "", StringComparer.Ordinal);
                rows.Add(new InputRow(FirstLine(csv.Parser), Pick(fields, CaseColumns), [Pick(fields, EventColumns)]));
            }
        }
        catch (CsvHelperException e)
        {
            // CsvHelper's own message quotes the raw record, which holds names: never show it.
            throw new CliException(ExitCodes.BadInput, $"line {start}: malformed CSV ({e.GetType().Name.Replace("Exception", "", StringComparison.Ordinal)}).");
        }

        return rows;
    }

    /// <summary>
    /// The line a record read whole starts on. The parser's row is the line it ends on; blank lines before it are not
    /// in its raw text, so counting back over the line breaks inside the record lands on its first line.
    /// </summary>
    private static int FirstLine(IParser parser)
    {
        var raw = parser.RawRecord.AsSpan().TrimEnd("\r\n");
        var breaks = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\n' || (raw[i] == '\r' && (i + 1 == raw.Length || raw[i + 1] != '\n')))
            {
                breaks++;
            }
        }

        return parser.RawRow - breaks;
    }

    private static List<InputRow> ReadJsonLines(string text)
    {
        var rows = new List<InputRow>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(lines[i], JsonLine);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || (root.TryGetProperty("events", out var eventsValue) && (eventsValue.ValueKind != JsonValueKind.Array || eventsValue.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Object))))
                {
                    throw new CliException(ExitCodes.BadInput, $"line {i + 1}: not a case object (events, if given, must be a list of objects).");
                }

                var fields = root.EnumerateObject().Where(p => p.Name != "events").ToDictionary(p => p.Name, p => Text(p.Value), StringComparer.Ordinal);
                var events = root.TryGetProperty("events", out var list) && list.ValueKind == JsonValueKind.Array
                    ? list.EnumerateArray().Select(e => (IReadOnlyDictionary<string, string>)e.EnumerateObject().ToDictionary(p => "event_" + p.Name, p => Text(p.Value), StringComparer.Ordinal)).ToList()
                    : [];
                CheckColumns([.. fields.Keys, .. events.SelectMany(e => e.Keys).Distinct()], requireAll: false);
                rows.Add(new InputRow(i + 1, fields, events));
            }
            catch (JsonException)
            {
                throw new CliException(ExitCodes.BadInput, $"line {i + 1}: not a JSON object (or one that names a field twice).");
            }
            catch (InvalidOperationException)
            {
                // JSON may escape half of a surrogate pair ("\ud800"), which is no character: reading the name or string throws.
                throw new CliException(ExitCodes.BadInput, $"line {i + 1}: a name or text escapes half of a character (a lone \\uD800-\\uDFFF).");
            }
        }

        return rows;
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Trim(),
        JsonValueKind.Array => string.Join(';', value.EnumerateArray().Select(Text)),
        JsonValueKind.Null => "",
        _ => value.GetRawText(),
    };

    private static void CheckColumns(IReadOnlyCollection<string> columns, bool requireAll = true)
    {
        var unknown = columns.Except(CaseColumns).Except(EventColumns).ToList();
        var missing = Required.Except(columns).ToList();
        if (unknown.Count > 0 || (requireAll && missing.Count > 0))
        {
            // Unknown columns are counted, never named: in a file without a header they are its first record's names.
            var described = unknown.Count == 0 ? "" : $"; {unknown.Count} unknown (is the first line the header?)";
            throw new CliException(ExitCodes.BadInput,
                $"wrong columns{described}{(requireAll && missing.Count > 0 ? "; missing: " + string.Join(", ", missing) : "")}. Expected: {string.Join(",", CaseColumns.Concat(EventColumns))}");
        }
    }

    private static Dictionary<string, string> Pick(Dictionary<string, string> fields, string[] names) =>
        names.Where(fields.ContainsKey).ToDictionary(n => n, n => fields[n], StringComparer.Ordinal);
}
