using System.Buffers.Text;
using System.Security.Cryptography;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// Etags are opaque: 96 random bits, new with every change, in quotes as in HTTP. A version number would tell a
/// grantee how often a record changed, edits it cannot see included.
/// </summary>
public static class CaseEtags
{
    public static string New() => "\"" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12)) + "\"";
}
