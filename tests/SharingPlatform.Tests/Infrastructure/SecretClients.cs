extern alias server;

using Microsoft.Extensions.DependencyInjection;
using server::SharingPlatform.Server.Data;
using server::SharingPlatform.Server.Tenants;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>Registers a development-style client that authenticates with a secret.</summary>
public static class SecretClients
{
    /// <summary>Registers client <paramref name="clientId"/> (the {client} part) of a tenant; returns its OAuth client_id.</summary>
    public static async Task<string> RegisterAsync(PlatformFixture fixture, string tenantSlug, string clientId, string secret)
    {
        var name = "";
        await fixture.WithScopeAsync(async services =>
        {
            var db = services.GetRequiredService<SharingDbContext>();
            var tenant = db.Tenants.Single(t => t.Slug == tenantSlug);
            name = (await services.GetRequiredService<ClientRegistration>().RegisterWithSecretAsync(tenant, clientId, ["sync"], secret, CancellationToken.None)).ClientId;
        });
        return name;
    }
}
