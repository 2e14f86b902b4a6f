using System.Text.RegularExpressions;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The ingest guard for free text: finds direct identifiers that must never reach the server (e-mail addresses,
/// phone numbers, Chinese resident ID numbers, passport and other long ID numbers, and birth dates finer than a
/// year). It reports the kind only; the caller names the field; nobody repeats the value. It cannot find names.
/// </summary>
public static partial class IdentifierGuard
{
    private const int TimeoutMs = 250;

    private static readonly (string Kind, Regex Pattern)[] Detectors =
    [
        ("EMAIL_ADDRESS", Email()),
        ("RESIDENT_ID_NUMBER", ChineseResidentId()),
        ("PHONE_NUMBER", ChineseMobile()),
        ("PHONE_NUMBER", KoreanPhone()),
        ("PHONE_NUMBER", ChineseLandline()),
        ("PHONE_NUMBER", InternationalPhone()),
        ("PASSPORT_NUMBER", Passport()),
        ("ID_NUMBER", LongNumber()),
        ("BIRTH_DATE", BirthDate()),
        ("BIRTH_DATE", BirthDateFirst()),
    ];

    /// <summary>The kind of the first direct identifier in <paramref name="text"/>, or null when none is found.</summary>
    public static string? Find(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        foreach (var (kind, pattern) in Detectors)
        {
            try
            {
                if (pattern.IsMatch(text))
                {
                    return kind;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // Text built to defeat the detectors is refused rather than let through.
                return "UNCHECKABLE_TEXT";
            }
        }

        return null;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex Email();

    // 18 characters: region (6), birth date (8), sequence (3), check digit or X.
    [GeneratedRegex(@"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex ChineseResidentId();

    // 1[3-9]x xxxx xxxx, optionally +86, digits optionally separated by single spaces or hyphens.
    [GeneratedRegex(@"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex ChineseMobile();

    // 010-1234-5678, 02-123-4567, +82 10 1234 5678.
    [GeneratedRegex(@"(?<![0-9])(?:\+?82[ -]?|0)(?:1[016789]|2|[3-6][1-5])[- )]?[0-9]{3,4}[ -]?[0-9]{4}(?![0-9])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex KoreanPhone();

    // 0415-1234567, 010-12345678.
    [GeneratedRegex(@"(?<![0-9])0[0-9]{2,3}-[0-9]{7,8}(?![0-9])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex ChineseLandline();

    // +850 2 381 8111, +66 (2) 123 4567.
    [GeneratedRegex(@"\+[0-9]{1,3}[ -]?\(?[0-9]{1,4}\)?(?:[ -]?[0-9]{2,4}){2,4}", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex InternationalPhone();

    // One or two letters and 7-8 digits: E12345678 (PRC), M12345678 (ROK), 654321987 is caught as an ID number.
    [GeneratedRegex(@"(?<![0-9A-Za-z])[A-Za-z]{1,2}[0-9]{7,8}(?![0-9A-Za-z])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex Passport();

    // Nine or more digits in a row: passport, citizen and card numbers. Years and counts are shorter.
    [GeneratedRegex(@"(?<![0-9])[0-9]{9,}(?![0-9])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex LongNumber();

    // "born 15 March 1994", "DOB 1994-03-15", "생년월일 1994년 3월", "出生于1994年3月15日": a birth word, then a date with a month.
    [GeneratedRegex(
        @"(?:born|birth|dob|d\.o\.b|생년월일|생일|출생|태어|出生|生于|生日)[^0-9\n]{0,20}" +
        @"(?:[0-9]{4}\s*[-./년年]\s*[0-9]{1,2}|[0-9]{1,2}\s*[-./]\s*[0-9]{1,2}\s*[-./]\s*[0-9]{2,4}|[0-9]{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+[0-9]{1,4})",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex BirthDate();

    // "1994年3月出生", "1994년 3월 15일 출생": a date with a month, then a birth word.
    [GeneratedRegex(@"[0-9]{4}\s*[-./년年]\s*[0-9]{1,2}\s*[월月]?(?:\s*[-./]?\s*[0-9]{1,2}\s*[일日]?)?[^0-9\n]{0,6}(?:出生|生于|出世|출생|태어)", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex BirthDateFirst();
}
