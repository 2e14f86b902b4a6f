using System.CommandLine;
using System.Globalization;
using System.Text;
using CsvHelper;
using SharingPlatform.Cli.Demo;

namespace SharingPlatform.Cli.Commands;

/// <summary><c>sharectl demo data</c>: writes an invented dataset in the CSV shape that <c>sharectl cases push</c> reads.</summary>
public static class DemoCommands
{
    private const int MaxCount = 1_000_000;

    public static Command Create(CliApp.Runner run)
    {
        var demo = new Command("demo", "Invented data for trying the platform out.");

        var count = new Option<int>("--count") { Description = $"How many cases to invent (1 to {MaxCount:N0}).", DefaultValueFactory = _ => 500 };
        var outOption = new Option<FileInfo>("--out") { Description = "The CSV file to write (never half-written; not overwritten without --force).", Required = true };
        var seed = new Option<int>("--seed") { Description = "The same seed gives the same file.", DefaultValueFactory = _ => 1 };
        var romanized = new Option<bool>("--romanized") { Description = "Write names romanized (Choi, Mi-ra) instead of in Hangul." };
        var force = new Option<bool>("--force") { Description = "Replace the file if it exists." };
        var data = new Command("data", "Write invented case records (one row per event) shaped like real documentation; every name is made up.")
        {
            count, outOption, seed, romanized, force,
        };
        run.Action(data, async (context, cancellationToken) =>
        {
            var cases = context.Value(count);
            if (cases is < 1 or > MaxCount)
            {
                throw new CliException(ExitCodes.BadInput, $"--count must be between 1 and {MaxCount:N0}.");
            }

            var path = context.Value(outOption).FullName;
            var replace = context.Value(force);
            var folder = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(folder))
            {
                throw new CliException(ExitCodes.BadInput, $"The folder {folder} does not exist.");
            }

            if (!replace && File.Exists(path))
            {
                throw new CliException(ExitCodes.BadInput, $"{path} exists; add --force to replace it.");
            }

            if (Directory.Exists(path))
            {
                throw new CliException(ExitCodes.BadInput, $"{path} is a folder; give a file name.");
            }

            Summary summary;
            try
            {
                summary = await WriteAsync(path, replace, new SyntheticDocumentation(context.Value(seed), context.Value(romanized)).Cases(cases), cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException(ExitCodes.BadInput, $"cannot write {path}: {e.Message}");
            }

            if (context.Output.Json)
            {
                context.Output.Result(new { file = path, rows = summary.Rows, cases = summary.Cases, minors = summary.Minors, repatriated = summary.Repatriated }, "");
            }
            else
            {
                string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
                context.Output.Rows($"Invented data written to {path}", ["rows", "cases", "minors", "repatriated"],
                    [[Text(summary.Rows), Text(summary.Cases), Text(summary.Minors), Text(summary.Repatriated)]]);
            }

            return ExitCodes.Ok;
        });
        demo.Subcommands.Add(data);
        return demo;
    }

    private sealed record Summary(int Rows, int Cases, int Minors, int Repatriated);

    /// <summary>Writes to a temporary file beside <paramref name="path"/>, then renames it: readers never see half a file.</summary>
    private static async Task<Summary> WriteAsync(string path, bool force, IEnumerable<DemoCase> cases, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            int rows = 0, count = 0, minors = 0, repatriated = 0;
            // Invented, but shaped like names and case data: owner-only like every file sharectl writes.
            var stream = OwnerOnly.CreateNew(temporary);
            await using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            await using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
            {
                foreach (var column in SyntheticDocumentation.Header)
                {
                    csv.WriteField(column);
                }

                await csv.NextRecordAsync();
                foreach (var demoCase in cases)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    foreach (var row in demoCase.Rows)
                    {
                        foreach (var field in row)
                        {
                            csv.WriteField(field);
                        }

                        await csv.NextRecordAsync();
                        rows++;
                    }

                    count++;
                    minors += demoCase.Minor ? 1 : 0;
                    repatriated += demoCase.Repatriated ? 1 : 0;
                }
            }

            try
            {
                File.Move(temporary, path, overwrite: force);
            }
            catch (IOException) when (!force && File.Exists(path))
            {
                throw new CliException(ExitCodes.BadInput, $"{path} appeared while writing; add --force to replace it.");
            }

            return new Summary(rows, count, minors, repatriated);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
