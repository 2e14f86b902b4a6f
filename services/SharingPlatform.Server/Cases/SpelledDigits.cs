using System.Buffers;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// Finds a phone number spelled digit by digit in words: English (<c>one three eight</c>, <c>oh</c>, <c>zero</c>,
/// <c>double</c>), Sino-Korean syllables (<c>공일공 일이삼사</c>) and Chinese numerals (<c>幺三八</c>, <c>一二三</c>),
/// alone or mixed with digits, separated by spaces, dashes, commas or dots. At least eight digits, three of them in
/// words, make a number: ordinary sentences never chain that many (<c>one or two</c>, <c>삼 일 동안</c>, <c>五六百人</c>).
/// Works on <see cref="GuardText"/>'s output.
/// </summary>
internal static class SpelledDigits
{
    private const int MinDigits = 8;
    private const int MinSpelled = 3;
    private static readonly SearchValues<char> AsciiDigits = SearchValues.Create("0123456789");
    private static readonly SearchValues<char> AsciiLetters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    private static readonly SearchValues<char> HangulSyllables = SearchValues.Create(GuardText.Range('\uAC00', '\uD7A3'));

    private static readonly string[] Zero = ["zero"], O = ["one", "oh"], T = ["two", "three", "triple"], F = ["four", "five"],
        S = ["six", "seven"], E = ["eight"], N = ["nine"], D = ["double"];

    private static readonly SearchValues<char> KoreanDigitValues = SearchValues.Create("공영일이삼사오육칠팔구");
    private static readonly SearchValues<char> ChineseDigitValues = SearchValues.Create("〇零一二三四五六七八九幺壹贰貳叁參肆伍陆陸柒捌玖");

    /// <summary>Whether <paramref name="text"/> holds a number of at least eight digits spelled (partly) in words.</summary>
    public static bool HasPhoneNumber(string text)
    {
        var (total, spelled, repeat) = (0, 0, 1);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var token = c switch
            {
                _ when char.IsAsciiDigit(c) => Run(text, i, AsciiDigits, spelled: false),
                _ when char.IsAsciiLetter(c) => EnglishWord(text, i, ref repeat),
                _ when IsHangul(c) => KoreanWord(text, i),
                _ when c >= '\u3000' && ChineseDigitValues.Contains(c) => Run(text, i, ChineseDigitValues, spelled: true),
                _ => default,
            };

            if (token.Length == 0 && total > 0 && IsSeparator(c))
            {
                i++;
                continue;
            }

            total += token.Count;
            spelled += token.Spelled ? token.Count : 0;
            repeat = token.Count > 0 ? 1 : repeat;
            i += Math.Max(token.Length, 1);
            if (token.Length == 0 || token.Ends)
            {
                if (total >= MinDigits && spelled >= MinSpelled)
                {
                    return true;
                }

                (total, spelled, repeat) = (0, 0, 1);
            }
        }

        return total >= MinDigits && spelled >= MinSpelled;
    }

    /// <summary>What one token adds to a number: its length in text, its digits, whether they were words, whether it ends the number.</summary>
    private readonly record struct Token(int Length, int Count, bool Spelled, bool Ends);

    private static bool IsSeparator(char c) => c is '-' or ',' or '.' or '/' or '(' or ')' or '_' or '\u00B7' or '\u3001' || char.IsWhiteSpace(c);

    private static bool IsHangul(char c) => c is >= '\uAC00' and <= '\uD7A3';

    private static Token Run(string text, int start, SearchValues<char> belongs, bool spelled)
    {
        var length = Span(text, start, belongs);
        return new Token(length, length, spelled, Ends: false);
    }

    private static int Span(string text, int start, SearchValues<char> belongs)
    {
        var rest = text.AsSpan(start);
        var end = rest.IndexOfAnyExcept(belongs);
        return end < 0 ? rest.Length : end;
    }

    /// <summary>A whole English word: a digit word counts one (or two, three after double, triple); any other word ends the number.</summary>
    private static Token EnglishWord(string text, int start, ref int repeat)
    {
        var length = Span(text, start, AsciiLetters);
        var word = text.AsSpan(start, length);
        if (length is < 2 or > 6)
        {
            return new Token(length, 0, Spelled: false, Ends: true);
        }

        // One comparison per word: the first letter picks the only digit words it could be.
        var candidates = char.ToLowerInvariant(word[0]) switch
        {
            'z' => Zero, 'o' => O, 't' => T, 'f' => F, 's' => S, 'e' => E, 'n' => N, 'd' => D, _ => [],
        };
        foreach (var candidate in candidates)
        {
            if (word.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                if (candidate is "double" or "triple")
                {
                    repeat = candidate == "double" ? 2 : 3;
                    return new Token(length, 0, Spelled: true, Ends: false);
                }

                return new Token(length, repeat, Spelled: true, Ends: false);
            }
        }

        return new Token(length, 0, Spelled: false, Ends: true);
    }

    /// <summary>
    /// A whole Hangul word: all digit syllables counts them all; two or more digit syllables and then a particle
    /// (<c>오육칠팔로</c>) count and end the number; anything else (<c>이번</c>, <c>사람</c>) ends it.
    /// </summary>
    private static Token KoreanWord(string text, int start)
    {
        var length = Span(text, start, HangulSyllables);
        var digits = Span(text, start, KoreanDigitValues);
        return new Token(length, digits == length || digits >= 2 ? digits : 0, Spelled: true, Ends: digits != length);
    }
}
