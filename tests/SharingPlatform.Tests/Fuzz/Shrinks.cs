namespace SharingPlatform.Tests.Fuzz;

/// <summary>Smaller versions of a failing byte string or text, for FsCheck to try: halves, then one cut piece at a time.</summary>
public static class Shrinks
{
    public static IEnumerable<byte[]> Bytes(byte[] input) => Cuts(input.Length).Select(c => (byte[])[.. input[..c.Start], .. input[c.End..]]);

    /// <summary>Cuts never split a surrogate pair, so that well-formed text stays well-formed.</summary>
    public static IEnumerable<string> Text(string input) =>
        Cuts(input.Length).Where(c => !Splits(input, c.Start) && !Splits(input, c.End)).Select(c => input[..c.Start] + input[c.End..]);

    private static bool Splits(string text, int at) => at > 0 && at < text.Length && char.IsLowSurrogate(text[at]) && char.IsHighSurrogate(text[at - 1]);

    private static IEnumerable<(int Start, int End)> Cuts(int length)
    {
        for (var size = length / 2; size > 0; size /= 2)
        {
            // Pieces of this size at every multiple of it; single characters only near the start, so shrinking stays quick.
            for (var start = 0; start + size <= length && (size > 1 || start < 64); start += size)
            {
                yield return (start, start + size);
            }
        }
    }
}
