using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// The token service's keys, created once and kept as owner-only files so that tokens survive a restart
/// and every replica pointed at the same directory signs and validates alike. Ephemeral keys would log
/// every client out at restart and break a second replica.
/// </summary>
public sealed class ServerKeys
{
    private readonly byte[] _secret;

    private ServerKeys(SecurityKey signing, SecurityKey encryption, byte[] secret, ECDsaSecurityKey auditSigning)
    {
        Signing = signing;
        Encryption = encryption;
        _secret = secret;
        AuditSigning = auditSigning;
    }

    /// <summary>ES256 key that signs audit checkpoints; separate from token keys so that token key rotation never touches it.</summary>
    public ECDsaSecurityKey AuditSigning { get; }

    /// <summary>ES256 key that signs access tokens; its public half is published in the JWKS.</summary>
    public SecurityKey Signing { get; }

    /// <summary>Symmetric key OpenIddict needs for its own encrypted artifacts (access tokens are signed, not encrypted).</summary>
    public SecurityKey Encryption { get; }

    /// <summary>
    /// A 256-bit key for one purpose (grantee-scoped subject tokens, pull cursor MACs), derived from the server
    /// secret with HMAC-SHA256 so that one file on shared storage serves every replica and every purpose.
    /// </summary>
    public byte[] Derive(string purpose) => HMACSHA256.HashData(_secret, System.Text.Encoding.UTF8.GetBytes("sharingplatform|v1|" + purpose));

    public static ServerKeys LoadOrCreate(string directory)
    {
        DataDirectory.Ensure(directory);
        var signingPath = Path.Combine(directory, "token-signing-p256.jwk");
        var auditPath = Path.Combine(directory, "audit-signing-p256.jwk");
        foreach (var path in new[] { signingPath, auditPath }.Where(p => !File.Exists(p)))
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var created = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ecdsa));
            created.Kid = Base64UrlEncoder.Encode(created.ComputeJwkThumbprint());
            TryWrite(path, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["kty"] = created.Kty, ["crv"] = created.Crv, ["x"] = created.X, ["y"] = created.Y, ["d"] = created.D, ["kid"] = created.Kid,
            }));
        }

        var encryptionPath = Path.Combine(directory, "token-encryption-aes256.key");
        if (!File.Exists(encryptionPath))
        {
            TryWrite(encryptionPath, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        var secretPath = Path.Combine(directory, "server-secret.key");
        if (!File.Exists(secretPath))
        {
            TryWrite(secretPath, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        var signing = LoadEcKey(signingPath);
        var encryption = new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(encryptionPath).Trim()));
        var secret = Convert.FromBase64String(File.ReadAllText(secretPath).Trim());
        return new ServerKeys(signing, encryption, secret, LoadEcKey(auditPath));
    }

    private static ECDsaSecurityKey LoadEcKey(string path)
    {
        var jwk = new JsonWebKey(File.ReadAllText(path));
        return new ECDsaSecurityKey(ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Base64UrlEncoder.DecodeBytes(jwk.D),
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
        })) { KeyId = jwk.Kid };
    }

    // Written whole to a temporary file, then moved into place without overwriting: a crash leaves no half key,
    // and when two processes start on an empty directory the loser keeps the winner's key.
    private static void TryWrite(string path, string content)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        DataDirectory.WriteSecretFile(temporary, content);
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
    }
}
