using System.Buffers.Binary;
using System.Security.Cryptography;
using Google.Protobuf;
using SharingPlatform.Server.Identity;

namespace SharingPlatform.Server.Access;

/// <summary>
/// The opaque page token of a list: the position after the last item returned, sealed with
/// <see cref="SealedToken"/> to the caller's tenant and to a fingerprint of the query, so it reveals no row id and
/// cannot be replayed against another filter or tenant (AIP-158).
/// </summary>
public static class PageToken
{
    public static string Format(ServerKeys keys, long tenantId, IMessage query, long position)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(payload, position);
        return SealedToken.Seal(Key(keys), tenantId, Fingerprint(query), payload);
    }

    /// <summary>Reads a token for this tenant and query; an empty token is the first page.</summary>
    public static bool TryParse(string token, ServerKeys keys, long tenantId, IMessage query, out long position)
    {
        position = 0;
        if (token.Length == 0)
        {
            return true;
        }

        Span<byte> payload = stackalloc byte[8];
        if (!SealedToken.TryOpen(Key(keys), tenantId, Fingerprint(query), token, payload))
        {
            return false;
        }

        position = BinaryPrimitives.ReadInt64BigEndian(payload);
        return position >= 0;
    }

    /// <summary>
    /// The position a request's page token stands for, given the query with its paging fields cleared (0 for the first
    /// page); INVALID_ARGUMENT for a token of another query, tenant or server, or none at all.
    /// </summary>
    public static long Open(string token, ServerKeys keys, long tenantId, IMessage query)
    {
        if (!TryParse(token, keys, tenantId, query, out var position))
        {
            RpcErrors.InvalidArgument("page_token", "INVALID_PAGE_TOKEN", "Not a token for this query; list again from the first page.");
        }

        return position;
    }

    private static byte[] Key(ServerKeys keys) => keys.Derive("sealed-page-token");

    /// <summary>A fingerprint of the query's kind and of everything in it; callers clear its paging fields first.</summary>
    private static byte[] Fingerprint(IMessage query) =>
        SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(query.Descriptor.FullName + "|"), .. query.ToByteArray()]);
}
