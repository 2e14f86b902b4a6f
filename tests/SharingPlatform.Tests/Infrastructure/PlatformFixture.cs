extern alias server;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using server::SharingPlatform.Server.Data;
using server::SharingPlatform.Server.Tenants;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>
/// One in-process platform per test class: the real host, a fresh database and data directory, real
/// tokens from the real token endpoint. <see cref="CreateClientAsync"/> makes a tenant, a client and its
/// key in one line; <see cref="TestClient.Connect"/> gives an authenticated gRPC connection.
/// </summary>
public abstract class PlatformFixture : IAsyncLifetime
{
    public static readonly Uri Issuer = new("http://localhost/");
    public static readonly Uri GrpcAddress = new("http://localhost");

    private WebApplicationFactory<server::Program>? _factory;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", Guid.NewGuid().ToString("N"));

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Why this fixture cannot run here (e.g. no PostgreSQL configured), or null.</summary>
    public virtual string? Unavailable => null;

    public WebApplicationFactory<server::Program> Factory =>
        _factory ?? throw new InvalidOperationException(Unavailable ?? "The fixture is not initialized.");

    /// <summary>The host environment; Development turns on detailed errors, reflection and (if configured) client secrets.</summary>
    protected virtual string EnvironmentName => "Testing";

    /// <summary>Extra configuration for a variant of the platform (e.g. client secrets allowed).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    /// <summary>Anything else a variant needs from the host (e.g. an extra logger provider).</summary>
    protected virtual void ConfigureHost(IWebHostBuilder host)
    {
    }

    protected abstract Task<string?> CreateDatabaseAsync();

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        if (Unavailable is not null)
        {
            return;
        }

        var connectionString = await CreateDatabaseAsync();
        _factory = new WebApplicationFactory<server::Program>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment(EnvironmentName);
            host.UseSetting("Platform:DataDirectory", DataDirectory);
            host.UseSetting("Database:Provider", Provider.ToString());
            host.UseSetting("Database:ConnectionString", connectionString ?? "");
            host.UseSetting("Identity:Issuer", Issuer.ToString());
            host.UseSetting("Logging:LogLevel:Default", "Warning");
            // Every test of a class shares one server and one source address, and many tests connect afresh: the
            // production limits would cut a class off mid-run. Rate-limit tests set their own (Settings win).
            host.UseSetting("RateLimits:TokensPerClientPerMinute", "10000");
            host.UseSetting("RateLimits:AnonymousRequestsPerMinute", "100000");
            foreach (var (key, value) in Settings)
            {
                host.UseSetting(key, value);
            }

            ConfigureHost(host);
        });
        _ = _factory.Server; // starts the host: migrations and bootstrap run now
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
            await DropDatabaseAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Creates a client (and its tenant if new) holding <paramref name="roles"/>; the key stays in the test, as with a partner.</summary>
    public Task<TestClient> CreateClientAsync(string? tenantSlug = null, params string[] roles) =>
        CreateClientAsync(tenantSlug, server::SharingPlatform.V1.TenantKind.Documentation, roles);

    public async Task<TestClient> CreateClientAsync(string? tenantSlug, server::SharingPlatform.V1.TenantKind kind, params string[] roles)
    {
        Assert.SkipWhen(Unavailable is not null, Unavailable ?? "");
        tenantSlug ??= "t-" + Guid.NewGuid().ToString("N")[..10];
        var shortId = tenantSlug + "-" + Guid.NewGuid().ToString("N")[..6];
        var key = ClientKey.Create();
        var clientId = "";
        await WithScopeAsync(async services =>
        {
            var db = services.GetRequiredService<SharingDbContext>();
            var tenant = db.Tenants.SingleOrDefault(t => t.Slug == tenantSlug);
            if (tenant is null)
            {
                tenant = new TenantEntity { Slug = tenantSlug, DisplayName = tenantSlug, Kind = kind, CreateTime = DateTime.UtcNow };
                db.Tenants.Add(tenant);
                await db.SaveChangesAsync();
            }

            var client = await services.GetRequiredService<ClientRegistration>().RegisterAsync(
                tenant, shortId, roles.Length == 0 ? ["sync"] : roles, new JsonWebKey(key.PublicJwkJson()), CancellationToken.None);
            clientId = client.ClientId;
        });
        return new TestClient(this, tenantSlug, clientId, key);
    }

    /// <summary>The name (and OAuth client_id) of the platform-admin client written at first start.</summary>
    public const string PlatformAdminId = "tenants/platform/clients/admin";

    /// <summary>A client's name, which is also its OAuth client_id, e.g. <c>ClientName("nkdb-demo", "sync")</c> for a demo client.</summary>
    public static string ClientName(string tenant, string client) => $"tenants/{tenant}/clients/{client}";

    /// <summary>The platform-admin client written at first start.</summary>
    public SharingConnection ConnectPlatformAdmin()
    {
        Assert.SkipWhen(Unavailable is not null, Unavailable ?? "");
        return Connect(PlatformAdminId, ClientKey.Load(Path.Combine(DataDirectory, "bootstrap", "platform-admin.jwk")));
    }

    public SharingConnection Connect(string clientId, ClientKey key) =>
        new(GrpcAddress, Issuer, clientId, key, Factory.Server.CreateHandler());

    /// <summary>Runs <paramref name="action"/> with the server's services, for setup and white-box checks.</summary>
    public async Task WithScopeAsync(Func<IServiceProvider, Task> action)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        await action(scope.ServiceProvider);
    }

    public async Task<T> WithDbAsync<T>(Func<SharingDbContext, Task<T>> query)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<SharingDbContext>());
    }
}
