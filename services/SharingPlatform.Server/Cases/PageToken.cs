using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Google.Protobuf;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// The opaque ListCases page token: the last row id returned plus a fingerprint of the query, so that a
/// token cannot be replayed against a different filter (AIP-158).
/// </summary>
public static class PageToken
{
    public static string Format(long lastId, byte[] fingerprint)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, lastId);
        fingerprint.AsSpan(0, 8).CopyTo(bytes[8..]);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryParse(string token, byte[] fingerprint, out long lastId)
    {
        lastId = 0;
        if (token.Length == 0)
        {
            return true;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (token.Length != 22 || !Base64Url.TryDecodeFromChars(token, bytes, out var written) || written != 16
            || !bytes[8..].SequenceEqual(fingerprint.AsSpan(0, 8)))
        {
            return false;
        }

        lastId = BinaryPrimitives.ReadInt64BigEndian(bytes);
        return lastId >= 0;
    }

    /// <summary>A fingerprint of everything in <paramref name="query"/> but its paging fields.</summary>
    public static byte[] Fingerprint(IMessage query) => SHA256.HashData(query.ToByteArray());
}
