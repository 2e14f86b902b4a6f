using System.Buffers.Binary;
using SharingPlatform.Server.Access;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The opaque pull cursor, sealed with <see cref="SealedToken"/> to the caller's tenant.
/// </summary>
/// <param name="Seq">The last change-sequence position delivered.</param>
/// <param name="JudgedSeq">With <paramref name="JudgedTime"/>: where the agreements were last judged in full. When
/// they differ now, the grantor's older records are judged again (backfill and tombstones).</param>
/// <param name="SeenSeq">With <paramref name="SeenTime"/>: the latest point at which a pull delivered records to this
/// cursor. An agreement can only have delivered a record at or before it, so tombstones look no further.</param>
public readonly record struct PullCursor(long Seq, long JudgedSeq, DateTime JudgedTime, long SeenSeq, DateTime SeenTime)
{
    private const int PayloadSize = 40;
    private static readonly byte[] Binding = "pull-cursor"u8.ToArray();

    public static PullCursor Start => new(0, 0, DateTime.MinValue, 0, DateTime.MinValue);

    /// <summary>A cursor at <paramref name="seq"/> whose agreements were judged, and records seen, at (<paramref name="high"/>, <paramref name="now"/>).</summary>
    public static PullCursor At(long seq, long high, DateTime now) => new(seq, high, now, high, now);

    public string Format(byte[] key, long tenantId)
    {
        Span<byte> payload = stackalloc byte[PayloadSize];
        BinaryPrimitives.WriteInt64BigEndian(payload, Seq);
        BinaryPrimitives.WriteInt64BigEndian(payload[8..], JudgedSeq);
        BinaryPrimitives.WriteInt64BigEndian(payload[16..], JudgedTime.Ticks);
        BinaryPrimitives.WriteInt64BigEndian(payload[24..], SeenSeq);
        BinaryPrimitives.WriteInt64BigEndian(payload[32..], SeenTime.Ticks);
        return SealedToken.Seal(key, tenantId, Binding, payload);
    }

    /// <summary>Reads a cursor issued to <paramref name="tenantId"/>; an empty text is the start of the feed.</summary>
    public static bool TryParse(string text, byte[] key, long tenantId, out PullCursor cursor)
    {
        cursor = Start;
        if (text.Length == 0)
        {
            return true;
        }

        Span<byte> payload = stackalloc byte[PayloadSize];
        if (!SealedToken.TryOpen(key, tenantId, Binding, text, payload))
        {
            return false;
        }

        cursor = new PullCursor(
            BinaryPrimitives.ReadInt64BigEndian(payload),
            BinaryPrimitives.ReadInt64BigEndian(payload[8..]),
            Time(BinaryPrimitives.ReadInt64BigEndian(payload[16..])),
            BinaryPrimitives.ReadInt64BigEndian(payload[24..]),
            Time(BinaryPrimitives.ReadInt64BigEndian(payload[32..])));
        return true;
    }

    private static DateTime Time(long ticks) => new(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
}
