extern alias server;

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;
using server::SharingPlatform.Server.Cases;
using SharingPlatform.Tests.Infrastructure;

namespace SharingPlatform.Tests.Cli;

/// <summary><c>sharectl demo data</c>: the CSV that <c>cases push</c> reads, invented, valid, deterministic, never clobbering a file.</summary>
public sealed partial class DemoDataTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>, IDisposable
{
    private const string Header = "case_id,family_name,given_name,birth_date,sex,home_county,status,classification,consent_scope,origin_region,"
        + "event_type,event_date,event_country,event_region,event_locality,event_facility,event_authority,narrative,tags,source_type,reliability,credibility";

    // What each column may hold; person and case columns must repeat unchanged on every row of a case.
    private static readonly Dictionary<string, Regex> Allowed = new()
    {
        ["case_id"] = new("^sample-[0-9]{5,}$"),
        ["family_name"] = new(@"^\p{IsHangulSyllables}{1,2}$"),
        ["given_name"] = new(@"^\p{IsHangulSyllables}{2}$"),
        ["birth_date"] = new("^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"),
        ["sex"] = new("^[FM]$"),
        ["home_county"] = new(@"^[A-Z][a-z]+(?:-[a-z]+)?$"), // one spelling in both modes, so tokens link
        ["status"] = new("^(at_risk|detained|repatriated|imprisoned|released|in_transit|safe|disappeared|deceased|unknown)$"),
        ["classification"] = new("^(public|restricted|confidential|strictly_confidential)$"),
        ["consent_scope"] = new("^(none|partners|intergovernmental|public_advocacy)$"),
        ["origin_region"] = new("^KP-(0[1-9]|1[0-3])$"),
        ["event_type"] = new("^(crossed_border|arrested|detained|transferred|repatriated|imprisoned|released|disappeared|died_in_custody|executed|reached_third_country|resettled)$"),
        ["event_date"] = new("^20[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"),
        ["event_country"] = new("^[A-Z]{2}$"),
        ["event_region"] = new("^([A-Z]{2}-[A-Z0-9]{1,3})?$"),
        ["tags"] = new("^[a-z0-9_-]+(;[a-z0-9_-]+)*$"),
        ["source_type"] = new("^(family|witness|broker|missionary|field_worker|media|official)$"),
        ["reliability"] = new("^[A-F]$"),
        ["credibility"] = new("^[1-6]$"),
    };

    private static readonly string[] CaseColumns =
        ["family_name", "given_name", "birth_date", "sex", "home_county", "status", "classification", "consent_scope", "origin_region", "narrative", "tags", "source_type", "reliability", "credibility"];

    private readonly Sharectl cli = new(fixture);

    [Fact]
    public async Task Writes_the_push_format_with_one_case_per_id_and_only_allowed_values()
    {
        var path = Path.Combine(cli.Home, "demo.csv");

        var (exit, output, error) = await cli.RunAsync("demo", "data", "--count", "200", "--out", path, "--output", "json");

        Assert.True(exit == 0, error);
        Assert.Equal(Header, File.ReadLines(path).First());
        var (header, rows) = Read(path);
        var cases = rows.GroupBy(r => r[0]).ToList();
        Assert.Equal(200, cases.Count);
        foreach (var row in rows)
        {
            foreach (var (column, pattern) in Allowed)
            {
                var value = row[Array.IndexOf(header, column)];
                Assert.True(pattern.IsMatch(value), $"{column} = '{value}'");
            }

            var narrative = row[Array.IndexOf(header, "narrative")];
            Assert.Null(IdentifierGuard.Find(narrative));
            Assert.DoesNotMatch(BornPhrase(), narrative);
            Assert.True(DateOnly.TryParseExact(row[3], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), row[3]);
        }

        foreach (var group in cases)
        {
            Assert.InRange(group.Count(), 1, 6);
            foreach (var column in CaseColumns.Select(c => Array.IndexOf(header, c)))
            {
                Assert.Single(group.Select(r => r[column]).Distinct());
            }
        }

        var summary = JsonDocument.Parse(output).RootElement;
        Assert.Equal(rows.Count, summary.GetProperty("rows").GetInt32());
        Assert.Equal(200, summary.GetProperty("cases").GetInt32());
        Assert.InRange(summary.GetProperty("minors").GetInt32(), 8, 50);
        Assert.Equal(cases.Count(c => c.Any(r => r[10] == "repatriated")), summary.GetProperty("repatriated").GetInt32());
        Assert.Contains(rows, r => r[10] == "repatriated" && r[11].StartsWith("2023-10", StringComparison.Ordinal) && r[14] is "Dandong" or "Tumen");
        Assert.Contains(rows, r => r[10] == "repatriated" && r[11].StartsWith("2024-04", StringComparison.Ordinal));
        Assert.Contains(rows, r => r[12] == "KP" && r[10] == "imprisoned");
        Assert.Equal(["CN-JL", "CN-LN", "CN-YN"], rows.Where(r => r[10] == "arrested").Select(r => r[13]).Distinct().Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles(cli.Home, "*.tmp"));
    }

