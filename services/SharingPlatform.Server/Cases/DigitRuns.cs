using System.Buffers;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// Reads numbers however their digits were split: digit groups joined only by spaces, dots, slashes, dashes,
/// brackets or underscores form one run (<c>138 1234 5678</c>, <c>1.3.8.1...</c>, <c>138_1234_5678</c>; a plus sign starts one),
/// and every stretch of whole groups in a run is tried as a PRC resident ID, a phone number and a passport number;
/// any nine digits left together are an ID number. Dates inside a run (<c>2024-03-15</c>, <c>15.03.2024</c>,
/// <c>2023. 10. 9.</c>, <c>2023-10</c>, <c>2019-2021</c>) split it, and groups that are all years count for nothing,
/// so that event dates, times, ranges and counts stay ordinary text. Works on <see cref="GuardText"/>'s output.
/// </summary>
internal static class DigitRuns
{
    private enum Kind { None, IdNumber, Passport, Phone, ResidentId }

    /// <summary>
    /// A digit group; <c>Mark</c> is what separates it from the previous one: ' ' (spaces or nothing), '-', '.', '/', or
    /// '?' for anything else; <c>Bare</c> when that was the mark alone, without spaces.
    /// </summary>
    private readonly record struct Group(int Offset, int Length, char Mark, bool Bare, bool Plus);

    /// <summary>The kind of the strongest number found in <paramref name="text"/>, or null.</summary>
    public static string? Find(string text)
    {
        var i = text.AsSpan().IndexOfAnyInRange('0', '9');
        if (i < 0)
        {
            return null;
        }

        var strongest = Kind.None;
        var groups = new List<Group>();
        var dates = new List<(int First, int Count)>();
        var digits = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            while (i < text.Length && strongest != Kind.ResidentId)
            {
                if (!char.IsAsciiDigit(text[i]))
                {
                    var next = text.AsSpan(i).IndexOfAnyInRange('0', '9');
                    i = next < 0 ? text.Length : i + next;
                    continue;
                }

                groups.Clear();
                var plus = PlusBefore(text, i, out var letterPrefix);
                var (mark, gapLength) = (' ', 0);
                var count = 0;
                var trailingX = false;
                while (true)
                {
                    var start = i;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        digits[count++] = text[i++];
                    }

                    groups.Add(new Group(count - (i - start), i - start, mark, gapLength == 1 && mark != '?', plus));
                    (mark, gapLength, plus) = (' ', 0, false);

                    // A plus sign starts another number (+86 ...), so it ends this run.
                    while (i < text.Length && IsSeparator(text[i]) && text[i] != '+')
                    {
                        Note(text[i++], ref mark);
                        gapLength++;
                    }

                    if (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        continue;
                    }

                    if (i < text.Length && text[i] is 'X' or 'x' && (i + 1 == text.Length || !char.IsAsciiLetterOrDigit(text[i + 1])))
                    {
                        trailingX = true;
                        i++;
                    }

                    break;
                }

                strongest = Max(strongest, Classify(groups, dates, digits.AsSpan(0, count), letterPrefix, trailingX));
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(digits);
        }

