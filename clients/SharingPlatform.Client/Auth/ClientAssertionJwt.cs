using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SharingPlatform.Client.Auth;

/// <summary>
/// Builds private_key_jwt client assertions the way the platform requires them (draft-ietf-oauth-rfc7523bis):
/// header <c>typ: client-authentication+jwt</c>, <c>aud</c> = the issuer (not the token endpoint), a fresh
/// <c>jti</c> each time (the server refuses a replay) and a short lifetime.
/// </summary>
public static class ClientAssertionJwt
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    public const string TokenType = "client-authentication+jwt";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    public static string Create(string clientId, ClientKey key, string issuer, TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = issuer,
            Subject = new ClaimsIdentity([
                new Claim(JwtRegisteredClaimNames.Sub, clientId),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            TokenType = TokenType,
            SigningCredentials = new SigningCredentials(key.SigningKey, SecurityAlgorithms.EcdsaSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
