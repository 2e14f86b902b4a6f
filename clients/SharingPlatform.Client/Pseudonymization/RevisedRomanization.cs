using System.Text;

namespace SharingPlatform.Client.Pseudonymization;

/// <summary>
/// Hangul syllables to Revised Romanization, syllable by syllable (no sound-change rules across syllables,
/// as given names are written on documents). Deterministic, so a given name written in Hangul and the same
/// name written in RR (any case, with or without hyphens or spaces) meet.
/// </summary>
public static class RevisedRomanization
{
    private static readonly string[] Initials = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"];

    private static readonly string[] Vowels =
        ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"];

    private static readonly string[] Finals =
        ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"];

    private const int FirstSyllable = 0xAC00;
    private const int LastSyllable = 0xD7A3;

    /// <summary>Romanizes every Hangul syllable; other characters pass through unchanged.</summary>
    public static string Romanize(string text)
    {
        var builder = new StringBuilder(text.Length * 3);
        foreach (var c in text)
        {
            if (c is >= (char)FirstSyllable and <= (char)LastSyllable)
            {
                var index = c - FirstSyllable;
                builder.Append(Initials[index / (21 * 28)]).Append(Vowels[index % (21 * 28) / 28]).Append(Finals[index % 28]);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
