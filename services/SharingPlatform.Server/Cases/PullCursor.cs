using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The opaque pull cursor: the last change-sequence position delivered, the position and time the agreements
/// were judged at, and a MAC that binds them to the tenant, so a grantee can neither forge a past view of
/// its agreements nor read another tenant's cursor.
/// </summary>
public readonly record struct PullCursor(long Seq, long JudgedSeq, DateTime JudgedTime)
{
    private const byte Version = 2;
    private const int PayloadSize = 25;
    private const int MacSize = 16;

    public static PullCursor Start => new(0, 0, DateTime.MinValue);

    public string Format(byte[] key, long tenantId)
    {
        Span<byte> bytes = stackalloc byte[PayloadSize + MacSize];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], Seq);
        BinaryPrimitives.WriteInt64BigEndian(bytes[9..], JudgedSeq);
        BinaryPrimitives.WriteInt64BigEndian(bytes[17..], JudgedTime.Ticks);
        Mac(key, tenantId, bytes[..PayloadSize], bytes[PayloadSize..]);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryParse(string text, byte[] key, long tenantId, out PullCursor cursor)
    {
        cursor = Start;
        if (text.Length == 0)
        {
            return true;
        }

        Span<byte> bytes = stackalloc byte[PayloadSize + MacSize];
        Span<byte> expected = stackalloc byte[MacSize];
        if (text.Length != 55 || !Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != bytes.Length || bytes[0] != Version)
        {
            return false;
        }

        Mac(key, tenantId, bytes[..PayloadSize], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes[PayloadSize..]))
        {
            return false;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[17..]);
        cursor = new PullCursor(
            BinaryPrimitives.ReadInt64BigEndian(bytes[1..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[9..]),
            new DateTime(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc));
        return true;
    }

    private static void Mac(byte[] key, long tenantId, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[8 + PayloadSize];
        BinaryPrimitives.WriteInt64BigEndian(input, tenantId);
        payload.CopyTo(input[8..]);
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(key, input, full);
        full[..MacSize].CopyTo(destination);
    }
}
