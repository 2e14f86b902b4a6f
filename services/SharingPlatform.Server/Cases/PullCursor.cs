using System.Buffers.Binary;
using System.Buffers.Text;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The opaque pull cursor: a version byte and the last change sequence delivered, base64url encoded.
/// It grants nothing: every pull is authorized afresh, so a forged cursor only changes where the caller's
/// own view resumes.
/// </summary>
public static class PullCursor
{
    private const byte Version = 1;

    public static string Format(long seq)
    {
        Span<byte> bytes = stackalloc byte[9];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], seq);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryParse(string cursor, out long seq)
    {
        seq = 0;
        if (cursor.Length == 0)
        {
            return true;
        }

        Span<byte> bytes = stackalloc byte[9];
        if (cursor.Length != 12 || !Base64Url.TryDecodeFromChars(cursor, bytes, out var written) || written != 9 || bytes[0] != Version)
        {
            return false;
        }

        seq = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        return seq >= 0;
    }
}
