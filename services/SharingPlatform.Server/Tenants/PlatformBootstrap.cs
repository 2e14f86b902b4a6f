extern alias sdk;

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Hosting;
using SharingPlatform.Server.Identity;
using ClientKey = sdk::SharingPlatform.Client.Auth.ClientKey;

namespace SharingPlatform.Server.Tenants;

/// <summary>
/// First start on an empty database: creates the operator tenant and a platform-admin client, and writes
/// that client's private key and connection details to the data directory, readable by the owner only.
/// </summary>
public sealed class PlatformBootstrap(
    SharingDbContext db,
    ClientRegistration registration,
    IOptions<PlatformOptions> platform,
    IOptions<EndpointOptions> endpoints,
    IOptions<IdentityServerOptions> identity,
    AuditChain audit,
    TimeProvider time,
    ILogger<PlatformBootstrap> logger)
{
    public const string OperatorSlug = "platform";
    /// <summary>The {client} part of the first platform-admin: <c>tenants/platform/clients/admin</c>.</summary>
    public const string AdminClientId = "admin";

    /// <summary>
    /// On an empty database, creates the operator tenant, its platform-admin client and the bootstrap audit event in
    /// one transaction: a start killed half-way leaves all of it or none, and the next start does it again. The lock
    /// on the change sequence makes replicas starting together bootstrap once.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (await db.Tenants.AnyAsync(cancellationToken))
        {
            return;
        }

        await using var unit = await ChangeUnit.BeginAsync(db, cancellationToken);
        if (await db.Tenants.AnyAsync(cancellationToken))
        {
            return; // another replica bootstrapped while this one waited for the lock
        }

        var tenant = new TenantEntity
        {
            Slug = OperatorSlug,
            DisplayName = "Platform operator",
            Kind = V1.TenantKind.Operator,
            Status = TenantStatus.Active,
            CreateTime = time.UtcNow(),
        };
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync(cancellationToken);

        var (name, path) = await CreateClientAsync(tenant, AdminClientId, [Roles.PlatformAdmin, Roles.PlatformAuditor], "bootstrap", cancellationToken);
        await unit.CommitAsync(audit, new AuditEntry("system", "-", "platform.bootstrap", [tenant.ResourceName, name], "", "OK", ""), cancellationToken);
        Log.BootstrapClientCreated(logger, name, path);
    }

    /// <summary>
    /// Creates client <paramref name="clientId"/> of <paramref name="tenant"/> with a fresh key pair and writes
    /// <c>{tenant}-{client}.jwk</c> and <c>.json</c> under <paramref name="folder"/>; returns its name and the folder.
    /// </summary>
    public async Task<(string Name, string Directory)> CreateClientAsync(TenantEntity tenant, string clientId, string[] roles, string folder, CancellationToken cancellationToken)
    {
        var directory = DataDirectory.Ensure(Path.Combine(platform.Value.DataDirectory, folder));
        var key = ClientKey.Create();
        var keyPath = Path.Combine(directory, $"{tenant.Slug}-{clientId}.jwk");
        var connectionPath = Path.Combine(directory, $"{tenant.Slug}-{clientId}.json");
        // A key left over from an earlier, deleted database authenticates nothing now: replace it.
        File.Delete(keyPath);
        File.Delete(connectionPath);
        key.Save(keyPath);
        DataDirectory.WriteSecretFile(connectionPath, JsonSerializer.Serialize(new
        {
            client_id = ClientNames.Format(tenant.Slug, clientId),
            tenant = tenant.Slug,
            issuer = IdentityExtensions.Issuer(identity.Value, endpoints.Value).ToString(),
            grpc_url = endpoints.Value.GrpcUrl,
            key_file = keyPath,
        }));

        var client = await registration.RegisterAsync(tenant, clientId, roles, new JsonWebKey(key.PublicJwkJson()), cancellationToken);
        return (client.ClientId, directory);
    }
}
