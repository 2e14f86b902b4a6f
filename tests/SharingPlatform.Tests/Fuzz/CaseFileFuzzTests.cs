using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using SharingPlatform.Cli;
using SharingPlatform.Cli.Cases;
using SharingPlatform.Client.Pseudonymization;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// sharectl's importers (<see cref="CaseFileReader"/>, then <see cref="CaseInputMapper"/>) over any case file
/// (<see cref="CaseFiles"/>) or any bytes: the file gives records and problems by line and column, or one clear
/// error (exit 1) that names a line or the file; nothing else is thrown. No error repeats what the file says about a
/// person, and no record carries a name, birth date or county the file gave (only the token and the birth year).
/// </summary>
public sealed partial class CaseFileFuzzTests : IDisposable
{
    private static readonly SubjectPseudonymizer Pseudonymizer = new(LinkageKey.FromBytes(new byte[32]));
    private static readonly HashSet<string> Columns = [.. CaseFileReader.CaseColumns, .. CaseFileReader.EventColumns];

    /// <summary>What the last case came to, for the report (kept by <see cref="Import"/> rather than reading twice).</summary>
    private string _outcome = "";

    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "sharingplatform-tests", Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>"line 12", or "line" followed by something that should have been its number ("line :"); not "line must".</summary>
    [GeneratedRegex("\\bline ([0-9]+|[^a-z\\s]\\S*)")]
    private static partial Regex LineNumber();

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Number();

    [Fact]
    public void Any_case_file_gives_records_and_problems_by_line_or_one_clear_error_and_repeats_no_value() =>
        FuzzProperty.Check("case-file", FuzzBudget.InProcess(600), AnyFile, Smaller, f => f.Bytes, Import, _ => _outcome);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Gen<CaseFile> AnyFile =>
        Gen.Choose(0, int.MaxValue).Select(seed =>
        {
            var random = new Random(seed);
            return random.Next(12) switch
            {
                0 => new CaseFile(random.Next(2) == 0 ? ".csv" : ".jsonl", FuzzValues.Bytes(random, 400), [], [], []),
                < 7 => CaseFiles.Csv(random),
                _ => CaseFiles.JsonLines(random),
            };
        });

    private static IEnumerable<CaseFile> Smaller(CaseFile file) => Shrinks.Bytes(file.Bytes).Select(b => file with { Bytes = b });

    private string? Import(CaseFile file)
    {
        var path = Write(file);
        var lines = CaseFiles.Lines(file.Bytes);
        IReadOnlyList<InputRow> rows;
        try
        {
            rows = CaseFileReader.Read(path);
        }
        catch (CliException e)
        {
            _outcome = Refusal(file, e.Message.Replace(path, "FILE", StringComparison.Ordinal));
            return e.ExitCode != ExitCodes.BadInput ? $"refused with exit code {e.ExitCode}" : Said(e.Message, file, lines);
        }

        if (rows.FirstOrDefault(r => r.Line < 1 || r.Line > lines) is { } outside)
        {
            return $"a row said to start on line {outside.Line} of {lines}";
        }

        var (cases, problems) = CaseInputMapper.Map(rows, "fuzz", Pseudonymizer, DateTime.UtcNow.Year);
        _outcome = $"{file.Extension} " + (problems.Count > 0 ? "problems" : cases.Count > 0 ? "records" : "nothing");
        foreach (var problem in problems)
        {
            if (problem.Line < 1 || problem.Line > lines || !Columns.Contains(problem.Field))
            {
                return "a problem named neither a line of the file nor one of its columns";
            }

            if (Said(problem.Message, file, lines) is { } wrong)
            {
                return "a problem: " + wrong;
            }
        }

        // What leaves this machine: the records' text (the tokens aside), which may carry identifiers only where the file
        // wrote them in another column too.
        var sent = cases.SelectMany(c => RecordContract.Texts(c.Record, "subject_token")).ToList();
        return file.Identifying.Select(v => v.Trim()).Where(v => v.Length >= 4 && !file.Elsewhere.Any(o => o.Contains(v, StringComparison.Ordinal)))
            .Any(v => sent.Any(t => t.Contains(v, StringComparison.Ordinal)))
            ? "a record carries a name, birth date or county of the file" : null;
    }

    /// <summary>What is wrong with an error text: a value of the file in it, or a line that is not a line number of it.
    /// The file's path, which errors name, is the user's own; random free text is compared from 8 characters on, below
    /// which it can match the fixed wording by chance.</summary>
    private string? Said(string message, CaseFile file, int lines)
    {
        message = message.Replace(PathOf(file), "", StringComparison.Ordinal);
        if (file.Identifying.Select(v => (Value: v.Trim(), Min: 4)).Concat(file.FreeText.Select(v => (Value: v.Trim(), Min: 8)))
            .Any(v => v.Value.Length >= v.Min && v.Value.Any(char.IsLetterOrDigit) && message.Contains(v.Value, StringComparison.Ordinal)))
        {
            return "the error repeats a value of the file";
        }

        return LineNumber().Matches(message).Any(m => !int.TryParse(m.Groups[1].ValueSpan, out var line) || line < 1 || line > lines)
            ? "the error names a line that is not one of the file's" : null;
    }

    private static string Refusal(CaseFile file, string message)
    {
        // By the start of the error, numbers left out, so that like refusals count together.
        var said = Number().Replace(message, "N");
        var end = said.AsSpan().IndexOfAny(";(.");
        return $"{file.Extension} refused \"{said[..(end < 0 ? said.Length : end)].Trim()}\"";
    }

    private string PathOf(CaseFile file) => Path.Combine(_directory, "cases" + file.Extension);

    private string Write(CaseFile file)
    {
        var path = PathOf(file);
        File.WriteAllBytes(path, file.Bytes);
        return path;
    }
}
