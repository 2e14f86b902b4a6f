extern alias server;

using System.Collections;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using server::SharingPlatform.Server.Cases;
using ServerRecord = server::SharingPlatform.V1.CaseRecord;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// What the push path must do with any record, stated apart from the validator: a refusal names a field and a
/// reason and repeats no value; an accepted record keeps every rule the contract's comments state (cases.proto),
/// and the content stored from it validates again.
/// </summary>
public static partial class RecordContract
{
    [GeneratedRegex("^[A-Za-z0-9_-]{43}\\z")]
    private static partial Regex SubjectToken();

    [GeneratedRegex("^[a-z0-9_-]{1,40}\\z")]
    private static partial Regex Tag();

    [GeneratedRegex("^[A-Z]{2}\\z")]
    private static partial Regex Country();

    [GeneratedRegex("^[A-Z]{2}-[A-Z0-9]{1,3}\\z")]
    private static partial Regex Region();

    [GeneratedRegex("^KP-[0-9]{2}\\z")]
    private static partial Regex KoreanRegion();

    [GeneratedRegex("^[a-z][a-z0-9_.\\[\\]]*\\z")]
    private static partial Regex FieldPath();

    [GeneratedRegex("^[A-Z][A-Z_]*\\z")]
    private static partial Regex Reason();

    /// <summary>What is wrong with the validation path's answer for <paramref name="record"/>, or null.</summary>
    public static string? Check(ServerRecord record)
    {
        var violation = CaseValidator.Validate(record, TimeProvider.System);
        if (violation is not null)
        {
            if (!FieldPath().IsMatch(violation.Field) || !Reason().IsMatch(violation.Reason) || violation.Description.Length == 0)
            {
                return "a refusal without a field path, a reason or a description";
            }

            return Echoes(violation.ToString(), record) ? $"the refusal of {violation.Field} repeats a value of the record" : null;
        }

        if (Breach(record) is { } rule)
        {
            return "accepted a record that breaks: " + rule;
        }

        var content = CaseMapping.ToContent(record);
        var stored = ServerRecord.Parser.ParseFrom(content);
        if (CaseValidator.Validate(stored, TimeProvider.System) is { } again)
        {
            return $"the content stored from an accepted record fails validation at {again.Field}";
        }

        CaseFacts.Apply(new CaseEntity { CaseId = "c1", Content = content }, stored);
        return Texts(stored).SequenceEqual(Texts(record), StringComparer.Ordinal) ? null : "the stored content holds other text than was validated";
    }

    /// <summary>The first rule of the contract that an accepted <paramref name="r"/> breaks, or null.</summary>
    public static string? Breach(ServerRecord r)
    {
        var year = DateTime.UtcNow.Year;
        var texts = new List<(string Name, string Value, int Max, bool Lines)> { ("narrative", r.Narrative, 20_000, true) };
        texts.AddRange(r.Events.SelectMany(e => new[]
        {
            ("events.authority", e.Authority, 200, false), ("events.location.locality", e.Location?.Locality ?? "", 100, false),
            ("events.location.facility", e.Location?.Facility ?? "", 200, false),
        }));
        return !SubjectToken().IsMatch(r.SubjectToken) ? "subject_token is base64url of 32 bytes"
            : r.RelatedSubjects.Count > 50 ? "at most 50 related subjects"
            : r.RelatedSubjects.Any(s => !SubjectToken().IsMatch(s.SubjectToken) || !Known(s.Relation)) ? "related subjects have a token and a relation"
            : !Known(r.Sex, allowZero: true) ? "sex is a known value"
            : r.BirthYear != 0 && (r.BirthYear < 1900 || r.BirthYear > year) ? "birth_year is 0 or 1900 to this year"
            : r.OriginRegion.Length > 0 && !KoreanRegion().IsMatch(r.OriginRegion) ? "origin_region is an ISO 3166-2:KP code"
            : r.Events.Count > 100 ? "at most 100 events"
            : r.Events.Any(e => !Known(e.Type)) ? "every event has a known type"
            : r.Events.Any(e => e.Date is null || e.Date.Year < 1900 || e.Date.Year > year) ? "every event has a year from 1900 to this year"
            : r.Events.Any(e => e.Date.Month is < 0 or > 12 || e.Date.Day < 0 || (e.Date.Day > 0 && (e.Date.Month == 0 || e.Date.Day > DateTime.DaysInMonth(e.Date.Year, e.Date.Month))))
                ? "an event's month is 0-12 and its day 0 or a day of that month"
            : r.Events.Any(e => e.Location is { } l && ((l.Country.Length > 0 && !Country().IsMatch(l.Country))
                || (l.Region.Length > 0 && (!Region().IsMatch(l.Region) || (l.Country.Length > 0 && !l.Region.StartsWith(l.Country + "-", StringComparison.Ordinal))))))
                ? "an event's country and region are ISO 3166 codes of each other"
            : !Known(r.Status) || !Known(r.Classification) || !Known(r.ConsentScope) ? "status, classification and consent_scope are given"
            : r.Source is { } s && (!Known(s.Type, allowZero: true) || !Known(s.Reliability, allowZero: true) || s.Credibility is < 0 or > 6 || s.Corroborations is < 0 or > 1000)
                ? "the source's grades are in range"
            : r.Tags.Count > 20 || r.Tags.Any(t => !Tag().IsMatch(t)) ? "at most 20 tags of 1-40 of a-z, 0-9, _ and -"
            : texts.FirstOrDefault(t => t.Value.Length > t.Max || t.Value.Any(c => char.IsControl(c) && !(t.Lines && c is '\n' or '\r' or '\t'))) is { Name: { } name }
                ? name + " is within its length and has no control characters"
            : texts.Select(t => t.Value).Concat(r.Tags).Any(t => IdentifierGuard.Find(t) is not null) ? "free text passes the identifier guard"
            : null;
    }

    /// <summary>Whether <paramref name="said"/> repeats a text value of <paramref name="message"/> (at any depth) other
    /// than a name, parent or etag, which answers carry by design (once they parse). Short values could match the fixed
    /// wording by chance.</summary>
    public static bool Echoes(string said, IMessage message) =>
        Texts(message).Any(v => v.Trim().Length >= 10 && v.Any(char.IsLetterOrDigit) && said.Contains(v.Trim(), StringComparison.Ordinal));

    /// <summary>The text values of <paramref name="message"/> at any depth, but for its names, parents, etags and
    /// fields named in <paramref name="skipped"/>.</summary>
    public static IEnumerable<string> Texts(IMessage message, params string[] skipped)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder().Where(f => f.Name is not "name" and not "parent" and not "etag" && !skipped.Contains(f.Name)))
        {
            var value = field.Accessor.GetValue(message);
            var items = value is IList list ? list.Cast<object>() : [value];
            foreach (var item in items)
            {
                if (item is string text)
                {
                    yield return text;
                }
                else if (item is IMessage part && field.FieldType == FieldType.Message)
                {
                    foreach (var inner in Texts(part, skipped))
                    {
                        yield return inner;
                    }
                }
            }
        }
    }

    private static bool Known<TEnum>(TEnum value, bool allowZero = false)
        where TEnum : struct, Enum =>
        Enum.IsDefined(value) && (allowZero || Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) != 0);
}
