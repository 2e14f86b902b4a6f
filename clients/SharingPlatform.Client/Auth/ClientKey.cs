using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace SharingPlatform.Client.Auth;

/// <summary>
/// A client's private key for private_key_jwt: an EC P-256 key kept as a JWK file that never leaves the
/// partner. The public half is what the platform registers.
/// </summary>
public sealed class ClientKey
{
    private readonly ECParameters _parameters;

    private ClientKey(ECParameters parameters)
    {
        _parameters = parameters;
        var publicJwk = PublicJwk();
        KeyId = Base64UrlEncoder.Encode(publicJwk.ComputeJwkThumbprint());
        SigningKey = new ECDsaSecurityKey(ECDsa.Create(parameters)) { KeyId = KeyId };
    }

    /// <summary>RFC 7638 thumbprint of the public key; sent as <c>kid</c>.</summary>
    public string KeyId { get; }

    /// <summary>Signs client assertions (ES256).</summary>
    public ECDsaSecurityKey SigningKey { get; }

    /// <summary>Creates a new P-256 key.</summary>
    public static ClientKey Create()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new ClientKey(ecdsa.ExportParameters(includePrivateParameters: true));
    }

    /// <summary>Reads a private JWK written by <see cref="Save"/> (or <c>sharectl keys new</c>).</summary>
    public static ClientKey Load(string path)
    {
        var jwk = new JsonWebKey(File.ReadAllText(path));
        if (jwk.Kty != JsonWebAlgorithmsKeyTypes.EllipticCurve || jwk.Crv != JsonWebKeyECTypes.P256 || string.IsNullOrEmpty(jwk.D))
        {
            throw new InvalidDataException($"{path} is not a private EC P-256 JWK.");
        }

        return new ClientKey(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Base64UrlEncoder.DecodeBytes(jwk.D),
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
        });
    }

    /// <summary>Writes the private JWK, readable by the owner only; refuses to overwrite a file.</summary>
    public void Save(string path) => SecretFile.Write(path, ToJson(includePrivate: true));

    /// <summary>The public JWK as JSON, to register with the platform.</summary>
    public string PublicJwkJson() => ToJson(includePrivate: false);

    private JsonWebKey PublicJwk() => new()
    {
        Kty = JsonWebAlgorithmsKeyTypes.EllipticCurve,
        Crv = JsonWebKeyECTypes.P256,
        X = Base64UrlEncoder.Encode(_parameters.Q.X),
        Y = Base64UrlEncoder.Encode(_parameters.Q.Y),
    };

    private string ToJson(bool includePrivate)
    {
        var fields = new Dictionary<string, string>
        {
            ["kty"] = JsonWebAlgorithmsKeyTypes.EllipticCurve,
            ["crv"] = JsonWebKeyECTypes.P256,
            ["x"] = Base64UrlEncoder.Encode(_parameters.Q.X),
            ["y"] = Base64UrlEncoder.Encode(_parameters.Q.Y),
            ["kid"] = KeyId,
            ["use"] = "sig",
            ["alg"] = SecurityAlgorithms.EcdsaSha256,
        };
        if (includePrivate)
        {
            fields["d"] = Base64UrlEncoder.Encode(_parameters.D);
        }

        return JsonSerializer.Serialize(fields);
    }
}
