using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace SharingPlatform.Server.Access;

/// <summary>
/// Tokens the server hands out and takes back (pull cursors, page tokens): AES-256-GCM under a key derived from the
/// server secret, with the tenant and the query as associated data. A tenant learns nothing from one (no sequence,
/// no row id, no two alike), cannot forge or alter one, and cannot use one issued to another tenant or query.
/// </summary>
public static class SealedToken
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;

    /// <summary>The longest token text accepted, so that garbage is refused before any decoding work.</summary>
    private const int MaxTextLength = 256;

    public static string Seal(byte[] key, long tenantId, ReadOnlySpan<byte> binding, ReadOnlySpan<byte> payload)
    {
        var sealedBytes = new byte[Overhead + payload.Length];
        sealedBytes[0] = Version;
        var nonce = sealedBytes.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, payload, sealedBytes.AsSpan(1 + NonceSize, payload.Length), sealedBytes.AsSpan(1 + NonceSize + payload.Length), AssociatedData(tenantId, binding));
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>Opens a token into <paramref name="payload"/> (which must be exactly the sealed length); false for anything else.</summary>
    public static bool TryOpen(byte[] key, long tenantId, ReadOnlySpan<byte> binding, string text, Span<byte> payload)
    {
        if (text.Length is 0 or > MaxTextLength)
        {
            return false;
        }

        Span<byte> sealedBytes = stackalloc byte[MaxTextLength];
        if (!Base64Url.IsValid(text, out var length) || length != Overhead + payload.Length
            || !Base64Url.TryDecodeFromChars(text, sealedBytes, out var written) || written != length || sealedBytes[0] != Version)
        {
            return false;
        }

        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedBytes.Slice(1, NonceSize), sealedBytes.Slice(1 + NonceSize, payload.Length),
                sealedBytes.Slice(1 + NonceSize + payload.Length, TagSize), payload, AssociatedData(tenantId, binding));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            payload.Clear();
            return false;
        }
    }

    private static byte[] AssociatedData(long tenantId, ReadOnlySpan<byte> binding)
    {
        var data = new byte[8 + binding.Length];
        BinaryPrimitives.WriteInt64BigEndian(data, tenantId);
        binding.CopyTo(data.AsSpan(8));
        return data;
    }
}
