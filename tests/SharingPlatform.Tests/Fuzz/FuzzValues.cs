using System.Text;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// Values that break parsers and checks, drawn from a seeded <see cref="Random"/>: text with control, format,
/// combining and surrogate characters, other scripts' digits, lengths at every limit; numbers at every bound; and
/// mutations of valid bytes or text (flipped bits, cuts, repeats, insertions).
/// </summary>
public static class FuzzValues
{
    /// <summary>Pieces that some check treats specially; lone surrogates included (ill-formed UTF-16).</summary>
    private static readonly string[] Pieces =
    [
        "", "a", "Z", "z", "0", "9", "-", "_", "/", ".", ",", ";", ":", "|", "=", "+", "@", "#", "%", "\\", "\"", "'", "{", "}", "[", "]",
        " ", "  ", "\t", "\n", "\r\n", "\r", "\0", "\u0001", "\u001B", "\u007F", "\u0085", "\u00A0", "\u2028", "\u2029",
        "\u200B", "\u200D", "\u2060", "\uFEFF", "\u00AD", "\u202E", "\u2066", "\u0301", "\u20DD", "e\u0301", "\u00E9",
        "\u0661", "\uFF10", "\uFF11", "\u09E6", "\U0001D7CE", "\uFF20", "\uFE6B", "\u2024", "\u2013", "\u3000",
        "\u01C5", "\u0130", "\u00DF", "\u216B", "\uFB01", "\u1E9E", "\u0345", "\u0390", "\u01F0", "\uD55C", "\u4E2D", "\u3131",
        "\uD83D\uDE42", "\uD83D", "\uDE42", "\uDBFF\uDFFF", "\uFFFD", "\uFFFE", "\uFFFF", "\uE000",
        "KP-", "KP-09", "CN", "CN-LN", "tenants/", "/cases/", "c1", "2024", "1994-03-15", "+8613912345678", "mira@example.org",
        "null", "true", "-1", "1e400", "NaN", "AAAA", "====", "%00", "\u1100\u1161",
    ];

    private static readonly int[] Lengths = [39, 40, 41, 42, 43, 44, 54, 55, 56, 63, 64, 65, 99, 100, 101, 199, 200, 201, 255, 256, 257, 1000, 19_999, 20_000, 20_001, 70_000];

    /// <summary>The limits the contract and the checks use; each is drawn with one off either side.</summary>
    private static readonly long[] Bounds =
    [
        0, 6, 12, 20, 28, 30, 31, 40, 50, 63, 64, 100, 200, 500, 1000, 1900, DateTime.UtcNow.Year, 9999, 65_536,
        int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue, DateTime.MaxValue.Ticks, 253_402_300_799, 1_000_000_000,
    ];

    public static string Text(Random random) => random.Next(10) switch
    {
        < 4 => string.Concat(Enumerable.Range(0, random.Next(0, 12)).Select(_ => Pieces[random.Next(Pieces.Length)])),
        < 6 => new string([.. Enumerable.Range(0, random.Next(0, 48)).Select(_ => (char)random.Next(0, 0x10000))]),
        < 8 => new string([.. Enumerable.Range(0, random.Next(0, 48)).Select(_ => (char)random.Next(0x20, 0x7F))]),
        8 => AtALimit(random),
        _ => Mutate(Pieces[random.Next(Pieces.Length)] + Pieces[random.Next(Pieces.Length)], random),
    };

    /// <summary>Text at or around one of the limits, of one repeated piece or of random letters.</summary>
    public static string AtALimit(Random random)
    {
        var length = Lengths[random.Next(Lengths.Length)];
        if (random.Next(2) == 0)
        {
            var piece = Pieces[random.Next(1, Pieces.Length)];
            return new StringBuilder(length + piece.Length).Insert(0, piece, (length / piece.Length) + 1).ToString(0, length);
        }

        return new string([.. Enumerable.Range(0, length).Select(_ => (char)random.Next('a', 'z' + 1))]);
    }

    public static long Number(Random random) => random.Next(4) switch
    {
        0 => random.NextInt64(long.MinValue, long.MaxValue),
        1 => random.NextInt64(-5, 3000),
        _ => unchecked(Bounds[random.Next(Bounds.Length)] + random.Next(-1, 2)),
    };

    public static int Number32(Random random) => unchecked((int)Number(random));

    public static byte[] Bytes(Random random, int maxLength)
    {
        var bytes = new byte[random.Next(0, maxLength + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>One to four edits of <paramref name="valid"/>: a bit flipped, a byte set, a cut, a range repeated or removed, bytes inserted.</summary>
    public static byte[] Mutate(byte[] valid, Random random)
    {
        var bytes = new List<byte>(valid);
        for (var edits = random.Next(1, 5); edits > 0; edits--)
        {
            var at = random.Next(0, bytes.Count + 1);
            switch (random.Next(7))
            {
                case 0 when at < bytes.Count:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when at < bytes.Count:
                    bytes[at] = (byte)(random.Next(3) == 0 ? 0xFF : random.Next(256));
                    break;
                case 2:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 3 when at < bytes.Count:
                    var count = random.Next(1, Math.Min(64, bytes.Count - at) + 1);
                    bytes.InsertRange(at, bytes.GetRange(at, count));
                    break;
                case 4 when at < bytes.Count:
                    bytes.RemoveRange(at, random.Next(1, bytes.Count - at + 1));
                    break;
                default:
                    bytes.InsertRange(at, Bytes(random, 8));
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>One to four edits of <paramref name="valid"/> at the character level.</summary>
    public static string Mutate(string valid, Random random)
    {
        var text = new StringBuilder(valid);
        for (var edits = random.Next(1, 5); edits > 0; edits--)
        {
            var at = random.Next(0, text.Length + 1);
            switch (random.Next(6))
            {
                case 0 when at < text.Length:
                    text[at] = (char)(text[at] ^ (1 << random.Next(7)));
                    break;
                case 1:
                    text.Length = at;
                    break;
                case 2 when at < text.Length:
                    text.Remove(at, random.Next(1, text.Length - at + 1));
                    break;
                case 3 when at < text.Length:
                    text.Insert(at, text.ToString(at, random.Next(1, Math.Min(16, text.Length - at) + 1)));
                    break;
                default:
                    text.Insert(at, Pieces[random.Next(Pieces.Length)]);
                    break;
            }
        }

        return text.ToString();
    }
}
