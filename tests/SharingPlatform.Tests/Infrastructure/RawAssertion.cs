using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Client.Auth;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>
/// A client assertion built by hand: header and claims as JSON a test may bend in ways no JWT library
/// writes (an <c>aud</c> array, a <c>typ</c> in capitals, numbers out of range), then signed with ES256.
/// </summary>
public sealed class RawAssertion
{
    /// <summary>The JOSE header; starts as the SDK's.</summary>
    public JsonObject Header { get; }

    /// <summary>The claims; start as the SDK's: issued now, valid for a minute, addressed to the issuer.</summary>
    public JsonObject Claims { get; }

    private RawAssertion(JsonObject header, JsonObject claims)
    {
        Header = header;
        Claims = claims;
    }

    public static RawAssertion For(TestClient client)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new RawAssertion(
            new JsonObject { ["alg"] = "ES256", ["kid"] = client.Key.KeyId, ["typ"] = ClientAssertionJwt.TokenType },
            new JsonObject
            {
                ["iss"] = client.ClientId,
                ["sub"] = client.ClientId,
                ["aud"] = PlatformFixture.Issuer.ToString(),
                ["jti"] = Guid.NewGuid().ToString("N"),
                ["iat"] = now,
                ["nbf"] = now,
                ["exp"] = now + 60,
            });
    }

    /// <summary>Sets a claim to a raw JSON value, e.g. <c>"1e300"</c> or <c>"[\"a\"]"</c>; null leaves the claim out.</summary>
    public RawAssertion With(string claim, string? json)
    {
        if (json is null)
        {
            Claims.Remove(claim);
        }
        else
        {
            Claims[claim] = JsonNode.Parse(json);
        }

        return this;
    }

    /// <summary>Times relative to now, in seconds; null leaves the claim out.</summary>
    public RawAssertion Times(long? issuedAt, long? notBefore, long? expires)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Set("iat", issuedAt);
        Set("nbf", notBefore);
        Set("exp", expires);
        return this;

        void Set(string claim, long? offset)
        {
            if (offset is { } seconds)
            {
                Claims[claim] = now + seconds;
            }
            else
            {
                Claims.Remove(claim);
            }
        }
    }

    /// <summary>The compact JWS: base64url(header).base64url(claims).base64url(r || s).</summary>
    public string Sign(ECDsaSecurityKey key) => Sign(Header.ToJsonString(), Claims.ToJsonString(), key);

    /// <summary>Signs header and claims given as JSON text, e.g. with a member written twice.</summary>
    public static string Sign(string header, string claims, ECDsaSecurityKey key)
    {
        var signingInput = Encode(header) + "." + Encode(claims);
        var signature = key.ECDsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    private static string Encode(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
}
