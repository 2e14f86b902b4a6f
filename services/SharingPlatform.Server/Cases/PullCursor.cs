using System.Buffers.Binary;
using System.Buffers.Text;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The opaque pull cursor: the last change-sequence position delivered and the time the agreements were
/// evaluated at, base64url encoded. It grants nothing: every pull is authorized afresh, and only what the
/// caller may see now is sent, so a forged cursor changes nothing but where the caller's view resumes.
/// </summary>
public readonly record struct PullCursor(long Seq, DateTime Time)
{
    private const byte Version = 1;
    private const int Size = 17;

    public static PullCursor Start => new(0, DateTime.MinValue);

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], Seq);
        BinaryPrimitives.WriteInt64BigEndian(bytes[9..], Time.Ticks);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryParse(string text, out PullCursor cursor)
    {
        cursor = Start;
        if (text.Length == 0)
        {
            return true;
        }

        Span<byte> bytes = stackalloc byte[Size];
        if (text.Length != 23 || !Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != Size || bytes[0] != Version)
        {
            return false;
        }

        var seq = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[9..]);
        if (seq < 0 || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        cursor = new PullCursor(seq, new DateTime(ticks, DateTimeKind.Utc));
        return true;
    }
}
