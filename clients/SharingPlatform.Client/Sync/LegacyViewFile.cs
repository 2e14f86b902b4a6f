using System.Text;
using Google.Protobuf;
using SharingPlatform.V1;

namespace SharingPlatform.Client.Sync;

/// <summary>
/// The view earlier versions kept: one protobuf-JSON record per line in FILE, the cursor in FILE.cursor, written
/// records first and cursor last. Read only to import it into a <see cref="LocalView"/>; errors give the line, never
/// its content (a raw input file given by mistake holds names).
/// </summary>
internal static class LegacyViewFile
{
    public static string CursorPath(string path) => path + ".cursor";

    /// <summary>True if <paramref name="path"/> and a non-empty cursor beside it exist: a view that can be resumed.</summary>
    public static bool IsResumable(string path) =>
        File.Exists(path) && File.Exists(CursorPath(path)) && File.ReadAllText(CursorPath(path)).Trim().Length > 0;

    public static string ReadCursor(string path) => File.ReadAllText(CursorPath(path)).Trim();

    public static IEnumerable<CaseRecord> ReadRecords(string path)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        for (var number = 1; ; number++)
        {
            string? line;
            try
            {
                line = reader.ReadLine();
            }
            catch (DecoderFallbackException)
            {
                throw NotAView(path, number);
            }

            if (line is null)
            {
                yield break;
            }

            if (line.Length > 0)
            {
                yield return Parse(path, number, line);
            }
        }
    }

    private static CaseRecord Parse(string path, int number, string line)
    {
        try
        {
            return JsonParser.Default.Parse<CaseRecord>(line);
        }
        catch (InvalidProtocolBufferException)
        {
            // The parser's message can quote the line: never show it.
            throw NotAView(path, number);
        }
        catch (InvalidJsonException)
        {
            throw NotAView(path, number);
        }
    }

    private static InvalidDataException NotAView(string path, int number) =>
        new($"{path}: line {number} is not a pulled record; is this the file pull wrote? Nothing was imported.");
}
