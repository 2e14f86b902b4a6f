using System.Buffers;
using System.Text.RegularExpressions;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The ingest guard for free text: finds direct identifiers that must never reach the server (e-mail addresses,
/// phone numbers, Chinese resident ID numbers, passport and other long ID numbers, messaging handles after the app's
/// name, and birth dates finer than a year). It reports the kind only; the caller names the field; nobody repeats the
/// value. It cannot find names. Every detector reads one normalized form of the text (<see cref="GuardText"/>), so
/// full-width or other scripts' digits, zero-width characters and split digit groups hide nothing.
/// </summary>
public static partial class IdentifierGuard
{
    // Generous, because a match on a busy machine may wait for the processor; no pattern here can backtrack for long.
    private const int TimeoutMs = 1000;
    private const string WarmUpText = "mira@example.org mira at example.org KakaoTalk: mira_94 born 15 March 1994, 94년 3월 15일생";
    private const string Blank = @"[^\S\n]";
    // Atomic: no mark between labels is a label character, so giving characters back could never help a match.
    private const string Label = "(?>[A-Za-z0-9-]{1,63})";
    private const string TopLabel = "(?>[A-Za-z][A-Za-z0-9-]{1,62})(?![A-Za-z0-9-])";
    private const string TopLevelDomain = "(?:com|net|org|edu|gov|info|biz|io|kr|cn|jp|ru|uk|de|fr|ca|au|th|vn|hk|tw|mn|la|kp)(?![A-Za-z0-9-])";

    // "@" (NFKC makes "＠" one), "(at)", "[at]", "골뱅이"; a dot, "(dot)", " dot ", or a spaced dot before a known domain.
    private const string At = "(?:@|[(\\[{<]" + Blank + "{0,2}at" + Blank + "{0,2}[)\\]}>]|골뱅이)";
    private const string Dot = "(?:\\.|" + Blank + "{0,3}[(\\[{<]" + Blank + "{0,2}dot" + Blank + "{0,2}[)\\]}>]" + Blank + "{0,3}|"
        + Blank + "{1,3}dot" + Blank + "{1,3}|" + Blank + "{0,3}\\." + Blank + "{0,3}(?=" + TopLevelDomain + "))";

    // Every repetition is bounded, so that no text can make a pattern backtrack for long.
    private const string DateForms =
        @"(?:[0-9]{2,4}\s{0,3}[-./년年]\s{0,3}[0-9]{1,2}" +
        @"|[0-9]{1,2}\s{0,3}[-./]\s{0,3}[0-9]{1,2}\s{0,3}[-./]\s{0,3}[0-9]{2,4}" +
        @"|[0-9]{1,2}\s{1,3}[0-9]{1,2}\s{1,3}[0-9]{4}" +
        @"|[0-9]{1,2}(?:st|nd|rd|th)?\s{1,3}(?:of\s{1,3})?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)" +
        @"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?\s{1,3}[0-9]{1,4}" +
        @"|[0-9]{1,2}\s{0,3}[월月]\s{0,3}[0-9]{1,2}\s{0,3}[일日号]" +
        @"|(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?![0-9]))";

    private static readonly SearchValues<char> HandleMarks = SearchValues.Create(":@=");
    private static readonly SearchValues<char> StrongHandleCharacters = SearchValues.Create("0123456789_");

    // A detector's first match compiles its code, which on a busy machine can take longer than the timeout: done once
    // here, so that a slow start never refuses a record as UNCHECKABLE_TEXT.
    static IdentifierGuard()
    {
        foreach (var detector in (Regex[])[EmailAddress(), EmailAddressWithWordAt(), MessagingHandle(), BirthWordThenDate(), DateThenBirthWord()])
        {
            try
            {
                detector.IsMatch(WarmUpText);
            }
            catch (RegexMatchTimeoutException)
            {
                // Compiled all the same; the next match runs at full speed.
            }
        }
    }

    /// <summary>The kind of the first direct identifier in <paramref name="text"/>, or null when none is found.</summary>
    public static string? Find(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        string normalized;
        try
        {
            normalized = GuardText.Normalize(text);
        }
        catch (ArgumentException)
        {
            // Ill-formed UTF-16 cannot be normalized, so it cannot be checked either.
            return "UNCHECKABLE_TEXT";
        }

        try
        {
            return Detect(normalized);
        }
        catch (RegexMatchTimeoutException)
        {
            // Text built to defeat the detectors is refused rather than let through.
            return "UNCHECKABLE_TEXT";
        }
    }

    private static string? Detect(string text)
    {
        if (HasEmailAddress(text, EmailAddress()) || HasEmailAddress(text, EmailAddressWithWordAt()))
        {
            return "EMAIL_ADDRESS";
        }

        var hasDigits = text.AsSpan().ContainsAnyInRange('0', '9');
        var number = hasDigits ? DigitRuns.Find(text) : null;
        if (DigitRuns.IsStrongerThanSpelledPhone(number))
        {
            return number;
        }

        if (SpelledDigits.HasPhoneNumber(text))
        {
            return "PHONE_NUMBER";
        }

        if (number is not null)
        {
            return number;
        }

        if (HasMessagingHandle(text))
        {
            return "MESSAGING_HANDLE";
        }

        return hasDigits && HasBirthDate(text) ? "BIRTH_DATE" : null;
    }

    private static bool HasEmailAddress(string text, Regex pattern)
    {
        for (var found = pattern.Match(text); found.Success; found = found.NextMatch())
        {
            // A local part ends at most three blanks before the "@" or "at".
            var j = found.Index - 1;
            while (j >= 0 && found.Index - j <= 3 && text[j] is ' ' or '\t')
            {
                j--;
            }

            if (j >= 0 && (char.IsAsciiLetterOrDigit(text[j]) || text[j] is '.' or '_' or '%' or '+' or '-'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A birth date, also when its digits were spelled one at a time (<c>born 1 5 March 1 9 9 4</c>).</summary>
    private static bool HasBirthDate(string text)
    {
        if (BirthWordThenDate().IsMatch(text) || DateThenBirthWord().IsMatch(text))
        {
            return true;
        }

        var joined = GuardText.JoinSpacedDigits(text);
        return !ReferenceEquals(joined, text) && (BirthWordThenDate().IsMatch(joined) || DateThenBirthWord().IsMatch(joined));
    }

    /// <summary>
    /// A handle after a messaging app's name counts when it is marked as one (<c>WeChat: mira</c>, <c>Telegram @mira</c>)
    /// or, after an app name that is no ordinary word, when it holds a digit or underscore (<c>KakaoTalk mira_94</c>).
    /// </summary>
    private static bool HasMessagingHandle(string text)
    {
        for (var found = MessagingHandle().Match(text); found.Success; found = found.NextMatch())
        {
            if (found.Index > 0 && char.IsAsciiLetter(text[found.Index - 1]))
            {
                continue;
            }

            var handle = found.Groups["handle"].ValueSpan.TrimEnd("._-");
            var gap = found.Groups["gap"].ValueSpan;
            var marked = gap.ContainsAny(HandleMarks) || found.Groups["link"].Success;
            var named = found.Groups["marker"].Success || gap.Contains("아이디", StringComparison.Ordinal) || gap.Contains('号') || gap.Contains("계정", StringComparison.Ordinal);
            var strong = handle.ContainsAny(StrongHandleCharacters);
            if (handle.Length >= 3 && (handle.ContainsAnyInRange('a', 'z') || handle.ContainsAnyInRange('A', 'Z'))
                && (marked || (strong && (named || found.Groups["app"].Success))))
            {
                return true;
            }
        }

        return false;
    }

    // The local part before the "@" is checked in code (HasLocalPart), so that the search starts at the rare "@" or bracket.
    [GeneratedRegex(At + Blank + "{0,3}(?:" + Label + Dot + ")+?" + TopLabel, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex EmailAddress();

    // "mira at example dot org", "mira at example.org": the word "at" only when a known top-level domain ends it.
    [GeneratedRegex(" at" + Blank + "{1,3}(?:" + Label + Dot + ")+?" + TopLevelDomain, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex EmailAddressWithWordAt();

    // App names that are no ordinary word (app), or are (LINE, Signal: the handle must then be marked), then a short
    // gap with an optional "ID", then the handle. That the name starts a word is checked in code: a lookbehind first
    // would make the search try every position.
    [GeneratedRegex(
        @"(?:(?<link>(?i:t\.me/))|(?<app>(?i:kakao[^\S\n]?talk|kakao|wechat|weixin|whats[^\S\n]?app|telegram|viber)|카카오톡|카카오|카톡|위챗|왓츠앱|텔레그램|微信)|LINE|Line|Signal|라인|시그널)" +
        @"(?<gap>[^A-Za-z0-9\n]{0,8}?(?:(?<marker>(?i:id|user[^\S\n]?name|handle|account))[^A-Za-z0-9\n]{0,4})?)" +
        @"(?<handle>[A-Za-z0-9][A-Za-z0-9_.-]{2,31})",
        RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex MessagingHandle();

    // "born 15 March 1994", "DOB 1994-03-15", "b. 15/03/1994", "생년월일 1994년 3월", "出生于1994年3月15日": a birth word, then a date with a month.
    [GeneratedRegex(
        @"(?:(?:born|birth|dob|d\.o\.b|생년월일|생일|출생|태어|出生|生于|生日)[^0-9\n]{0,20}|(?-i:b)(?<![A-Za-z]b)\.[^0-9A-Za-z\n]{0,3})" + DateForms,
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeoutMs)]
    private static partial Regex BirthWordThenDate();

    // "1994年3月出生", "1994년 3월 15일 출생", "94년 3월 15일생", "3月15日生": a date with a month, then a birth word. The date
    // starts a number and is taken whole (atomic), so that each digit is not tried again as the start of another.
    [GeneratedRegex(
        @"(?<![0-9])(?>[0-9]{2,4}\s{0,3}[-./년年]\s{0,3}[0-9]{1,2}\s{0,3}[월月]?(?:\s{0,3}[-./]?\s{0,3}[0-9]{1,2}\s{0,3}[일日号]?)?)[^0-9\n]{0,6}(?:出生|生于|出世|출생|태어)" +
        @"|(?<![0-9])[0-9]{1,2}\s{0,3}[월일月日号](?:생(?![존활산각겼긴명계사기겨물선전포환])|生(?![产活存命意病长效气还育]))",
        RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex DateThenBirthWord();
}
