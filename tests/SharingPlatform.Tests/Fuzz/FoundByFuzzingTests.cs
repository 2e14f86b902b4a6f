using SharingPlatform.Cli;
using SharingPlatform.Cli.Cases;
using SharingPlatform.Client.Pseudonymization;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// Each failure the fuzz properties found, as its smallest input (or that input and one as a partner would write it),
/// kept so that it stays fixed whatever the random runs meet.
/// </summary>
public sealed class FoundByFuzzingTests : IDisposable
{
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "sharingplatform-tests", Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>case-file: a JSONL object naming a field twice threw ArgumentException out of the reader, whose message
    /// (printed by sharectl) repeats the name: here a family name written as a key.</summary>
    [Theory]
    [InlineData("{\"\":\"\",\"\":[\"\"]}")]
    [InlineData("{\"case_id\":\"c1\",\"Minsu\":\"\",\"Minsu\":\"\"}")]
    public void A_jsonl_object_giving_a_field_twice_is_an_error_of_its_line_that_repeats_nothing(string line)
    {
        var path = Write("cases.jsonl", "{\"case_id\":\"c0\"}\n" + line + "\n");

        var error = Assert.Throws<CliException>(() => CaseFileReader.Read(path));

        Assert.Equal(ExitCodes.BadInput, error.ExitCode);
        Assert.StartsWith("line 2: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Minsu", error.Message, StringComparison.Ordinal);
    }

    /// <summary>case-file: a JSONL string escaping half of a surrogate pair threw InvalidOperationException out of the reader
    /// (JsonElement.GetString), which sharectl does not catch: the command crashed with a stack trace.</summary>
    [Theory]
    [InlineData("{\"\":\"\\udba8\"}")]
    [InlineData("{\"case_id\":\"c1\",\"family_name\":\"Kim\\ud800\",\"given_name\":\"Minsu\"}")]
    [InlineData("{\"case_id\":\"c1\",\"events\":[{\"locality\\udc00\":\"Tumen\"}]}")]
    public void A_jsonl_string_escaping_half_a_character_is_an_error_of_its_line(string line)
    {
        var path = Write("cases.jsonl", "{\"case_id\":\"c0\"}\n" + line + "\n");

        var error = Assert.Throws<CliException>(() => CaseFileReader.Read(path));

        Assert.Equal(ExitCodes.BadInput, error.ExitCode);
        Assert.StartsWith("line 2: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Minsu", error.Message, StringComparison.Ordinal);
    }

    /// <summary>case-file: a CSV quote left open was reported on the line where the parser gave up, after the end of the
    /// file, instead of the line the record starts on.</summary>
    [Theory]
    [InlineData("\"\n", 1)]
    [InlineData("case_id,family_name,given_name,status,classification,consent_scope\nc1,\"Kim,Minsu,detained,restricted,partners\n\n", 2)]
    public void A_csv_quote_left_open_is_an_error_of_the_line_its_record_starts_on(string content, int line)
    {
        var path = Write("cases.csv", content);

        var error = Assert.Throws<CliException>(() => CaseFileReader.Read(path));

        Assert.Equal($"line {line}: malformed CSV (BadData).", error.Message);
    }

    /// <summary>case-file: U+FFFE (valid UTF-8, EF BF BE) in a name or county threw ArgumentException out of the mapper:
    /// the names are normalized (NFKC) before they are hashed, and .NET cannot normalize it. sharectl printed the
    /// exception's message, which names neither the line nor the column.</summary>
    [Theory]
    [InlineData("home_county", "A\uFFFEa")]
    [InlineData("family_name", "Kim\uFFFE")]
    [InlineData("given_name", "\uFFFE")]
    public void A_name_that_cannot_be_normalized_is_a_problem_of_its_line_and_column(string column, string value)
    {
        var cells = new Dictionary<string, string>
        {
            ["case_id"] = "c1", ["family_name"] = "Kim", ["given_name"] = "Minsu", ["status"] = "detained",
            ["classification"] = "restricted", ["consent_scope"] = "partners", [column] = value,
        };
        var path = Write("cases.csv", string.Join(',', CaseFileReader.CaseColumns) + "\n"
            + string.Join(',', CaseFileReader.CaseColumns.Select(c => cells.GetValueOrDefault(c, ""))) + "\n");

        var (cases, problems) = CaseInputMapper.Map(CaseFileReader.Read(path), "fuzz", new SubjectPseudonymizer(LinkageKey.Create()), 2026);

        Assert.Empty(cases);
        var problem = Assert.Single(problems);
        Assert.Equal((2, column), (problem.Line, problem.Field));
        Assert.DoesNotContain(value, problem.Message, StringComparison.Ordinal);
    }

    /// <summary>case-file: a CSV header naming a column twice (after trimming) threw ArgumentException out of the reader
    /// at the first row, instead of saying which column is repeated.</summary>
    [Theory]
    [InlineData("case_id,family_name,given_name,status,classification,consent_scope,consent_scope\nc1,Kim,Minsu,detained,restricted,partners,partners\n")]
    [InlineData("case_id,family_name,given_name,status,classification,consent_scope, case_id \nc1,Kim,Minsu,detained,restricted,partners,c2\n")]
    public void A_csv_header_naming_a_column_twice_is_refused_naming_the_column(string content)
    {
        var path = Write("cases.csv", content);

        var error = Assert.Throws<CliException>(() => CaseFileReader.Read(path));

        Assert.Equal(ExitCodes.BadInput, error.ExitCode);
        Assert.Matches("^wrong columns; (consent_scope|case_id) is given twice", error.Message);
        Assert.DoesNotContain("Minsu", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
