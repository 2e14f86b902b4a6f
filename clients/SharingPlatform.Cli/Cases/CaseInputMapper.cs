using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;
using SharingPlatform.Client.Pseudonymization;
using SharingPlatform.V1;

namespace SharingPlatform.Cli.Cases;

/// <summary>A problem in the input, by line and field; the value itself is never repeated.</summary>
public sealed record InputProblem(int Line, string Field, string Message);

/// <summary>A case ready to push, and the line it came from.</summary>
public sealed record CaseInput(int Line, CaseRecord Record);

/// <summary>
/// Turns input rows into records: identifiers go through the <see cref="SubjectPseudonymizer"/> here, on this
/// machine, and only the token and the birth year are kept; rows with the same case_id become one case.
/// </summary>
public static partial class CaseInputMapper
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex CaseId();

    /// <summary>The columns <see cref="SubjectPseudonymizer"/> reads.</summary>
    private static readonly string[] IdentifierColumns = ["family_name", "given_name", "sex", "home_county"];

    public static (List<CaseInput> Cases, List<InputProblem> Problems) Map(IReadOnlyList<InputRow> rows, string tenant, SubjectPseudonymizer pseudonymizer, int currentYear)
    {
        var problems = new List<InputProblem>();
        var cases = new Dictionary<string, CaseInput>(StringComparer.Ordinal);
        var identities = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var f = row.Fields;
            string Get(string name) => f.TryGetValue(name, out var v) ? v : "";
            void Problem(string field, string message) => problems.Add(new InputProblem(row.Line, field, message));

            var caseId = Get("case_id");
            if (!CaseId().IsMatch(caseId))
            {
                Problem("case_id", "must be 1-63 of a-z, 0-9 and -, starting with a letter or digit; say nothing about the person in it");
                continue;
            }

            // The identifiers are normalized (NFKC) before they are hashed; text that cannot be (U+FFFE) gives no token.
            if (IdentifierColumns.FirstOrDefault(c => !Normalizable(Get(c))) is { } unreadable)
            {
                Problem(unreadable, "holds a character that is not text (such as U+FFFE); correct it in the file");
                continue;
            }

            // Rows of one case must describe one person: compare the tokens they would give.
            var identity = pseudonymizer.Token(new PersonIdentifiers(Get("family_name"), Get("given_name"),
                DateOnly.TryParseExact(Get("birth_date"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null, Get("sex"), Get("home_county")));
            if (identities.TryGetValue(caseId, out var first) && first != identity)
            {
                Problem("case_id", "this case_id is used for a different person on an earlier line");
                continue;
            }

            identities[caseId] = identity;
            if (!cases.TryGetValue(caseId, out var input))
            {
                var record = new CaseRecord { Name = $"tenants/{tenant}/cases/{caseId}" };
                if (Get("family_name").Length == 0 || Get("given_name").Length == 0)
                {
                    Problem("family_name", "family_name and given_name are needed to derive the subject token");
                }

                var (birth, birthYear) = BirthDate(Get("birth_date"), currentYear, Problem);
                record.SubjectToken = pseudonymizer.Token(new PersonIdentifiers(Get("family_name"), Get("given_name"), birth, Get("sex"), Get("home_county")));
                record.BirthYear = birthYear;
                record.Sex = Get("sex").ToUpperInvariant() switch { "F" => Sex.Female, "M" => Sex.Male, _ => Sex.Unspecified };
                record.Status = Enum<CaseStatus>(EnumOf("CaseStatus"), "CASE_STATUS_", Get("status"), "status", Problem);
                record.Classification = Enum<Classification>(EnumOf("Classification"), "CLASSIFICATION_", Get("classification"), "classification", Problem);
                record.ConsentScope = Enum<ConsentScope>(EnumOf("ConsentScope"), "CONSENT_SCOPE_", Get("consent_scope"), "consent_scope", Problem);
                record.OriginRegion = Get("origin_region");
                record.Narrative = Get("narrative");
                record.Tags.AddRange(Get("tags").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                if (Get("source_type").Length > 0 || Get("reliability").Length > 0 || Get("credibility").Length > 0)
                {
                    record.Source = new Source
                    {
                        Type = Get("source_type").Length == 0 ? SourceType.Unspecified : Enum<SourceType>(EnumOf("SourceType"), "SOURCE_TYPE_", Get("source_type"), "source_type", Problem),
                        Reliability = Get("reliability").Length == 0 ? Reliability.Unspecified : Enum<Reliability>(EnumOf("Reliability"), "RELIABILITY_", Get("reliability"), "reliability", Problem),
                        Credibility = Credibility(Get("credibility"), Problem),
                    };
                }

                input = new CaseInput(row.Line, record);
                cases[caseId] = input;
            }

            foreach (var e in row.Events.Where(e => e.Values.Any(v => v.Length > 0)))
            {
                string Event(string name) => e.TryGetValue(name, out var v) ? v : "";
                input.Record.Events.Add(new CaseEvent
                {
                    Type = Enum<EventType>(EnumOf("EventType"), "EVENT_TYPE_", Event("event_type"), "event_type", Problem),
                    Date = PartialDate(Event("event_date"), Problem),
                    Location = new Location { Country = Event("event_country"), Region = Event("event_region"), Locality = Event("event_locality"), Facility = Event("event_facility") },
                    Authority = Event("event_authority"),
                });
            }
        }

        foreach (var input in cases.Values)
        {
            var firstEventYear = input.Record.Events.Select(e => e.Date?.Year ?? 0).Where(y => y > 0).DefaultIfEmpty(0).Min();
            input.Record.Minor = input.Record.BirthYear > 0 && firstEventYear > 0 && firstEventYear - input.Record.BirthYear < 18;
        }

        return ([.. cases.Values], problems);
    }

    private static bool Normalizable(string text)
    {
        try
        {
            _ = text.Normalize(NormalizationForm.FormKC);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static (DateOnly? Date, int Year) BirthDate(string text, int currentYear, Action<string, string> problem)
    {
        if (text.Length == 0)
        {
            return (null, 0);
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return (date, date.Year);
        }

        if (Digits(text) is { } year && year >= 1900 && year <= currentYear)
        {
            return (null, year);
        }

        problem("birth_date", "must be yyyy-MM-dd or yyyy (only the year is sent; the full date only shapes the token)");
        return (null, 0);
    }

    private static PartialDate? PartialDate(string text, Action<string, string> problem)
    {
        var parts = text.Split('-');
        if (text.Length == 0 || parts.Length > 3 || !parts.All(p => Digits(p) is not null))
        {
            problem("event_date", "must be yyyy, yyyy-MM or yyyy-MM-dd");
            return null;
        }

        var numbers = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return new PartialDate { Year = numbers[0], Month = numbers.Length > 1 ? numbers[1] : 0, Day = numbers.Length > 2 ? numbers[2] : 0 };
    }

    /// <summary>Empty is "not graded" (0); anything else must be a whole number, never silently read as 0.</summary>
    private static int Credibility(string text, Action<string, string> problem)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        if (Digits(text) is { } value)
        {
            return value;
        }

        problem("credibility", "must be a whole number from 1 to 6, or empty for not graded");
        return 0;
    }

    /// <summary>
    /// ASCII digits only, as a non-negative int32; null otherwise. Stricter than int.TryParse, which also takes
    /// trailing NUL characters, so the Python SDK (clients/python) reads every file the same way.
    /// </summary>
    private static int? Digits(string text) =>
        text.Length > 0 && text.All(char.IsAsciiDigit) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static EnumDescriptor EnumOf(string name) => CasesReflection.Descriptor.EnumTypes.Single(e => e.Name == name);

    /// <summary>A lowercase name such as <c>detained</c> to the contract's value (<c>CASE_STATUS_DETAINED</c>).</summary>
    public static T Enum<T>(EnumDescriptor descriptor, string prefix, string text, string field, Action<string, string> problem)
        where T : struct, Enum
    {
        var value = descriptor.FindValueByName(prefix + text.Trim().ToUpperInvariant());
        if (value is null || value.Number == 0)
        {
            problem(field, "must be one of: " + string.Join(", ", descriptor.Values.Where(v => v.Number != 0).Select(v => v.Name[prefix.Length..].ToLowerInvariant())));
            return default;
        }

        return (T)(object)value.Number;
    }
}
