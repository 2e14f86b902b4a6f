using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Client.Auth;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>Hand-made client assertions and access tokens, for testing what the server refuses.</summary>
public static class Tokens
{
    /// <summary>A client assertion with every knob exposed; defaults match what the SDK sends.</summary>
    public static string Assertion(
        string clientId, SecurityKey key, string? audience = null, string? type = ClientAssertionJwt.TokenType,
        TimeSpan? lifetime = null, DateTime? issuedAt = null, string? jti = null)
    {
        var now = issuedAt ?? DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience ?? PlatformFixture.Issuer.ToString(),
            Subject = new ClaimsIdentity([new Claim("sub", clientId), new Claim("jti", jti ?? Guid.NewGuid().ToString("N"))]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(1)),
            TokenType = type,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <summary>Posts a client credentials request; returns the HTTP status and the JSON body.</summary>
    public static async Task<(int Status, JsonElement Body)> RequestAsync(PlatformFixture fixture, IEnumerable<KeyValuePair<string, string>> form)
    {
        using var http = fixture.Factory.CreateClient();
        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(new Uri(PlatformFixture.Issuer, "connect/token"), content);
        var text = await response.Content.ReadAsStringAsync();
        // A crash answers with an empty or non-JSON body: keep the status, so the test says what went wrong.
        return ((int)response.StatusCode, text.StartsWith('{') ? JsonSerializer.Deserialize<JsonElement>(text) : default);
    }

    public static Task<(int Status, JsonElement Body)> RequestWithAssertionAsync(PlatformFixture fixture, string assertion, string? scope = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_assertion_type"] = ClientAssertionJwt.AssertionType,
            ["client_assertion"] = assertion,
        };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        return RequestAsync(fixture, form);
    }

    /// <summary>An access token signed with the server's own key (read from its data directory), with chosen claims.</summary>
    public static string ForgeAccessToken(PlatformFixture fixture, TestClient client, string audience = "sharing-api",
        TimeSpan? expiresIn = null, SecurityKey? signingKey = null, string[]? roles = null)
    {
        var key = signingKey ?? ServerSigningKey(fixture);
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(5));
        var claims = new List<Claim> { new("sub", client.ClientId), new("tenant", client.TenantSlug), new("client_key", client.Key.KeyId) };
        claims.AddRange((roles ?? ["sync"]).Select(r => new Claim("role", r)));
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = PlatformFixture.Issuer.ToString(),
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = expires < now ? expires - TimeSpan.FromMinutes(10) : now,
            NotBefore = expires < now ? expires - TimeSpan.FromMinutes(10) : now,
            Expires = expires,
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
    }

    public static SecurityKey ServerSigningKey(PlatformFixture fixture)
    {
        var jwk = new JsonWebKey(File.ReadAllText(Path.Combine(fixture.DataDirectory, "keys", "token-signing-p256.jwk")));
        return new ECDsaSecurityKey(System.Security.Cryptography.ECDsa.Create(new System.Security.Cryptography.ECParameters
        {
            Curve = System.Security.Cryptography.ECCurve.NamedCurves.nistP256,
            D = Base64UrlEncoder.DecodeBytes(jwk.D),
            Q = new System.Security.Cryptography.ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
        })) { KeyId = jwk.Kid };
    }
}
