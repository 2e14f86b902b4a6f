using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// P-256 keys kept as JWK files in the key directory: made, written whole, read back. A private key file holds
/// <c>d</c>; a public one (a retired token-signing key, which only validates) does not. The <c>kid</c> is the key's
/// RFC 7638 thumbprint, so a key is named the same wherever it is published.
/// </summary>
public static class EcKeyFile
{
    /// <summary>A new private key as JWK JSON.</summary>
    public static string CreatePrivate()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var created = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ecdsa));
        created.Kid = Base64UrlEncoder.Encode(created.ComputeJwkThumbprint());
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = created.Kty, ["crv"] = created.Crv, ["x"] = created.X, ["y"] = created.Y, ["d"] = created.D, ["kid"] = created.Kid,
        });
    }

    /// <summary>The public half of <paramref name="jwk"/>, with <paramref name="extra"/> members (e.g. when it was retired).</summary>
    public static string PublicOf(JsonWebKey jwk, IReadOnlyDictionary<string, string> extra)
    {
        var members = new Dictionary<string, string> { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = jwk.X, ["y"] = jwk.Y, ["kid"] = KidOf(jwk) };
        foreach (var (name, value) in extra)
        {
            members[name] = value;
        }

        return JsonSerializer.Serialize(members);
    }

    /// <summary>The file's JWK, or a refusal that names the file (never its content).</summary>
    public static JsonWebKey Read(string path)
    {
        try
        {
            var jwk = new JsonWebKey(File.ReadAllText(path));
            if (jwk.Kty != "EC" || jwk.Crv != "P-256" || string.IsNullOrEmpty(jwk.X) || string.IsNullOrEmpty(jwk.Y))
            {
                throw new ArgumentException("not a P-256 key");
            }

            return jwk;
        }
        catch (ArgumentException)
        {
            throw new StartRefusedException($"{path} is not a P-256 JSON web key (it is empty or cut). Restore it from the backup of the key directory.");
        }
    }

    /// <summary>A member this platform adds to a key file (e.g. <c>retired</c>), or null.</summary>
    public static string? Member(string path, string name) =>
        JsonNode.Parse(File.ReadAllText(path))?[name]?.GetValue<string>();

    /// <summary>The key's id: its <c>kid</c>, or its thumbprint when the file has none.</summary>
    public static string KidOf(JsonWebKey jwk) =>
        jwk.Kid is { Length: > 0 } kid ? kid : Base64UrlEncoder.Encode(new JsonWebKey { Kty = "EC", Crv = jwk.Crv, X = jwk.X, Y = jwk.Y }.ComputeJwkThumbprint());

    /// <summary>The private key of <paramref name="path"/>; a file without <c>d</c> is refused.</summary>
    public static ECDsaSecurityKey LoadPrivate(string path)
    {
        var jwk = Read(path);
        if (string.IsNullOrEmpty(jwk.D))
        {
            throw new StartRefusedException($"{path} is not a complete P-256 private key. Restore it from the backup of the key directory.");
        }

        return new ECDsaSecurityKey(ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Base64UrlEncoder.DecodeBytes(jwk.D),
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
        })) { KeyId = KidOf(jwk) };
    }

    /// <summary>The public key of <paramref name="path"/>, which can verify signatures and never make one.</summary>
    public static ECDsaSecurityKey LoadPublic(string path)
    {
        var jwk = Read(path);
        return new ECDsaSecurityKey(ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
        })) { KeyId = KidOf(jwk) };
    }
}
