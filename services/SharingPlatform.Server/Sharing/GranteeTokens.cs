using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using SharingPlatform.Server.Identity;

namespace SharingPlatform.Server.Sharing;

/// <summary>
/// Subject tokens as a grantee without linkage rights sees them: HMAC-SHA256 of the consortium token under a
/// key only this server holds, one key per grantee. Stable for that grantee across pulls; two grantees' copies
/// (or a copy and the consortium's tokens) share no token and cannot be joined.
/// </summary>
public sealed class GranteeTokens(ServerKeys keys)
{
    // Derived keys are a pure function of the server secret: caching them holds no state of its own.
    private readonly ConcurrentDictionary<long, byte[]> _keys = new();

    public string For(long granteeTenantId, string subjectToken)
    {
        var key = _keys.GetOrAdd(granteeTenantId, id => keys.Derive("grantee-subject-token|" + id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(subjectToken)));
    }
}
