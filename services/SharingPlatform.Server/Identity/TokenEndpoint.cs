using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Tenants;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// Issues access tokens for the client credentials grant once OpenIddict has authenticated the client.
/// The token carries the client, its tenant and its roles from the database; requested scopes grant nothing.
/// </summary>
public static class TokenEndpoint
{
    public const string Path = "/connect/token";

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, IssueAsync);
        return endpoints;
    }

    private static async Task<IResult> IssueAsync(HttpContext http, SharingDbContext db, IOptions<IdentityServerOptions> options)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict request is missing.");
        if (!request.IsClientCredentialsGrantType())
        {
            return Refuse(Errors.UnsupportedGrantType, "Only the client credentials grant is supported.");
        }

        // OpenIddict has checked whichever credential came; secrets are allowed only in development setups.
        if (string.IsNullOrEmpty(request.ClientAssertion) && !options.Value.AllowClientSecrets)
        {
            return Refuse(Errors.InvalidClient, "Authenticate with a private_key_jwt client assertion; client secrets are disabled.");
        }

        var client = request.ClientId is null ? null : await ClientStanding.FindAsync(db, request.ClientId, http.RequestAborted);
        if (client is null || !client.ClientActive)
        {
            return Refuse(Errors.InvalidClient, "The client is disabled or unknown.");
        }

        if (!client.TenantActive)
        {
            return Refuse(Errors.InvalidClient, "The client's tenant is suspended.");
        }

        // The key that verified the assertion, or none for a secret; a key replaced meanwhile gets no token.
        var key = AssertionKey.Of(http) ?? "";
        if (key != client.KeyId)
        {
            return Refuse(Errors.InvalidClient, "The client's key was replaced; sign the assertion with its current key.");
        }

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, TokenClaims.Role);
        identity.SetClaim(Claims.Subject, client.ClientId);
        identity.SetClaim(TokenClaims.Tenant, client.TenantSlug);
        identity.SetClaims(TokenClaims.Role, [.. Roles.Parse(client.Roles)]);
        identity.SetClaim(TokenClaims.ClientKey, key);
        identity.SetClaim(TokenClaims.ClientGeneration, client.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
        identity.SetDestinations(_ => [Destinations.AccessToken]);

        var principal = new ClaimsPrincipal(identity);
        principal.SetResources(IdentityServerOptions.Audience);
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
