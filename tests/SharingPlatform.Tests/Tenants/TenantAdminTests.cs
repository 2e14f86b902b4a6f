using Grpc.Core;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Tenants;

/// <summary>Onboarding a partner end to end with the admin RPCs, and the limits of each admin role.</summary>
public abstract class TenantAdminTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Platform_admin_onboards_a_partner_whose_admin_registers_a_sync_client_that_can_push()
    {
        using var platform = fixture.ConnectPlatformAdmin();
        var slug = "ngo-" + Guid.NewGuid().ToString("N")[..8];
        var adminKey = ClientKey.Create();
        var syncKey = ClientKey.Create();

        var tenant = await platform.Tenants.CreateTenantAsync(new CreateTenantRequest
        {
            TenantId = slug, Tenant = new Tenant { DisplayName = "Rescue NGO", Kind = TenantKind.Rescue }, AdminClientId = "admin", AdminPublicJwk = adminKey.PublicJwkJson(),
        });
        using var adminConnection = fixture.Connect(tenant.Name + "/clients/admin", adminKey);
        var admin = (await adminConnection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = tenant.Name })).Clients.Single();
        var sync = await adminConnection.Tenants.RegisterClientAsync(new RegisterClientRequest { Parent = tenant.Name, ClientId = "sync", Roles = { "sync" }, PublicJwk = syncKey.PublicJwkJson() });
        using var syncConnection = fixture.Connect(sync.Name, syncKey);
        var pushed = await syncConnection.Cases.PushCasesAsync(new PushCasesRequest { Parent = tenant.Name, RequestId = Records.RequestId(), Records = { Records.Valid(tenant.Name + "/cases/first") } });

        Assert.Equal(TenantState.Active, tenant.State);
        Assert.Equal(adminKey.KeyId, admin.KeyId);
        Assert.Equal(["sync"], sync.Roles);
        Assert.Equal(PushOutcome.Created, pushed.Results[0].Outcome);
        var listed = await adminConnection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = tenant.Name });
        Assert.Equal(2, listed.Clients.Count);
    }

    [Fact]
    public async Task Tenant_admin_manages_only_its_own_tenant_and_never_grants_platform_roles()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var other = await fixture.CreateClientAsync();
        using var connection = admin.Connect();
        var key = ClientKey.Create().PublicJwkJson();

        var platformRole = await Assert.ThrowsAsync<RpcException>(() => connection.Tenants.RegisterClientAsync(new RegisterClientRequest { Parent = admin.Parent, ClientId = admin.TenantSlug + "-x", Roles = { "platform-admin" }, PublicJwk = key }).ResponseAsync);
        var foreignRegister = await Assert.ThrowsAsync<RpcException>(() => connection.Tenants.RegisterClientAsync(new RegisterClientRequest { Parent = other.Parent, ClientId = other.TenantSlug + "-x", Roles = { "sync" }, PublicJwk = key }).ResponseAsync);
        var foreignList = await Assert.ThrowsAsync<RpcException>(() => connection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = other.Parent }).ResponseAsync);
        var foreignDisable = await Assert.ThrowsAsync<RpcException>(() => connection.Tenants.DisableClientAsync(new DisableClientRequest { Name = other.ClientId }).ResponseAsync);
        var createTenant = await Assert.ThrowsAsync<RpcException>(() => connection.Tenants.CreateTenantAsync(new CreateTenantRequest { TenantId = "x-" + admin.TenantSlug, Tenant = new Tenant { DisplayName = "x", Kind = TenantKind.Advocacy } }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, platformRole.StatusCode);
        Assert.Equal(StatusCode.NotFound, foreignRegister.StatusCode);
        Assert.Equal(StatusCode.NotFound, foreignList.StatusCode);
        Assert.Equal(StatusCode.NotFound, foreignDisable.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, createTenant.StatusCode);
    }

    [Fact]
    public async Task Client_ids_are_per_tenant_so_one_tenant_learns_nothing_of_anothers_clients()
    {
        var first = await fixture.CreateClientAsync(null, "tenant-admin");
        var second = await fixture.CreateClientAsync(null, "tenant-admin");
        using var firstAdmin = first.Connect();
        using var secondAdmin = second.Connect();
        RegisterClientRequest Sync(TestClient admin) => new() { Parent = admin.Parent, ClientId = "sync", Roles = { "sync" }, PublicJwk = ClientKey.Create().PublicJwkJson() };

        var mine = await firstAdmin.Tenants.RegisterClientAsync(Sync(first));
        var theirs = await secondAdmin.Tenants.RegisterClientAsync(Sync(second));
        var again = await Assert.ThrowsAsync<RpcException>(() => firstAdmin.Tenants.RegisterClientAsync(Sync(first)).ResponseAsync);

        Assert.Equal($"{first.Parent}/clients/sync", mine.Name);
        Assert.Equal($"{second.Parent}/clients/sync", theirs.Name);
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);
        Assert.DoesNotContain(second.TenantSlug, again.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operator_tenant_clients_hold_platform_roles_only()
    {
        using var platform = fixture.ConnectPlatformAdmin();

        var error = await Assert.ThrowsAsync<RpcException>(() => platform.Tenants.RegisterClientAsync(new RegisterClientRequest
        {
            Parent = "tenants/platform", ClientId = "platform-helper-" + Guid.NewGuid().ToString("N")[..6], Roles = { "tenant-admin" }, PublicJwk = ClientKey.Create().PublicJwkJson(),
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task A_private_key_is_never_accepted_for_registration()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        using var connection = admin.Connect();
        var path = Path.Combine(fixture.DataDirectory, Guid.NewGuid().ToString("N") + ".jwk");
        ClientKey.Create().Save(path);
        var privateJwk = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<RpcException>(() => connection.Tenants.RegisterClientAsync(new RegisterClientRequest
        {
            Parent = admin.Parent, ClientId = admin.TenantSlug + "-leak", Roles = { "sync" }, PublicJwk = privateJwk,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("private", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabling_a_client_and_suspending_a_tenant_through_the_api_bite_on_the_next_call()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var sync = await fixture.CreateClientAsync(admin.TenantSlug);
        using var adminConnection = admin.Connect();
        using var syncConnection = sync.Connect();
        using var platform = fixture.ConnectPlatformAdmin();
        await syncConnection.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent });

        await platform.Tenants.SuspendTenantAsync(new SuspendTenantRequest { Name = admin.Parent });
        var suspended = await Assert.ThrowsAsync<RpcException>(() => syncConnection.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent }).ResponseAsync);
        await platform.Tenants.ReactivateTenantAsync(new ReactivateTenantRequest { Name = admin.Parent });
        await syncConnection.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent });
        var disabled = await adminConnection.Tenants.DisableClientAsync(new DisableClientRequest { Name = sync.ClientId });
        var refused = await Assert.ThrowsAsync<RpcException>(() => syncConnection.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, suspended.StatusCode);
        Assert.Equal(ClientState.Disabled, disabled.State);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task Rotating_a_key_refuses_the_old_key_and_accepts_the_new_one()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var sync = await fixture.CreateClientAsync(admin.TenantSlug);
        using var adminConnection = admin.Connect();
        var newKey = ClientKey.Create();

        var rotated = await adminConnection.Tenants.RotateClientKeyAsync(new RotateClientKeyRequest { Name = sync.ClientId, PublicJwk = newKey.PublicJwkJson() });
        var old = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(sync.ClientId, sync.Key.SigningKey));
        var fresh = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(sync.ClientId, newKey.SigningKey));

        Assert.Equal(newKey.KeyId, rotated.KeyId);
        Assert.Equal("invalid_client", old.Body.GetProperty("error").GetString());
        Assert.Equal(200, fresh.Status);
    }
}

public sealed class SqliteTenantAdminTests(SqliteFixture fixture) : TenantAdminTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresTenantAdminTests(PostgresFixture fixture) : TenantAdminTests(fixture), IClassFixture<PostgresFixture>;