    [Fact]
    public async Task Romanized_names_are_spelled_in_latin_letters()
    {
        var path = Path.Combine(cli.Home, "romanized.csv");

        var (exit, _, error) = await cli.RunAsync("demo", "data", "--count", "50", "--out", path, "--romanized");

        Assert.True(exit == 0, error);
        var (_, rows) = Read(path);
        Assert.All(rows, r => Assert.Matches("^[A-Z][a-z]*$", r[1]));
        Assert.All(rows, r => Assert.Matches("^[A-Z][a-z]+-[a-z]+$", r[2]));
        Assert.All(rows, r => Assert.Matches("^[A-Z][a-z]+$", r[5]));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_file_and_another_seed_another()
    {
        string[] paths = [Path.Combine(cli.Home, "a.csv"), Path.Combine(cli.Home, "b.csv"), Path.Combine(cli.Home, "c.csv")];

        Assert.Equal(0, (await cli.RunAsync("demo", "data", "--count", "300", "--seed", "7", "--out", paths[0])).Exit);
        Assert.Equal(0, (await cli.RunAsync("demo", "data", "--count", "300", "--seed", "7", "--out", paths[1])).Exit);
        Assert.Equal(0, (await cli.RunAsync("demo", "data", "--count", "300", "--seed", "8", "--out", paths[2])).Exit);

        Assert.Equal(await File.ReadAllBytesAsync(paths[0], TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(paths[1], TestContext.Current.CancellationToken));
        Assert.NotEqual(await File.ReadAllBytesAsync(paths[0], TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(paths[2], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_existing_file_is_kept_unless_forced()
    {
        var path = Path.Combine(cli.Home, "existing.csv");
        await File.WriteAllTextAsync(path, "keep me", TestContext.Current.CancellationToken);

        var (exit, _, error) = await cli.RunAsync("demo", "data", "--count", "200", "--out", path);

        Assert.Equal(1, exit);
        Assert.Contains("--force", error, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
        Assert.Equal(0, (await cli.RunAsync("demo", "data", "--count", "5", "--out", path, "--force")).Exit);
        Assert.Equal(Header, File.ReadLines(path).First());
        Assert.Empty(Directory.GetFiles(cli.Home, "*.tmp"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("1000001")]
    public async Task A_count_out_of_range_is_refused_and_writes_nothing(string count)
    {
        var path = Path.Combine(cli.Home, "never.csv");

        var (exit, _, error) = await cli.RunAsync("demo", "data", "--count", count, "--out", path);

        Assert.Equal(1, exit);
        Assert.Contains("--count", error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    public void Dispose() => cli.Dispose();

    private static (string[] Header, List<string[]> Rows) Read(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        var rows = new List<string[]>();
        while (csv.Read())
        {
            rows.Add(csv.Parser.Record!);
        }

        return (csv.HeaderRecord!, rows);
    }

    [GeneratedRegex(@"born|birth|dob|[0-9]{9}|@|\+[0-9]", RegexOptions.IgnoreCase)]
    private static partial Regex BornPhrase();
}
