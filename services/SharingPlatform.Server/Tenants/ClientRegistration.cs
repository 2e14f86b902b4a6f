using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using SharingPlatform.Server.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SharingPlatform.Server.Tenants;

/// <summary>
/// Registers a machine client: the OpenIddict application that authenticates it (with the partner's public
/// key; the private key never reaches the server) and the <see cref="TenantClient"/> row the API authorizes with.
/// </summary>
public sealed class ClientRegistration(SharingDbContext db, IOpenIddictApplicationManager applications, TimeProvider time)
{
    public Task<TenantClient> RegisterAsync(Tenant tenant, string clientId, IEnumerable<string> roles, JsonWebKey publicKey, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(publicKey.D) || (publicKey.Kty != JsonWebAlgorithmsKeyTypes.EllipticCurve && publicKey.Kty != JsonWebAlgorithmsKeyTypes.RSA))
        {
            throw new ArgumentException("Register a public EC or RSA key only.", nameof(publicKey));
        }

        var application = Application(clientId);
        application.JsonWebKeySet = new JsonWebKeySet { Keys = { publicKey } };
        return AddAsync(application, tenant, roles, cancellationToken);
    }

    /// <summary>A development-only client that authenticates with a secret (refused unless Identity:AllowClientSecrets).</summary>
    public Task<TenantClient> RegisterWithSecretAsync(Tenant tenant, string clientId, IEnumerable<string> roles, string secret, CancellationToken cancellationToken)
    {
        var application = Application(clientId);
        application.ClientSecret = secret;
        return AddAsync(application, tenant, roles, cancellationToken);
    }

    private static OpenIddictApplicationDescriptor Application(string clientId) => new()
    {
        ClientId = clientId,
        ClientType = ClientTypes.Confidential,
        DisplayName = clientId,
        Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
    };

    private async Task<TenantClient> AddAsync(OpenIddictApplicationDescriptor application, Tenant tenant, IEnumerable<string> roles, CancellationToken cancellationToken)
    {
        await applications.CreateAsync(application, cancellationToken);
        var client = new TenantClient
        {
            ClientId = application.ClientId!,
            TenantId = tenant.Id,
            Roles = Access.Roles.Format(roles),
            Status = ClientStatus.Active,
            CreateTime = time.UtcNow(),
        };
        db.Clients.Add(client);
        await db.SaveChangesAsync(cancellationToken);
        return client;
    }
}
