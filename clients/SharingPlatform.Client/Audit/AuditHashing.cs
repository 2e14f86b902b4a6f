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
/// UTF-8 bytes, in this order: sequence (decimal), time (<c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>), actor client, actor
/// tenant, action, resources (joined by <c>\n</c>), purpose, outcome, request id.</item>
/// <item><c>hash = SHA-256(previous_hash || content_digest)</c>, with 32 zero bytes before the first event.
/// A redacted event carries its digest, so the chain stays verifiable without its content.</item>
/// <item>A checkpoint is signed (ES256, r||s) over
/// <c>sharingplatform-audit-checkpoint-v1|{size}|{head hash hex}|{time}</c>.</item>
/// </list>
/// </summary>
public static class AuditHashing
{
    public static readonly byte[] Genesis = new byte[32];

    public static byte[] ContentDigest(long sequence, DateTime time, string actorClient, string actorTenant, string action,
        IEnumerable<string> resources, string purpose, string outcome, string requestId)
    {
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var field in new[]
        {
            sequence.ToString(CultureInfo.InvariantCulture), FormatTime(time), actorClient, actorTenant, action,
            string.Join('\n', resources), purpose, outcome, requestId,
        })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
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

    /// <summary>UTC with microseconds: the precision every database provider keeps.</summary>
    public static string FormatTime(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
