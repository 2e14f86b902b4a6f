using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SharingPlatform.Client.Audit;

/// <summary>
/// The one definition of how audit events and checkpoints are hashed and signed, shared by the server that
/// writes the chain and the auditors who verify it offline.
/// <list type="bullet">
/// <item><c>content_digest = SHA-256(canonical encoding)</c>: each field as a 4-byte big-endian length and its
/// bytes (UTF-8 for text), in this order: sequence (decimal), time (<c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>), actor
/// client, actor tenant, action, resources (joined by <c>\n</c>), purpose, outcome, request id, and then the salt:
/// <see cref="SaltLength"/> random bytes per event, so that nobody who lacks the salt can test guessed fields
/// against the digest of a redacted event (the sequence, the time and the client ids are easy to guess).</item>
/// <item>Events written before salts existed have an empty salt, and for them the salt field is left out: their
/// encoding is exactly the nine fields they were hashed with. Since every field is length-prefixed, an encoding of
/// nine fields never equals one of ten, so an empty salt cannot pass for a salted event or the other way round.
/// Those old events stay as guessable as they always were.</item>
/// <item><c>hash = SHA-256(previous_hash || content_digest)</c>, with 32 zero bytes before the first event.
/// A redacted event carries its digest but neither its content nor its salt, so the chain stays verifiable
/// without either.</item>
/// <item>A checkpoint is signed (ES256, r||s) over
/// <c>sharingplatform-audit-checkpoint-v1|{size}|{head hash hex}|{time}</c>.</item>
/// </list>
/// </summary>
public static class AuditHashing
{
    public static readonly byte[] Genesis = new byte[32];

    /// <summary>Bytes of salt the server draws for every event from a cryptographic random number generator (128 bits).</summary>
    public const int SaltLength = 16;

    /// <param name="salt">The event's salt; empty only for events written before salts existed.</param>
    public static byte[] ContentDigest(long sequence, DateTime time, string actorClient, string actorTenant, string action,
        IEnumerable<string> resources, string purpose, string outcome, string requestId, ReadOnlySpan<byte> salt)
    {
        using var buffer = new MemoryStream();
        foreach (var field in new[]
        {
            sequence.ToString(CultureInfo.InvariantCulture), FormatTime(time), actorClient, actorTenant, action,
            string.Join('\n', resources), purpose, outcome, requestId,
        })
        {
            WriteField(buffer, Encoding.UTF8.GetBytes(field));
        }

        if (!salt.IsEmpty)
        {
            WriteField(buffer, salt);
        }

        return SHA256.HashData(buffer.ToArray());
    }

    public static byte[] ChainHash(ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> contentDigest)
    {
        Span<byte> input = stackalloc byte[64];
        previousHash.CopyTo(input);
        contentDigest.CopyTo(input[32..]);
        return SHA256.HashData(input);
    }

    public static byte[] CheckpointBytes(long size, ReadOnlySpan<byte> headHash, DateTime time) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"sharingplatform-audit-checkpoint-v1|{size}|{Convert.ToHexStringLower(headHash)}|{FormatTime(time)}"));

    private static void WriteField(MemoryStream buffer, ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }

    /// <summary>UTC with microseconds: the precision every database provider keeps.</summary>
    public static string FormatTime(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
