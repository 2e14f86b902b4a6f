extern alias server;

using Microsoft.Extensions.DependencyInjection;
using server::SharingPlatform.Server.Data;
using server::SharingPlatform.Server.Tenants;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>Registers a development-style client that authenticates with a secret.</summary>
public static class SecretClients
{
    public static Task RegisterAsync(PlatformFixture fixture, string tenantSlug, string clientId, string secret) =>
        fixture.WithScopeAsync(async services =>
        {
            var db = services.GetRequiredService<SharingDbContext>();
            var tenant = db.Tenants.Single(t => t.Slug == tenantSlug);
            await services.GetRequiredService<ClientRegistration>().RegisterWithSecretAsync(tenant, clientId, ["sync"], secret, CancellationToken.None);
        });
}
