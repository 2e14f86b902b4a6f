using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Identity;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The opaque pull cursor, sealed with <see cref="SealedToken"/> to the caller's tenant.
/// </summary>
/// <param name="Seq">The last change-sequence position delivered.</param>
/// <param name="JudgedSeq">With <paramref name="JudgedTime"/>: where the agreements were last judged in full. When
/// they differ now, the grantor's older records are judged again (backfill and tombstones).</param>
/// <param name="SeenSeq">With <paramref name="SeenTime"/>: the latest point at which a pull delivered records to this
/// cursor. An agreement can only have delivered a record at or before it, so tombstones look no further.</param>
/// <param name="ResyncPos">While records up to <paramref name="Seq"/> are judged again: the position up to which
/// they were, against the agreements live at (<paramref name="ResyncSeq"/>, <paramref name="ResyncTime"/>).
/// <paramref name="ResyncSeq"/> is 0 when no such re-judging is under way.</param>
/// <param name="ResyncAll">Whether that re-judging looks at every record of the grantors (after an interrupted one was
/// overtaken by another agreement change) or only at those the change can have affected.</param>
/// <param name="FromSeq">With <paramref name="FromTime"/>: where this cursor's history began, the first pull from an
/// empty cursor. Nothing was delivered to it before, so an agreement that ended earlier never shared anything with it.
/// 0 for cursors of earlier versions, which did not keep it.</param>
public readonly record struct PullCursor(
    long Seq, long JudgedSeq, DateTime JudgedTime, long SeenSeq, DateTime SeenTime,
    long ResyncPos = 0, long ResyncSeq = 0, DateTime ResyncTime = default, bool ResyncAll = false,
    long FromSeq = 0, DateTime FromTime = default)
{
    private const int PayloadSize = 81;
    private const int PreviousPayloadSize = 40;
    private static readonly byte[] Binding = "pull-cursor"u8.ToArray();

    public static PullCursor Start => new(0, 0, DateTime.MinValue, 0, DateTime.MinValue);

    /// <summary>Whether records up to <see cref="Seq"/> are being judged again.</summary>
    public bool Resyncing => ResyncSeq > 0;

    /// <summary>The key cursors are sealed with.</summary>
    public static byte[] Key(ServerKeys keys) => keys.Derive("sealed-pull-cursor");

    /// <summary>This cursor moved to <paramref name="seq"/>, its agreements judged and records seen at (<paramref name="high"/>,
    /// <paramref name="now"/>), no resync under way; where its history began stays.</summary>
    public PullCursor At(long seq, long high, DateTime now) =>
        new(seq, high, now, high, now, FromSeq: FromSeq, FromTime: FromTime);

    /// <summary>Always the same length, re-judging or not: the text tells the tenant nothing.</summary>
    public string Format(byte[] key, long tenantId)
    {
        Span<byte> payload = stackalloc byte[PayloadSize];
        BinaryPrimitives.WriteInt64BigEndian(payload, Seq);
        BinaryPrimitives.WriteInt64BigEndian(payload[8..], JudgedSeq);
        BinaryPrimitives.WriteInt64BigEndian(payload[16..], JudgedTime.Ticks);
        BinaryPrimitives.WriteInt64BigEndian(payload[24..], SeenSeq);
        BinaryPrimitives.WriteInt64BigEndian(payload[32..], SeenTime.Ticks);
        BinaryPrimitives.WriteInt64BigEndian(payload[40..], ResyncPos);
        BinaryPrimitives.WriteInt64BigEndian(payload[48..], ResyncSeq);
        BinaryPrimitives.WriteInt64BigEndian(payload[56..], ResyncTime.Ticks);
        payload[64] = ResyncAll ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64BigEndian(payload[65..], FromSeq);
        BinaryPrimitives.WriteInt64BigEndian(payload[73..], FromTime.Ticks);
        return SealedToken.Seal(key, tenantId, Binding, payload);
    }

    /// <summary>Reads a cursor issued to <paramref name="tenantId"/>; an empty text is the start of the feed.</summary>
    public static bool TryParse(string text, ServerKeys keys, long tenantId, out PullCursor cursor)
    {
        cursor = Start;
        if (text.Length == 0)
        {
            return true;
        }

        // Sealed cursors of the previous version lack the re-judging fields (none was under way) and where they began.
        Span<byte> payload = stackalloc byte[PayloadSize];
        var opened = SealedToken.TryOpen(Key(keys), tenantId, Binding, text, payload)
            || SealedToken.TryOpen(Key(keys), tenantId, Binding, text, payload[..PreviousPayloadSize]);
        if (!opened)
        {
            return TryParseLegacy(text, keys, tenantId, out cursor);
        }

        cursor = new PullCursor(
            BinaryPrimitives.ReadInt64BigEndian(payload),
            BinaryPrimitives.ReadInt64BigEndian(payload[8..]),
            Time(BinaryPrimitives.ReadInt64BigEndian(payload[16..])),
            BinaryPrimitives.ReadInt64BigEndian(payload[24..]),
            Time(BinaryPrimitives.ReadInt64BigEndian(payload[32..])),
            BinaryPrimitives.ReadInt64BigEndian(payload[40..]),
            BinaryPrimitives.ReadInt64BigEndian(payload[48..]),
            Time(BinaryPrimitives.ReadInt64BigEndian(payload[56..])),
            payload[64] == 1,
            BinaryPrimitives.ReadInt64BigEndian(payload[65..]),
            Time(BinaryPrimitives.ReadInt64BigEndian(payload[73..])));
        return true;
    }

    /// <summary>
    /// A cursor of the first version (readable, MAC'd), still held by partners who pulled before cursors were sealed.
    /// Refusing it would make them start over, and a fresh start gets no tombstones, so copies they may no longer hold
    /// would stay. It knows nothing of when records were delivered, so every revision up to it counts as seen.
    /// </summary>
    private static bool TryParseLegacy(string text, ServerKeys keys, long tenantId, out PullCursor cursor)
    {
        const int legacyPayload = 25, legacyMac = 16;
        cursor = Start;
        Span<byte> bytes = stackalloc byte[legacyPayload + legacyMac];
        // IsValid first: TryDecodeFromChars throws on some invalid text instead of returning false.
        if (text.Length != 55 || !Base64Url.IsValid(text, out var length) || length != bytes.Length
            || !Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != bytes.Length || bytes[0] != 2)
        {
            return false;
        }

        Span<byte> input = stackalloc byte[8 + legacyPayload];
        BinaryPrimitives.WriteInt64BigEndian(input, tenantId);
        bytes[..legacyPayload].CopyTo(input[8..]);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(keys.Derive("pull-cursor"), input, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..legacyMac], bytes[legacyPayload..]))
        {
            return false;
        }

        cursor = new PullCursor(
            BinaryPrimitives.ReadInt64BigEndian(bytes[1..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[9..]),
            Time(BinaryPrimitives.ReadInt64BigEndian(bytes[17..])),
            long.MaxValue,
            DateTime.MaxValue);
        return true;
    }

    private static DateTime Time(long ticks) => new(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
}
