using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using SharingPlatform.Server.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SharingPlatform.Server.Tenants;

/// <summary>
/// Registers machine clients and rotates their keys: the OpenIddict application that authenticates the client
/// (with the partner's public key; the private key never reaches the server) and the <see cref="ClientEntity"/>
/// row the API authorizes with.
/// </summary>
public sealed class ClientRegistration(SharingDbContext db, IOpenIddictApplicationManager applications, TimeProvider time)
{
    /// <summary>Registers client <paramref name="clientId"/> (the {client} part) of <paramref name="tenant"/>; its OAuth client_id is its name.</summary>
    public Task<ClientEntity> RegisterAsync(TenantEntity tenant, string clientId, IEnumerable<string> roles, JsonWebKey publicKey, CancellationToken cancellationToken)
    {
        var application = Application(ClientNames.Format(tenant.Slug, clientId));
        application.JsonWebKeySet = new JsonWebKeySet { Keys = { RequirePublicSigningKey(publicKey) } };
        return AddAsync(application, tenant, roles, KeyIdOf(publicKey), cancellationToken);
    }

    /// <summary>A development-only client that authenticates with a secret (refused unless Identity:AllowClientSecrets).</summary>
    public Task<ClientEntity> RegisterWithSecretAsync(TenantEntity tenant, string clientId, IEnumerable<string> roles, string secret, CancellationToken cancellationToken)
    {
        var application = Application(ClientNames.Format(tenant.Slug, clientId));
        application.ClientSecret = secret;
        return AddAsync(application, tenant, roles, "", cancellationToken);
    }

    /// <summary>Replaces the client's key: assertions signed with the old key are refused from now on.</summary>
    public async Task RotateKeyAsync(ClientEntity client, JsonWebKey publicKey, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(client.ClientId, cancellationToken)
            ?? throw new InvalidOperationException("The client has no OpenIddict application.");
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        descriptor.JsonWebKeySet = new JsonWebKeySet { Keys = { RequirePublicSigningKey(publicKey) } };
        descriptor.ClientSecret = null;
        await applications.UpdateAsync(application, descriptor, cancellationToken);
        client.KeyId = KeyIdOf(publicKey);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Parses a public EC P-256 JWK, or returns null with the reason when it is not one.</summary>
    public static JsonWebKey? ParsePublicKey(string json, out string? problem)
    {
        problem = null;
        try
        {
            var jwk = json.Length is 0 or > 4096 ? null : new JsonWebKey(json);
            if (jwk is null || jwk.Kty != JsonWebAlgorithmsKeyTypes.EllipticCurve || jwk.Crv != JsonWebKeyECTypes.P256
                || string.IsNullOrEmpty(jwk.X) || string.IsNullOrEmpty(jwk.Y))
            {
                problem = "Must be an EC P-256 public key as a JWK (kty EC, crv P-256, x, y).";
                return null;
            }

            if (!string.IsNullOrEmpty(jwk.D))
            {
                problem = "This JWK contains a private key. Register only the public key and keep the private key secret.";
                return null;
            }

            return jwk;
        }
        catch (ArgumentException)
        {
            problem = "Not a JSON Web Key.";
            return null;
        }
    }

    private static JsonWebKey RequirePublicSigningKey(JsonWebKey jwk)
    {
        if (!string.IsNullOrEmpty(jwk.D) || jwk.Kty != JsonWebAlgorithmsKeyTypes.EllipticCurve)
        {
            throw new ArgumentException("Register a public EC key only.", nameof(jwk));
        }

        // Store a clean public key: no stray members from the partner's JSON.
        return new JsonWebKey
        {
            Kty = jwk.Kty, Crv = jwk.Crv, X = jwk.X, Y = jwk.Y, Kid = KeyIdOf(jwk),
            Use = JsonWebKeyUseNames.Sig, Alg = SecurityAlgorithms.EcdsaSha256,
        };
    }

    private static string KeyIdOf(JsonWebKey jwk) =>
        Base64UrlEncoder.Encode(new JsonWebKey { Kty = jwk.Kty, Crv = jwk.Crv, X = jwk.X, Y = jwk.Y }.ComputeJwkThumbprint());

    private static OpenIddictApplicationDescriptor Application(string clientId) => new()
    {
        ClientId = clientId,
        ClientType = ClientTypes.Confidential,
        DisplayName = clientId,
        Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
    };

    private async Task<ClientEntity> AddAsync(OpenIddictApplicationDescriptor application, TenantEntity tenant, IEnumerable<string> roles, string keyId, CancellationToken cancellationToken)
    {
        // The OpenIddict application and the client row are saved together or not at all.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        await applications.CreateAsync(application, cancellationToken);
        var client = new ClientEntity
        {
            ClientId = application.ClientId!,
            TenantId = tenant.Id,
            Roles = Access.Roles.Format(roles),
            Status = ClientStatus.Active,
            KeyId = keyId,
            CreateTime = time.UtcNow(),
        };
        db.Clients.Add(client);
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return client;
    }
}
