using Grpc.Core;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Tenants;

/// <summary>
/// The operator never reaches case data: it creates a tenant with the first admin key the tenant sent, and
/// afterwards can only take access away. Every path by which a platform role could obtain records is tried.
/// </summary>
public abstract class OperatorBoundaryTests(PlatformFixture fixture)
{
    private sealed record Partner(TestClient Sync, TestClient Admin, TestClient Auditor);

    /// <summary>A partner with records in it, and a second tenant the operator controls completely (a shell).</summary>
    private async Task<Partner> PartnerWithRecordsAsync()
    {
        var sync = await fixture.CreateClientAsync();
        var admin = await fixture.CreateClientAsync(sync.TenantSlug, "tenant-admin");
        var auditor = await fixture.CreateClientAsync(sync.TenantSlug, "auditor");
        using var connection = sync.Connect();
        await connection.Cases.PushCasesAsync(Records.Push(sync, Records.Valid(sync.CaseName("secret"))));
        return new Partner(sync, admin, auditor);
    }

    private static async Task<StatusCode> StatusOf(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException error)
        {
            return error.StatusCode;
        }
    }

    public static TheoryData<string> PlatformRoles => ["platform-admin", "platform-auditor"];

    [Theory]
    [MemberData(nameof(PlatformRoles))]
    public async Task No_platform_role_can_read_register_rotate_or_grant_its_way_to_a_partners_cases(string role)
    {
        var partner = await PartnerWithRecordsAsync();
        var operatorClient = role == "platform-admin" ? null : await fixture.CreateClientAsync("platform", role);
        using var op = operatorClient?.Connect() ?? fixture.ConnectPlatformAdmin();
        var parent = partner.Sync.Parent;
        var sync = partner.Sync.ClientId;
        var stolenKey = ClientKey.Create();

        // The operator creates a shell tenant with an admin it controls, which then asks for the partner's records.
        var shellSlug = "shell-" + Guid.NewGuid().ToString("N")[..8];
        var shellAdminKey = ClientKey.Create();
        var shellCreated = await StatusOf(() => op.Tenants.CreateTenantAsync(new CreateTenantRequest
        {
            TenantId = shellSlug, Tenant = new Tenant { DisplayName = "Shell", Kind = TenantKind.Advocacy },
            AdminClientId = "admin", AdminPublicJwk = shellAdminKey.PublicJwkJson(),
        }).ResponseAsync);

        var attempts = new Dictionary<string, Func<Task>>
        {
            ["GetCase"] = () => op.Cases.GetCaseAsync(new GetCaseRequest { Name = partner.Sync.CaseName("secret") }).ResponseAsync,
            ["ListCases"] = () => op.Cases.ListCasesAsync(new ListCasesRequest { Parent = parent }).ResponseAsync,
            ["PullChanges"] = () => op.Cases.PullAllAsync(parent),
            ["CountCases"] = () => op.Cases.CountCasesAsync(new CountCasesRequest { Parent = parent, GroupBy = CountDimension.Status }).ResponseAsync,
            ["RegisterClient sync"] = () => op.Tenants.RegisterClientAsync(new RegisterClientRequest
            {
                Parent = parent, ClientId = "operator-sync", Roles = { "sync" }, PublicJwk = stolenKey.PublicJwkJson(),
            }).ResponseAsync,
            ["RegisterClient tenant-admin"] = () => op.Tenants.RegisterClientAsync(new RegisterClientRequest
            {
                Parent = parent, ClientId = "operator-admin", Roles = { "tenant-admin" }, PublicJwk = stolenKey.PublicJwkJson(),
            }).ResponseAsync,
            ["RotateClientKey"] = () => op.Tenants.RotateClientKeyAsync(new RotateClientKeyRequest { Name = sync, PublicJwk = stolenKey.PublicJwkJson() }).ResponseAsync,
            ["CreateAgreement to the shell"] = () => op.Sharing.CreateAgreementAsync(new CreateAgreementRequest
            {
                Parent = parent, Agreement = Agreements.To(new TestClient(fixture, shellSlug, "admin", shellAdminKey)),
            }).ResponseAsync,
            ["CreateAgreement to the operator"] = () => op.Sharing.CreateAgreementAsync(new CreateAgreementRequest
            {
                Parent = parent, Agreement = Agreements.To(new TestClient(fixture, "platform", "x", stolenKey)),
            }).ResponseAsync,
        };

        var outcomes = new Dictionary<string, StatusCode>();
        foreach (var (name, attempt) in attempts)
        {
            outcomes[name] = await StatusOf(attempt);
        }

        Assert.All(outcomes, o => Assert.True(o.Value is StatusCode.PermissionDenied or StatusCode.NotFound, $"{o.Key}: {o.Value}"));
        // The rotation was refused, so the partner's own key still works and the operator's does not.
        var oldKey = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(partner.Sync.ClientId, partner.Sync.Key.SigningKey));
        var operatorKey = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(partner.Sync.ClientId, stolenKey.SigningKey));
        Assert.Equal(200, oldKey.Status);
        Assert.Equal("invalid_client", operatorKey.Body.GetProperty("error").GetString());
        Assert.Equal(role == "platform-admin" ? StatusCode.OK : StatusCode.PermissionDenied, shellCreated);
        if (shellCreated == StatusCode.OK)
        {
            // Even the shell's own admin, which the operator holds, finds nothing of the partner.
            using var shell = fixture.Connect(PlatformFixture.ClientName(shellSlug, "admin"), shellAdminKey);
            var shellGrant = await StatusOf(() => shell.Sharing.CreateAgreementAsync(new CreateAgreementRequest
            {
                Parent = parent, Agreement = Agreements.To(new TestClient(fixture, shellSlug, "admin", shellAdminKey)),
            }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, shellGrant);
        }
    }

    [Fact]
    public async Task A_tenant_is_created_with_the_admin_key_it_sent_and_only_that_admin_adds_clients()
    {
        using var op = fixture.ConnectPlatformAdmin();
        var slug = "ngo-" + Guid.NewGuid().ToString("N")[..8];
        var adminKey = ClientKey.Create(); // generated by the tenant; only the public half goes to the operator
        var syncKey = ClientKey.Create();

        var tenant = await op.Tenants.CreateTenantAsync(new CreateTenantRequest
        {
            TenantId = slug, Tenant = new Tenant { DisplayName = "Rescue NGO", Kind = TenantKind.Rescue },
            AdminClientId = "admin", AdminPublicJwk = adminKey.PublicJwkJson(),
        });
        using var admin = fixture.Connect(PlatformFixture.ClientName(slug, "admin"), adminKey);
        var sync = await admin.Tenants.RegisterClientAsync(new RegisterClientRequest { Parent = tenant.Name, ClientId = "sync", Roles = { "sync" }, PublicJwk = syncKey.PublicJwkJson() });
        using var syncConnection = fixture.Connect(sync.Name, syncKey);
        var pushed = await syncConnection.Cases.PushCasesAsync(new PushCasesRequest { Parent = tenant.Name, RequestId = Records.RequestId(), Records = { Records.Valid(tenant.Name + "/cases/first") } });
        var listed = await op.Tenants.ListClientsAsync(new ListClientsRequest { Parent = tenant.Name });

        Assert.Equal(PushOutcome.Created, pushed.Results[0].Outcome);
        Assert.Equal([PlatformFixture.ClientName(slug, "admin"), PlatformFixture.ClientName(slug, "sync")], listed.Clients.Select(c => c.Name).Order());
        Assert.Equal(["tenant-admin"], listed.Clients.Single(c => c.Name.EndsWith("/admin", StringComparison.Ordinal)).Roles);
    }

    [Fact]
    public async Task A_tenant_needs_its_first_admin_key_and_never_a_private_one()
    {
        using var op = fixture.ConnectPlatformAdmin();
        var key = ClientKey.Create();
        var path = Path.Combine(fixture.DataDirectory, Guid.NewGuid().ToString("N") + ".jwk");
        key.Save(path);
        var privateJwk = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);

        CreateTenantRequest Request(string clientId, string jwk) => new()
        {
            TenantId = "ngo-" + Guid.NewGuid().ToString("N")[..8], Tenant = new Tenant { DisplayName = "NGO", Kind = TenantKind.Advocacy },
            AdminClientId = clientId, AdminPublicJwk = jwk,
        };

        var noKey = await Assert.ThrowsAsync<RpcException>(() => op.Tenants.CreateTenantAsync(Request("admin", "")).ResponseAsync);
        var noId = await Assert.ThrowsAsync<RpcException>(() => op.Tenants.CreateTenantAsync(Request("", key.PublicJwkJson())).ResponseAsync);
        var privateKey = await Assert.ThrowsAsync<RpcException>(() => op.Tenants.CreateTenantAsync(Request("admin", privateJwk)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, noKey.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, noId.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, privateKey.StatusCode);
        Assert.Contains("private", privateKey.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operator_takes_access_away_and_the_tenants_auditor_sees_every_operator_action()
    {
        var partner = await PartnerWithRecordsAsync();
        using var op = fixture.ConnectPlatformAdmin();
        using var sync = partner.Sync.Connect();
        var syncName = partner.Sync.ClientId;

        await sync.Cases.ListCasesAsync(new ListCasesRequest { Parent = partner.Sync.Parent });
        await op.Tenants.ListClientsAsync(new ListClientsRequest { Parent = partner.Sync.Parent });
        await op.Tenants.SuspendTenantAsync(new SuspendTenantRequest { Name = partner.Sync.Parent });
        var suspended = await StatusOf(() => sync.Cases.ListCasesAsync(new ListCasesRequest { Parent = partner.Sync.Parent }).ResponseAsync);
        await op.Tenants.ReactivateTenantAsync(new ReactivateTenantRequest { Name = partner.Sync.Parent });
        var disabled = await op.Tenants.DisableClientAsync(new DisableClientRequest { Name = syncName });
        var refused = await StatusOf(() => sync.Cases.ListCasesAsync(new ListCasesRequest { Parent = partner.Sync.Parent }).ResponseAsync);
        using var auditor = partner.Auditor.Connect();
        var seen = (await AuditReader.AllAsync(auditor, new ListAuditEventsRequest { ActorTenant = "platform" })).Select(e => e.Action).ToList();

        Assert.Equal(StatusCode.PermissionDenied, suspended);
        Assert.Equal(ClientState.Disabled, disabled.State);
        Assert.Equal(StatusCode.Unauthenticated, refused);
        foreach (var action in new[] { "ListClients", "SuspendTenant", "ReactivateTenant", "DisableClient" })
        {
            Assert.Contains("sharing.v1.TenantAdminService/" + action, seen);
        }
    }
}

public sealed class SqliteOperatorBoundaryTests(SqliteFixture fixture) : OperatorBoundaryTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresOperatorBoundaryTests(PostgresFixture fixture) : OperatorBoundaryTests(fixture), IClassFixture<PostgresFixture>;