        return strongest switch
        {
            Kind.ResidentId => "RESIDENT_ID_NUMBER",
            Kind.Phone => "PHONE_NUMBER",
            Kind.Passport => "PASSPORT_NUMBER",
            Kind.IdNumber => "ID_NUMBER",
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="kind"/>, from <see cref="Find"/>, outranks a spelled-out phone number.</summary>
    public static bool IsStrongerThanSpelledPhone(string? kind) => kind is "RESIDENT_ID_NUMBER" or "PHONE_NUMBER";

    private static bool IsSeparator(char c) =>
        c is ' ' or '.' or '/' or '-' or '(' or ')' or '_' or '+' or '\u00B7' or '\u2022' or '\u30FB' or '\u2027' || char.IsWhiteSpace(c);

    private static void Note(char c, ref char mark)
    {
        if (char.IsWhiteSpace(c))
        {
            return;
        }

        mark = mark == ' ' && (c is '-' or '.' or '/') ? c : '?';
    }

    /// <summary>Whether a plus sign precedes the run at <paramref name="start"/>, and whether one or two letters stand before it.</summary>
    private static bool PlusBefore(string text, int start, out bool letterPrefix)
    {
        var plus = false;
        var j = start - 1;
        while (j >= 0 && start - j <= 8 && IsSeparator(text[j]))
        {
            plus |= text[j--] == '+';
        }

        var gap = start - 1 - j;
        var plainGap = !text.AsSpan(j + 1, gap).ContainsAnyExcept(' ', '-');
        var (letters, upper) = (0, true);
        while (j >= 0 && letters < 3 && char.IsAsciiLetter(text[j]))
        {
            upper &= char.IsAsciiLetterUpper(text[j]);
            (letters, j) = (letters + 1, j - 1);
        }

        // Written apart from the digits (by spaces or a dash), only capitals make a passport number: "on 2024-03-14" and
        // "in 2023 5000" are words, "D.O.B. 20-10-1957" an abbreviation.
        letterPrefix = !plus && (gap == 0 || (gap <= 3 && plainGap && upper)) && letters is 1 or 2
            && (j < 0 || !(char.IsAsciiLetterOrDigit(text[j]) || text[j] == '.'));
        return plus;
    }

    private static Kind Classify(List<Group> groups, List<(int First, int Count)> dates, ReadOnlySpan<char> digits, bool letterPrefix, bool trailingX)
    {
        if (digits.Length < 7)
        {
            return Kind.None;
        }

        FindDates(groups, dates, digits, letterPrefix);

        // An ID number holds its own date, so it is read across a date at its place in the number.
        if (HasResidentId(groups, dates, digits, trailingX))
        {
            return Kind.ResidentId;
        }

        var strongest = Kind.None;
        var segmentStart = 0;
        foreach (var (first, count) in dates)
        {
            strongest = Max(strongest, Segment(groups, digits, segmentStart, first, letterPrefix && segmentStart == 0));
            segmentStart = first + count;
        }

        return Max(strongest, Segment(groups, digits, segmentStart, groups.Count, letterPrefix && segmentStart == 0));
    }

    /// <summary>The dates written apart in a run. An international number (after a plus) holds none, and after one or two
    /// letters the groups are a passport number, whatever date they look like (<c>E-1994-2003</c>).</summary>
    private static void FindDates(List<Group> groups, List<(int First, int Count)> dates, ReadOnlySpan<char> digits, bool letterPrefix)
    {
        dates.Clear();
        if (groups[0].Plus)
        {
            return;
        }

        var k = letterPrefix ? 1 : 0;
        var lastDateEnd = -1;
        while (k < groups.Count)
        {
            var date = DateLength(groups, digits, k);
            if (date == 0 || !IsSetApart(groups, digits, k, date, lastDateEnd))
            {
                k++;
                continue;
            }

            dates.Add((k, date));
            k += date;
            lastDateEnd = k;
        }
    }

    private static Kind Max(Kind a, Kind b) => a > b ? a : b;

    private static bool HasResidentId(List<Group> groups, List<(int First, int Count)> dates, ReadOnlySpan<char> digits, bool trailingX)
    {
        Span<char> id = stackalloc char[18];
        var nearby = 0;
        for (var k = 0; k < groups.Count; k++)
        {
            // Dates are in order: skip those that end before this group, so each window looks at a few at most.
            while (nearby < dates.Count && dates[nearby].First + dates[nearby].Count <= k)
            {
                nearby++;
            }

            var start = groups[k].Offset;
            var end = start;
            for (var j = k; j < groups.Count && end - start < 18; j++)
            {
                end += groups[j].Length;
                if (end - start == 18 && Fits(start, j) && NumberShapes.IsResidentId(digits.Slice(start, 18)))
                {
                    return true;
                }

                if (end - start == 17 && trailingX && j == groups.Count - 1 && Fits(start, j))
                {
                    digits.Slice(start, 17).CopyTo(id);
                    id[17] = 'X';
                    if (NumberShapes.IsResidentId(id))
                    {
                        return true;
                    }
                }
            }
        }

        return false;

        // A date inside the number must be its birth date, digits 7 to 14: "2024-03-20. 050-320-84990" is no ID.
        bool Fits(int start, int last)
        {
            for (var d = nearby; d < dates.Count && dates[d].First <= last; d++)
            {
                var (first, count) = dates[d];
                var (from, to) = (groups[first].Offset, groups[first + count - 1].Offset + groups[first + count - 1].Length);
                if (from != start + 6 || to != start + 14)
                {
                    return false;
                }
            }

            return true;
        }
    }

    private static Kind Segment(List<Group> groups, ReadOnlySpan<char> digits, int first, int end, bool letterPrefix)
    {
        if (first >= end || (!letterPrefix && AllYears(groups, digits, first, end)))
        {
            return Kind.None;
        }

        var passport = false;
        for (var k = first; k < end; k++)
        {
            var start = groups[k].Offset;
            var stop = start;
            for (var j = k; j < end && stop - start < 17; j++)
            {
                stop += groups[j].Length;
                var window = digits[start..stop];
                if (NumberShapes.IsPhone(window, groups[k].Plus))
                {
                    return Kind.Phone;
                }

                passport |= letterPrefix && k == first && window.Length is 7 or 8;
            }
        }

        var total = groups[end - 1].Offset + groups[end - 1].Length - groups[first].Offset;
        return passport ? Kind.Passport : total >= 9 ? Kind.IdNumber : Kind.None;
    }

    /// <summary>
    /// A date is written apart from what surrounds it: the groups next to it are not joined to it the way its own parts
    /// are (<c>06.12.34.56.78</c> and <c>191 - 1988 - 1949</c> are phone numbers, not dates), unless they are dates too
    /// (<c>2023. 10. 9. 2024. 4. 26.</c>); a sentence may end after it (<c>20.03.2024. 1960</c>). Each neighbour is compared
    /// with the date's own mark on its side: in <c>2024. 1.3.8.1...</c> the first mark is the end of a sentence and the
    /// last one the dot that also joins the digits after it, so that no date takes digits from the number. Digits written
    /// one at a time are one number, however they are joined: a date's one-digit day or month is not taken from two or
    /// more single digits beside it (<c>1.2.3.4.5.6.7.8.9. 2024</c>, <c>2024. 1. 2.3.4...</c>), while one count beside
    /// a date is still a count (<c>cell 4 1.3.2024</c>).
    /// </summary>
    private static bool IsSetApart(List<Group> groups, ReadOnlySpan<char> digits, int k, int length, int lastDateEnd)
    {
        var last = k + length - 1;
        var before = k == 0 || k == lastDateEnd || (!SameMark(groups[k], groups[k + 1]) && !SingleDigits(groups, k - 2, 3));
        var after = last + 1 == groups.Count || DateLength(groups, digits, last + 1) > 0
            || (!SameMark(groups[last + 1], groups[last]) && !SingleDigits(groups, last, 3));
        return before && after;
    }

    /// <summary>Whether the <paramref name="count"/> groups from <paramref name="first"/> exist and hold one digit each.</summary>
    private static bool SingleDigits(List<Group> groups, int first, int count)
    {
        if (first < 0 || first + count > groups.Count)
        {
            return false;
        }

        for (var k = first; k < first + count; k++)
        {
            if (groups[k].Length != 1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether two groups are joined to their previous ones the same way.</summary>
    private static bool SameMark(Group a, Group b) => a.Mark == b.Mark && a.Bare == b.Bare;

    /// <summary>How many groups from <paramref name="k"/> form a date (year-month-day either way round, year-month, month-year, year-year), or 0.</summary>
    private static int DateLength(List<Group> groups, ReadOnlySpan<char> digits, int k)
    {
        if (k + 2 < groups.Count && groups[k + 1].Mark is '-' or '.' or '/' && groups[k + 2].Mark == groups[k + 1].Mark)
        {
            var (a, b, c) = (groups[k], groups[k + 1], groups[k + 2]);
            if (IsYear(a, digits) && IsInRange(b, digits, 12) && IsInRange(c, digits, 31))
            {
                return 3;
            }

            if ((IsYear(c, digits) || c.Length == 2)
                && ((IsInRange(a, digits, 31) && IsInRange(b, digits, 12)) || (IsInRange(a, digits, 12) && IsInRange(b, digits, 31))))
            {
                return 3;
            }
        }

        // Year and month: a one-digit month only right after its mark (2024-3, not "in 2024. 1 3 8 ...").
        if (k + 1 < groups.Count && groups[k + 1].Mark is '-' or '.' or '/')
        {
            var (a, b) = (groups[k], groups[k + 1]);
            var month = b.Length == 2 || b.Bare;
            if ((IsYear(a, digits) && ((month && IsInRange(b, digits, 12)) || IsYear(b, digits))) || (IsInRange(a, digits, 12) && IsYear(b, digits)))
            {
                return 2;
            }
        }

        return 0;
    }

    private static bool AllYears(List<Group> groups, ReadOnlySpan<char> digits, int first, int end)
    {
        for (var k = first; k < end; k++)
        {
            if (!IsYear(groups[k], digits))
            {
                return false;
            }
        }

        return true;
    }

    private static int Value(Group group, ReadOnlySpan<char> digits)
    {
        var value = 0;
        foreach (var d in digits.Slice(group.Offset, group.Length))
        {
            value = (value * 10) + (d - '0');
        }

        return value;
    }

    private static bool IsYear(Group group, ReadOnlySpan<char> digits) => group.Length == 4 && Value(group, digits) is >= 1900 and <= 2099;

    private static bool IsInRange(Group group, ReadOnlySpan<char> digits, int max) => group.Length is 1 or 2 && Value(group, digits) is var v && v >= 1 && v <= max;
}
