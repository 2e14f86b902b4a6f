using System.Buffers;
using System.Globalization;
using System.Text;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The one normalization the ingest guard's detectors read: NFKC (full-width and other compatibility forms become
/// ASCII), every Unicode decimal digit as its ASCII digit, format characters (zero-width space and joiners, soft
/// hyphen, BOM, bidi marks) removed, every dash as <c>-</c>, and combining marks after a digit dropped. Plain ASCII
/// comes back as the same instance, without allocating.
/// </summary>
internal static class GuardText
{
    private static readonly SearchValues<char> Unchanged = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x80).Select(c => (char)c)) + Range('\u4E00', '\u9FFF') + Range('\uAC00', '\uD7A3'));

    /// <summary>The normalized form of <paramref name="text"/>; throws <see cref="ArgumentException"/> on ill-formed UTF-16.</summary>
    public static string Normalize(string text)
    {
        // ASCII, Hangul syllables and the common CJK ideographs are left as they are by NFKC and by the mapping below.
        if (!text.AsSpan().ContainsAnyExcept(Unchanged))
        {
            return text;
        }

        var composed = text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        return NeedsMapping(composed) ? Map(composed) : composed;
    }

    /// <summary>
    /// <paramref name="text"/> (already normalized) with the spaces inside digits spelled one at a time removed, so
    /// that <c>1 9 9 4</c> reads as <c>1994</c>; the same instance when there are none.
    /// </summary>
    public static string JoinSpacedDigits(string text)
    {
        StringBuilder? joined = null;
        var copied = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                continue;
            }

            var gapEnd = i + 1;
            while (gapEnd < text.Length && text[gapEnd] is ' ' or '\t')
            {
                gapEnd++;
            }

            var alone = i == 0 || !char.IsAsciiDigit(text[i - 1]);
            var nextAlone = gapEnd + 1 >= text.Length || !char.IsAsciiDigit(text[gapEnd + 1]);
            if (gapEnd > i + 1 && gapEnd < text.Length && char.IsAsciiDigit(text[gapEnd]) && (alone || nextAlone))
            {
                joined ??= new StringBuilder(text.Length);
                joined.Append(text, copied, i + 1 - copied);
                copied = gapEnd;
            }
        }

        return joined is null ? text : joined.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>Every character from <paramref name="first"/> to <paramref name="last"/>, for building search sets.</summary>
    public static string Range(char first, char last) => string.Create(last - first + 1, first, (span, start) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = (char)(start + i);
        }
    });

    private static bool NeedsMapping(string text)
    {
        foreach (var c in text)
        {
            // Hangul syllables and CJK ideographs, most of a Korean or Chinese text, never change.
            if (c < 0x80 || c is (>= '\u3400' and <= '\u9FFF') or (>= '\uAC00' and <= '\uD7A3'))
            {
                continue;
            }

            if (char.IsSurrogate(c) || Changes(CharUnicodeInfo.GetUnicodeCategory(c)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Changes(UnicodeCategory category) => category is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.Format
        or UnicodeCategory.DashPunctuation or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark;

    private static string Map(string text)
    {
        var mapped = new StringBuilder(text.Length);
        Span<char> units = stackalloc char[2];
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                mapped.Append((char)rune.Value);
                continue;
            }

            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.DecimalDigitNumber:
                    mapped.Append((char)('0' + (int)Rune.GetNumericValue(rune)));
                    break;
                case UnicodeCategory.Format:
                    break;
                case UnicodeCategory.DashPunctuation:
                    mapped.Append('-');
                    break;
                case UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark
                    when mapped.Length > 0 && char.IsAsciiDigit(mapped[^1]):
                    break;
                default:
                    mapped.Append(units[..rune.EncodeToUtf16(units)]);
                    break;
            }
        }

        return mapped.ToString();
    }
}
