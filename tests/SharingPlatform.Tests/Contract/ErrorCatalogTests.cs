using System.Text.RegularExpressions;
using SharingPlatform.Tests.Infrastructure;

// Not SharingPlatform.Tests.Contract: that namespace would hide SharingPlatform.Contract from the other tests.
namespace SharingPlatform.Tests.Docs;

/// <summary>
/// docs/errors.md lists exactly the reasons the server sends: a code added to the server without its row, or a row
/// left after its code is gone, fails here. The server's codes are read from its source, from the calls that send
/// them, so the check needs no list of its own.
/// </summary>
public sealed partial class ErrorCatalogTests
{
    private const string DocPath = "docs/errors.md";
    private const string ServerPath = "services/SharingPlatform.Server";
    private const string ErrorInfoSection = "## ErrorInfo reasons";
    private const string ViolationSection = "## Field-violation reasons";

    [Fact]
    public void Every_ErrorInfo_reason_the_server_sends_has_one_row_with_its_status()
    {
        var sent = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (file, text) in ServerSources())
        {
            // RpcErrors.Unauthenticated("CODE", ...) and its kin: the helper is named after the status.
            var calls = ReasonHelperCall().Matches(text);
            var literal = ReasonHelperCallWithLiteral().Matches(text);
            Assert.True(calls.Count == literal.Count,
                $"{file}: {calls.Count - literal.Count} RpcErrors call(s) pass a reason that is not a string literal; this test (and docs/errors.md) cannot see it.");
            foreach (Match m in literal)
            {
                sent.Add(Pair(m.Groups["reason"].Value, StatusName(m.Groups["helper"].Value)));
            }

            // The helpers with a fixed reason, in RpcErrors itself: Build(Code.X, "CODE", ...) and Throw(Code.X, "CODE", ...).
            foreach (Match m in FixedReason().Matches(text))
            {
                sent.Add(Pair(m.Groups["reason"].Value, StatusName(m.Groups["code"].Value)));
            }

            // A status built by hand (the rate limiter's): the status is the last Code.X before the ErrorInfo.
            foreach (Match m in ErrorInfoLiteral().Matches(text))
            {
                var code = LastCode().Matches(text[..m.Index]).LastOrDefault();
                Assert.True(code is not null, $"{file}: an ErrorInfo with reason {m.Groups["reason"].Value} and no status code before it.");
                sent.Add(Pair(m.Groups["reason"].Value, StatusName(code.Groups["code"].Value)));
            }
        }

        var documented = new SortedSet<string>(
            Rows(ErrorInfoSection).Select(row => Pair(row.Reason, StatusColumn().Match(row.Line).Groups["status"].Value)),
            StringComparer.Ordinal);

        AssertSame(sent, documented, "ErrorInfo reason | status");
    }

    [Fact]
    public void Every_field_violation_reason_of_a_rejected_record_has_one_row()
    {
        var sent = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, text) in ServerSources())
        {
            // CaseValidator.Violation(field, "CODE", description), as the validator and the push build them.
            foreach (Match m in ViolationWithLiteral().Matches(text))
            {
                sent.Add(m.Groups["reason"].Value);
            }
        }

        // The identifier guard's kinds, which the validator passes on as the reason.
        foreach (var file in new[] { "Cases/IdentifierGuard.cs", "Cases/DigitRuns.cs" })
        {
            foreach (Match m in IdentifierKind().Matches(File.ReadAllText(Path.Combine(Repository.Root, ServerPath, file))))
            {
                sent.Add(m.Groups["reason"].Value);
            }
        }

        Assert.Contains("UNCHECKABLE_TEXT", sent); // the kinds were found at all
        var documented = new SortedSet<string>(Rows(ViolationSection).Select(row => row.Reason), StringComparer.Ordinal);

        AssertSame(sent, documented, "field-violation reason");
    }

    private static void AssertSame(SortedSet<string> sent, SortedSet<string> documented, string what)
    {
        var undocumented = sent.Except(documented).ToList();
        var stale = documented.Except(sent).ToList();
        Assert.True(undocumented.Count == 0 && stale.Count == 0,
            $"{DocPath} and the server disagree ({what}). Sent but not documented: [{string.Join(", ", undocumented)}]. " +
            $"Documented but not sent: [{string.Join(", ", stale)}].");
    }

    private static string Pair(string reason, string status) => $"{reason} | {status}";

    /// <summary>PascalCase gRPC code name (PermissionDenied) to its upper-case form (PERMISSION_DENIED).</summary>
    private static string StatusName(string pascal) => UpperBoundary().Replace(pascal, "_$1").ToUpperInvariant();

    private static IEnumerable<(string File, string Text)> ServerSources()
    {
        var root = Path.Combine(Repository.Root, ServerPath);
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal)
                && !f.Contains("/Migrations/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(files);
        return files.Select(f => (f, File.ReadAllText(Path.Combine(root, f))));
    }

    /// <summary>The rows of the table under <paramref name="heading"/>: the reason in its first column, one row each.</summary>
    private static List<(string Reason, string Line)> Rows(string heading)
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, DocPath));
        var start = Array.FindIndex(lines, l => l.StartsWith(heading, StringComparison.Ordinal));
        Assert.True(start >= 0, $"{DocPath} has no section starting \"{heading}\".");
        var rows = lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Select(l => (Match: FirstColumn().Match(l), Line: l))
            .Where(r => r.Match.Success)
            .Select(r => (r.Match.Groups["reason"].Value, r.Line))
            .ToList();
        Assert.NotEmpty(rows);
        var repeated = rows.GroupBy(r => r.Item1).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, $"{DocPath}, {heading}: more than one row for [{string.Join(", ", repeated)}].");
        return rows;
    }

    private const string Reason = "\"(?<reason>[A-Z][A-Z0-9_]*)\"";
    private const string Helpers = "Unauthenticated|PermissionDenied|InvalidArgument|FailedPrecondition|Aborted|ResourceExhausted";

    [GeneratedRegex(@"\bRpcErrors\.(?<helper>" + Helpers + @")\(")]
    private static partial Regex ReasonHelperCall();

    // The reason is the first upper-case literal of the call (InvalidArgument's field before it is lower case).
    [GeneratedRegex(@"\bRpcErrors\.(?<helper>" + Helpers + @")\([^;]*?" + Reason)]
    private static partial Regex ReasonHelperCallWithLiteral();

    [GeneratedRegex(@"\b(?:Build|Throw)\(Code\.(?<code>[A-Za-z]+),\s*" + Reason)]
    private static partial Regex FixedReason();

    [GeneratedRegex(@"new\s+ErrorInfo\s*\{[^}]*\bReason\s*=\s*" + Reason)]
    private static partial Regex ErrorInfoLiteral();

    [GeneratedRegex(@"\bCode\.(?<code>[A-Za-z]+)")]
    private static partial Regex LastCode();

    [GeneratedRegex(@"(?<![A-Za-z.])(?:CaseValidator\.)?Violation\([^;]*?" + Reason)]
    private static partial Regex ViolationWithLiteral();

    [GeneratedRegex(@"(?:\breturn|=>|\?)\s*" + Reason)]
    private static partial Regex IdentifierKind();

    [GeneratedRegex(@"^\|\s*`(?<reason>[A-Z][A-Z0-9_]*)`\s*\|")]
    private static partial Regex FirstColumn();

    [GeneratedRegex(@"^\|[^|]*\|\s*`(?<status>[A-Z_]+)`\s*\|")]
    private static partial Regex StatusColumn();

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex UpperBoundary();
}
