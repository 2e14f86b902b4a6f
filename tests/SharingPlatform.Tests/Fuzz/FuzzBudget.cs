using System.Globalization;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// How many cases each fuzz property runs, and from which seed. A plain <c>dotnet test</c> (CI) runs every property
/// for its own small default, a few thousand cases in all. <c>SHARINGPLATFORM_FUZZ_ITERATIONS=N</c> raises each
/// in-process property to N cases and each property through the real gRPC surface to N/10 (never below the
/// defaults); <c>SHARINGPLATFORM_FUZZ_SEED</c> replays the run a failure names.
/// </summary>
public static class FuzzBudget
{
    public const string IterationsVariable = "SHARINGPLATFORM_FUZZ_ITERATIONS";
    public const string SeedVariable = "SHARINGPLATFORM_FUZZ_SEED";

    /// <summary>Cases for a property that runs in-process.</summary>
    public static int InProcess(int ciDefault) => Scaled(ciDefault, 1);

    /// <summary>Cases for a property whose every case is a call through the real host (about ten times dearer).</summary>
    public static int ThroughGrpc(int ciDefault) => Scaled(ciDefault, 10);

    /// <summary>The run's seed: the variable's, or a fresh one that every report and failure names.</summary>
    public static ulong Seed() =>
        Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } text
            ? ulong.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)
            : (ulong)Random.Shared.NextInt64(1, long.MaxValue);

    /// <summary>Where every property appends its report line too, when set (.ci/run sets it and prints the file).</summary>
    public const string ReportVariable = "SHARINGPLATFORM_FUZZ_REPORT";

    private static readonly Lock ReportFile = new();

    /// <summary>Writes how many cases a property ran, of which kinds, to the test's output (<c>--logger
    /// "console;verbosity=detailed"</c>) and to the file <see cref="ReportVariable"/> names.</summary>
    public static void Report(string property, int cases, ulong seed, TimeSpan elapsed, IReadOnlyDictionary<string, int> kinds)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"fuzz {property}: {cases} cases in {elapsed.TotalSeconds:F1} s, seed {seed} ({SeedVariable} replays it)")
            + (kinds.Count == 0 ? "" : "; " + string.Join(", ", kinds.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.Value}"))));
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } path)
        {
            lock (ReportFile)
            {
                File.AppendAllText(path, line + Environment.NewLine);
            }
        }
    }

    private static int Scaled(int ciDefault, int share) =>
        Environment.GetEnvironmentVariable(IterationsVariable) is { Length: > 0 } text
            ? Math.Max(ciDefault, int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) / share)
            : ciDefault;
}
