using System.Buffers.Text;
using System.Text.RegularExpressions;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// Checks a pushed record field by field and names the first field that is wrong, never its value; free text
/// also passes the <see cref="IdentifierGuard"/>.
/// Everything here is bounded so that a record's stored size has a known ceiling.
/// </summary>
public static partial class CaseValidator
{
    public const int MaxEvents = 100;
    public const int MaxRelatedSubjects = 50;
    public const int MaxTags = 20;
    public const int MaxNarrativeLength = 20_000;
    public const int MinYear = 1900;

    [GeneratedRegex("^KP-[0-9]{2}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex KoreanRegion();

    [GeneratedRegex("^[A-Z]{2}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Country();

    [GeneratedRegex("^[A-Z]{2}-[A-Z0-9]{1,3}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Region();

    [GeneratedRegex("^[a-z0-9_-]{1,40}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Tag();

    /// <summary>Returns the first problem with <paramref name="record"/>, or null when it may be stored.</summary>
    public static FieldViolation? Validate(CaseRecord record, TimeProvider time)
    {
        var currentYear = time.GetUtcNow().Year;
        return SubjectToken(record.SubjectToken, "subject_token")
            ?? RelatedSubjects(record)
            ?? Defined(record.Sex, "sex", allowUnspecified: true)
            ?? BirthYear(record.BirthYear, currentYear)
            ?? (record.OriginRegion.Length == 0 || KoreanRegion().IsMatch(record.OriginRegion)
                ? null : Violation("origin_region", "INVALID_FORMAT", "Must be an ISO 3166-2:KP code such as KP-09."))
            ?? Events(record, currentYear)
            ?? Defined(record.Status, "status", allowUnspecified: false)
            ?? Source(record.Source)
            ?? Text(record.Narrative, "narrative", MaxNarrativeLength, allowNewlines: true)
            ?? Defined(record.Classification, "classification", allowUnspecified: false)
            ?? Defined(record.ConsentScope, "consent_scope", allowUnspecified: false)
            ?? Tags(record);
    }

    /// <summary>A subject token is base64url without padding of exactly 32 bytes (an HMAC-SHA256).</summary>
    public static bool IsSubjectToken(string token)
    {
        if (token.Length != 43 || !Base64Url.IsValid(token, out var length) || length != 32)
        {
            return false;
        }

        // Reject non-canonical encodings (stray bits in the last character) so one token has one spelling.
        Span<byte> bytes = stackalloc byte[32];
        return Base64Url.TryDecodeFromChars(token, bytes, out _) && Base64Url.EncodeToString(bytes) == token;
    }

    private static FieldViolation? SubjectToken(string token, string field) =>
        token.Length == 0 ? Violation(field, "REQUIRED", "A subject token is required.")
        : IsSubjectToken(token) ? null
        : Violation(field, "INVALID_TOKEN", "Must be base64url (no padding) of a 32-byte HMAC from the client SDK.");

    private static FieldViolation? RelatedSubjects(CaseRecord record)
    {
        if (record.RelatedSubjects.Count > MaxRelatedSubjects)
        {
            return Violation("related_subjects", "TOO_MANY", $"At most {MaxRelatedSubjects} related subjects.");
        }

        for (var i = 0; i < record.RelatedSubjects.Count; i++)
        {
            var related = record.RelatedSubjects[i];
            var problem = SubjectToken(related.SubjectToken, $"related_subjects[{i}].subject_token")
                ?? Defined(related.Relation, $"related_subjects[{i}].relation", allowUnspecified: false);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static FieldViolation? BirthYear(int year, int currentYear) =>
        year == 0 || (year >= MinYear && year <= currentYear) ? null
        : Violation("birth_year", "OUT_OF_RANGE", $"Must be 0 (unknown) or a year from {MinYear} to {currentYear}.");

    private static FieldViolation? Events(CaseRecord record, int currentYear)
    {
        if (record.Events.Count > MaxEvents)
        {
            return Violation("events", "TOO_MANY", $"At most {MaxEvents} events.");
        }

        for (var i = 0; i < record.Events.Count; i++)
        {
            var e = record.Events[i];
            var path = $"events[{i}]";
            var problem = Defined(e.Type, path + ".type", allowUnspecified: false)
                ?? Date(e.Date, path + ".date", currentYear)
                ?? Location(e.Location, path + ".location")
                ?? Text(e.Authority, path + ".authority", 200, allowNewlines: false);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static FieldViolation? Date(PartialDate? date, string path, int currentYear)
    {
        if (date is null)
        {
            return Violation(path, "REQUIRED", "An event needs at least a year.");
        }

        if (date.Year < MinYear || date.Year > currentYear)
        {
            return Violation(path + ".year", "OUT_OF_RANGE", $"Must be a year from {MinYear} to {currentYear}.");
        }

        if (date.Month is < 0 or > 12)
        {
            return Violation(path + ".month", "OUT_OF_RANGE", "Must be 0 (unknown) or 1-12.");
        }

        if (date.Day != 0 && (date.Month == 0 || date.Day < 0 || date.Day > DateTime.DaysInMonth(date.Year, date.Month)))
        {
            return Violation(path + ".day", "OUT_OF_RANGE", "Must be 0 (unknown) or a day of the given month.");
        }

        return null;
    }

    private static FieldViolation? Location(Location? location, string path)
    {
        if (location is null)
        {
            return null;
        }

        if (location.Country.Length > 0 && !Country().IsMatch(location.Country))
        {
            return Violation(path + ".country", "INVALID_FORMAT", "Must be an ISO 3166-1 alpha-2 code such as CN.");
        }

        if (location.Region.Length > 0
            && (!Region().IsMatch(location.Region) || (location.Country.Length > 0 && !location.Region.StartsWith(location.Country + "-", StringComparison.Ordinal))))
        {
            return Violation(path + ".region", "INVALID_FORMAT", "Must be an ISO 3166-2 code of the country, such as CN-LN.");
        }

        return Text(location.Locality, path + ".locality", 100, allowNewlines: false)
            ?? Text(location.Facility, path + ".facility", 200, allowNewlines: false);
    }

    private static FieldViolation? Source(Source? source)
    {
        if (source is null)
        {
            return null;
        }

        return Defined(source.Type, "source.type", allowUnspecified: true)
            ?? Defined(source.Reliability, "source.reliability", allowUnspecified: true)
            ?? (source.Credibility is >= 0 and <= 6 ? null : Violation("source.credibility", "OUT_OF_RANGE", "Must be 0 (not graded) or 1-6."))
            ?? (source.Corroborations is >= 0 and <= 1000 ? null : Violation("source.corroborations", "OUT_OF_RANGE", "Must be 0-1000."));
    }

    private static FieldViolation? Tags(CaseRecord record)
    {
        if (record.Tags.Count > MaxTags)
        {
            return Violation("tags", "TOO_MANY", $"At most {MaxTags} tags.");
        }

        for (var i = 0; i < record.Tags.Count; i++)
        {
            if (!Tag().IsMatch(record.Tags[i]))
            {
                return Violation($"tags[{i}]", "INVALID_FORMAT", "Must be 1-40 of a-z, 0-9, _ and -.");
            }

            if (Identifiers(record.Tags[i], $"tags[{i}]") is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static FieldViolation? Text(string value, string field, int maxLength, bool allowNewlines)
    {
        if (value.Length > maxLength)
        {
            return Violation(field, "TOO_LONG", $"At most {maxLength} characters.");
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) && !(allowNewlines && c is '\n' or '\r' or '\t'))
            {
                return Violation(field, "CONTROL_CHARACTER", "Control characters are not allowed.");
            }
        }

        return Identifiers(value, field);
    }

    /// <summary>A direct identifier in free text rejects the record, naming the field and the kind, never the value.</summary>
    private static FieldViolation? Identifiers(string value, string field) =>
        IdentifierGuard.Find(value) is { } kind
            ? Violation(field, kind, $"Contains what looks like a direct identifier ({kind.ToLowerInvariant().Replace('_', ' ')}); remove it. Names, contacts, ID numbers and exact birth dates never go to the server.")
            : null;

    private static FieldViolation? Defined<TEnum>(TEnum value, string field, bool allowUnspecified)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            return Violation(field, "UNKNOWN_VALUE", "Not a value this server knows.");
        }

        return !allowUnspecified && Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0
            ? Violation(field, "REQUIRED", "A value is required.")
            : null;
    }

    public static FieldViolation Violation(string field, string reason, string description) =>
        new() { Field = field, Reason = reason, Description = description };
}
