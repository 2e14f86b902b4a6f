using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using SharingPlatform.Client.Sync;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// The SDK's other JSONL importer: a view an earlier version wrote (protobuf JSON, one record per line, with a cursor
/// file beside it), taken over by <see cref="LocalView.ImportLegacy"/>. Any such file is imported whole, or refused as
/// <see cref="InvalidDataException"/> naming a line of it (nothing imported) and repeating none of its text.
/// </summary>
public sealed partial class LegacyViewFuzzTests : IDisposable
{
    /// <summary>What the last case came to, for the report (kept by <see cref="Import"/> rather than importing twice).</summary>
    private string _outcome = "";

    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "sharingplatform-tests", Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>A view's lines, and the free text its records hold (no error may repeat it).</summary>
    public sealed record View(byte[] Bytes, string[] Text);

    [GeneratedRegex("\\bline ([0-9]+)\\b")]
    private static partial Regex LineNumber();

    [Fact]
    public void Any_view_of_an_earlier_version_is_imported_whole_or_refused_by_line_repeating_nothing() =>
        FuzzProperty.Check("legacy-view", FuzzBudget.InProcess(100), AnyView, v => Shrinks.Bytes(v.Bytes).Select(b => v with { Bytes = b }), v => v.Bytes, Import,
            _ => _outcome);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Gen<View> AnyView =>
        Gen.Choose(0, int.MaxValue).Select(seed =>
        {
            var random = new Random(seed);
            var records = Enumerable.Range(0, random.Next(0, 5)).Select(i => Written(FuzzRecords.Rich($"tenants/x/cases/c{i}", random), random)).ToList();
            var lines = records.Select(r => random.Next(4) == 0 ? FuzzValues.Mutate(JsonFormatter.Default.Format(r), random) : JsonFormatter.Default.Format(r)).ToList();
            if (random.Next(4) == 0)
            {
                lines.Insert(random.Next(lines.Count + 1), FuzzValues.Text(random));
            }

            var bytes = Encoding.UTF8.GetBytes(string.Join(random.Next(3) == 0 ? "\r\n" : "\n", lines) + "\n");
            return new View(random.Next(8) == 0 ? FuzzValues.Mutate(bytes, random) : bytes, [.. records.SelectMany(r => RecordContract.Texts(r, "subject_token"))]);
        });

    /// <summary>A record, mutated at any depth now and then, as protobuf JSON can write it (no time past 9999, no lone surrogate).</summary>
    private static CaseRecord Written(CaseRecord record, Random random)
    {
        var mutated = random.Next(3) == 0 ? ProtoFuzzer.Mutate(record, random) : record;
        try
        {
            _ = JsonFormatter.Default.Format(mutated);
            return mutated;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return record;
        }
    }

    private string? Import(View view)
    {
        var (jsonl, store) = Write(view);
        using var local = LocalView.Open(store);
        try
        {
            _outcome = local.ImportLegacy(jsonl) > 0 ? "imported" : "imported, empty";
        }
        catch (InvalidDataException e)
        {
            _outcome = "refused";
            var said = e.Message.Replace(jsonl, "", StringComparison.Ordinal);
            var lines = CaseFiles.Lines(view.Bytes);
            return local.Count > 0 ? "refused after importing some of it"
                : LineNumber().Match(said) is not { Success: true } line || int.Parse(line.Groups[1].ValueSpan, CultureInfo.InvariantCulture) is var n && (n < 1 || n > lines)
                    ? "refused without naming a line of the file"
                : view.Text.Select(t => t.Trim()).Any(t => t.Length >= 8 && said.Contains(t, StringComparison.Ordinal)) ? "the error repeats text of the file"
                : null;
        }

        return null;
    }

    /// <summary>The view and its cursor, and a store that has never pulled (each case its own).</summary>
    private (string Jsonl, string Store) Write(View view)
    {
        var name = Guid.NewGuid().ToString("N");
        var jsonl = Path.Combine(_directory, name + ".jsonl");
        File.WriteAllBytes(jsonl, view.Bytes);
        File.WriteAllText(jsonl + ".cursor", "cursor-of-an-earlier-version");
        return (jsonl, Path.Combine(_directory, name + ".db"));
    }
}
