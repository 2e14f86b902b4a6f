using Google.Rpc;
using Grpc.Core;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Tenants;

/// <summary>
/// The admin contract as a partner relies on it: every list is paged (and a token works only for its own query),
/// page sizes are capped rather than refused, creates with a request_id are answered once, and a disabled client can
/// be enabled again without its old tokens coming back to life.
/// </summary>
public abstract class AdminContractTests(PlatformFixture fixture)
{
    private static string? Reason(RpcException error) => error.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason;

    private static string? ViolationReason(RpcException error) =>
        error.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Reason).FirstOrDefault();

    private static string RequestId() => Guid.NewGuid().ToString("N");

    private async Task<TestClient> AdminWithClientsAsync(int extraClients)
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        for (var i = 0; i < extraClients; i++)
        {
            await fixture.CreateClientAsync(admin.TenantSlug);
        }

        return admin;
    }

    [Fact]
    public async Task Clients_are_listed_page_by_page_to_the_last_and_each_once()
    {
        var admin = await AdminWithClientsAsync(4);
        using var connection = admin.Connect();

        var all = (await connection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = admin.Parent })).Clients.Select(c => c.Name).ToList();
        var paged = new List<string>();
        var pages = 0;
        var token = "";
        do
        {
            var page = await connection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = admin.Parent, PageSize = 2, PageToken = token });
            Assert.True(page.Clients.Count <= 2);
            paged.AddRange(page.Clients.Select(c => c.Name));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0 && pages < 10);

        Assert.Equal(5, all.Count);
        Assert.Equal(all, paged);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task A_client_page_token_is_refused_for_another_tenant_and_for_another_parent()
    {
        var first = await AdminWithClientsAsync(2);
        var second = await AdminWithClientsAsync(2);
        using var firstConnection = first.Connect();
        using var secondConnection = second.Connect();
        using var platform = fixture.ConnectPlatformAdmin();
        var token = (await firstConnection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = first.Parent, PageSize = 1 })).NextPageToken;
        var operatorToken = (await platform.Tenants.ListClientsAsync(new ListClientsRequest { Parent = first.Parent, PageSize = 1 })).NextPageToken;

        var otherTenant = await Assert.ThrowsAsync<RpcException>(() =>
            secondConnection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = second.Parent, PageSize = 1, PageToken = token }).ResponseAsync);
        var otherParent = await Assert.ThrowsAsync<RpcException>(() =>
            platform.Tenants.ListClientsAsync(new ListClientsRequest { Parent = second.Parent, PageSize = 1, PageToken = operatorToken }).ResponseAsync);
        var own = await platform.Tenants.ListClientsAsync(new ListClientsRequest { Parent = first.Parent, PageSize = 1, PageToken = operatorToken });

        Assert.NotEmpty(token);
        Assert.Equal(StatusCode.InvalidArgument, otherTenant.StatusCode);
        Assert.Equal("INVALID_PAGE_TOKEN", ViolationReason(otherTenant));
        Assert.Equal(StatusCode.InvalidArgument, otherParent.StatusCode);
        Assert.Equal("INVALID_PAGE_TOKEN", ViolationReason(otherParent));
        Assert.Single(own.Clients);
    }

    [Fact]
    public async Task Agreements_are_listed_page_by_page_and_a_token_is_bound_to_its_direction()
    {
        var grantor = await fixture.CreateClientAsync(null, "tenant-admin");
        using var connection = grantor.Connect();
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var grantee = await fixture.CreateClientAsync();
            created.Add((await connection.Sharing.CreateAgreementAsync(Agreements.Create(grantor, Agreements.To(grantee)))).Name);
        }

        var paged = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await connection.Sharing.ListAgreementsAsync(new ListAgreementsRequest
            {
                Parent = grantor.Parent, Direction = ListAgreementsRequest.Types.Direction.Outgoing, PageSize = 2, PageToken = token,
            });
            paged.AddRange(page.Agreements.Select(a => a.Name));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0 && pages < 10);

        var firstPage = await connection.Sharing.ListAgreementsAsync(new ListAgreementsRequest
        {
            Parent = grantor.Parent, Direction = ListAgreementsRequest.Types.Direction.Outgoing, PageSize = 2,
        });
        var otherDirection = await Assert.ThrowsAsync<RpcException>(() => connection.Sharing.ListAgreementsAsync(new ListAgreementsRequest
        {
            Parent = grantor.Parent, Direction = ListAgreementsRequest.Types.Direction.Incoming, PageSize = 2, PageToken = firstPage.NextPageToken,
        }).ResponseAsync);

        Assert.Equal(created, paged);
        Assert.Equal(3, pages);
        Assert.Equal(StatusCode.InvalidArgument, otherDirection.StatusCode);
        Assert.Equal("INVALID_PAGE_TOKEN", ViolationReason(otherDirection));
    }

    [Fact]
    public async Task A_page_size_above_the_maximum_is_capped_and_a_negative_one_refused()
    {
        var admin = await AdminWithClientsAsync(1);
        var sync = await fixture.CreateClientAsync(admin.TenantSlug);
        using var connection = admin.Connect();
        using var syncConnection = sync.Connect();
        using var platform = fixture.ConnectPlatformAdmin();

        var clients = await connection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = admin.Parent, PageSize = 5000 });
        var agreements = await connection.Sharing.ListAgreementsAsync(new ListAgreementsRequest { Parent = admin.Parent, PageSize = int.MaxValue });
        var tenants = await platform.Tenants.ListTenantsAsync(new ListTenantsRequest { PageSize = 5000 });
        var cases = await syncConnection.Cases.ListCasesAsync(new ListCasesRequest { Parent = admin.Parent, PageSize = 5000 });
        var negative = await Assert.ThrowsAsync<RpcException>(() =>
            connection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = admin.Parent, PageSize = -1 }).ResponseAsync);
        var negativeCases = await Assert.ThrowsAsync<RpcException>(() =>
            syncConnection.Cases.ListCasesAsync(new ListCasesRequest { Parent = admin.Parent, PageSize = -5 }).ResponseAsync);

        Assert.Equal(3, clients.Clients.Count);
        Assert.Empty(clients.NextPageToken);
        Assert.Empty(agreements.Agreements);
        Assert.Contains(tenants.Tenants, t => t.Name == admin.Parent);
        Assert.Empty(cases.Cases);
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
        Assert.Equal("OUT_OF_RANGE", ViolationReason(negative));
        Assert.Equal(StatusCode.InvalidArgument, negativeCases.StatusCode);
    }

    [Fact]
    public async Task RegisterClient_with_a_request_id_is_answered_once_and_the_id_cannot_be_reused_for_another_client()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        using var connection = admin.Connect();
        var requestId = RequestId();
        var request = new RegisterClientRequest
        {
            Parent = admin.Parent, ClientId = "sync-once", Roles = { "sync" }, PublicJwk = ClientKey.Create().PublicJwkJson(), RequestId = requestId,
        };

        var first = await connection.Tenants.RegisterClientAsync(request);
        var replay = await connection.Tenants.RegisterClientAsync(request);
        var other = request.Clone();
        other.ClientId = "sync-other";
        var reused = await Assert.ThrowsAsync<RpcException>(() => connection.Tenants.RegisterClientAsync(other).ResponseAsync);
        var withoutId = request.Clone();
        withoutId.RequestId = "";
        var duplicate = await Assert.ThrowsAsync<RpcException>(() => connection.Tenants.RegisterClientAsync(withoutId).ResponseAsync);
        var listed = await connection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = admin.Parent });

        Assert.Equal(first, replay);
        Assert.Equal(StatusCode.FailedPrecondition, reused.StatusCode);
        Assert.Equal("REQUEST_ID_REUSED", Reason(reused));
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
        Assert.Single(listed.Clients, c => c.Name == first.Name);
        Assert.DoesNotContain(listed.Clients, c => c.Name.EndsWith("/sync-other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_retries_of_one_RegisterClient_all_get_the_one_client()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        using var connection = admin.Connect();
        var request = new RegisterClientRequest
        {
            Parent = admin.Parent, ClientId = "sync-race", Roles = { "sync" }, PublicJwk = ClientKey.Create().PublicJwkJson(), RequestId = RequestId(),
        };

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => connection.Tenants.RegisterClientAsync(request).ResponseAsync));
        var listed = await connection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = admin.Parent });

        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.Single(listed.Clients, c => c.Name == answers[0].Name);
    }

    [Fact]
    public async Task CreateTenant_and_CreateAgreement_with_a_request_id_are_answered_once()
    {
        using var platform = fixture.ConnectPlatformAdmin();
        var slug = "once-" + Guid.NewGuid().ToString("N")[..8];
        var createTenant = new CreateTenantRequest
        {
            TenantId = slug, Tenant = new Tenant { DisplayName = "Once", Kind = TenantKind.Advocacy }, AdminClientId = "admin",
            AdminPublicJwk = ClientKey.Create().PublicJwkJson(), RequestId = RequestId(),
        };
        var tenant = await platform.Tenants.CreateTenantAsync(createTenant);
        var tenantReplay = await platform.Tenants.CreateTenantAsync(createTenant);
        var renamed = createTenant.Clone();
        renamed.Tenant.DisplayName = "Twice";
        var tenantReused = await Assert.ThrowsAsync<RpcException>(() => platform.Tenants.CreateTenantAsync(renamed).ResponseAsync);

        var grantor = await fixture.CreateClientAsync(null, "tenant-admin");
        var grantee = await fixture.CreateClientAsync();
        using var connection = grantor.Connect();
        var createAgreement = Agreements.Create(grantor, Agreements.To(grantee));
        createAgreement.RequestId = RequestId();
        var agreement = await connection.Sharing.CreateAgreementAsync(createAgreement);
        var agreementReplay = await connection.Sharing.CreateAgreementAsync(createAgreement);
        var widened = createAgreement.Clone();
        widened.Agreement.Purpose = Purpose.AdvocacyStatistics;
        var agreementReused = await Assert.ThrowsAsync<RpcException>(() => connection.Sharing.CreateAgreementAsync(widened).ResponseAsync);
        var listed = await connection.Sharing.ListAgreementsAsync(new ListAgreementsRequest { Parent = grantor.Parent });

        Assert.Equal(tenant, tenantReplay);
        Assert.Equal("REQUEST_ID_REUSED", Reason(tenantReused));
        Assert.Equal(agreement, agreementReplay);
        Assert.Equal("REQUEST_ID_REUSED", Reason(agreementReused));
        Assert.Equal([agreement.Name], listed.Agreements.Select(a => a.Name));
    }

    [Fact]
    public async Task A_malformed_request_id_is_refused_before_anything_is_created()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        using var connection = admin.Connect();

        var error = await Assert.ThrowsAsync<RpcException>(() => connection.Tenants.RegisterClientAsync(new RegisterClientRequest
        {
            Parent = admin.Parent, ClientId = "sync-bad-id", Roles = { "sync" }, PublicJwk = ClientKey.Create().PublicJwkJson(), RequestId = "no spaces!",
        }).ResponseAsync);
        var listed = await connection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = admin.Parent });

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("INVALID_FORMAT", ViolationReason(error));
        Assert.DoesNotContain(listed.Clients, c => c.Name.EndsWith("/sync-bad-id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_enabled_client_needs_a_new_token_because_a_disable_revoked_the_old_ones()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var sync = await fixture.CreateClientAsync(admin.TenantSlug);
        using var adminConnection = admin.Connect();
        using var raw = new RawCalls(fixture, sync);
        var oldToken = (await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(sync.ClientId, sync.Key.SigningKey))).Body.GetProperty("access_token").GetString();
        await raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent }, RawCalls.Bearer(oldToken));

        var disabled = await adminConnection.Tenants.DisableClientAsync(new DisableClientRequest { Name = sync.ClientId });
        var whileDisabled = await Assert.ThrowsAsync<RpcException>(() => raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent }, RawCalls.Bearer(oldToken)).ResponseAsync);
        var noTokenWhileDisabled = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(sync.ClientId, sync.Key.SigningKey));
        var enabled = await adminConnection.Tenants.EnableClientAsync(new EnableClientRequest { Name = sync.ClientId });
        var enabledAgain = await adminConnection.Tenants.EnableClientAsync(new EnableClientRequest { Name = sync.ClientId });
        var oldAfterEnable = await Assert.ThrowsAsync<RpcException>(() => raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent }, RawCalls.Bearer(oldToken)).ResponseAsync);
        var newToken = (await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(sync.ClientId, sync.Key.SigningKey))).Body.GetProperty("access_token").GetString();
        var listed = await raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent }, RawCalls.Bearer(newToken));

        Assert.Equal(ClientState.Disabled, disabled.State);
        Assert.Equal(StatusCode.Unauthenticated, whileDisabled.StatusCode);
        Assert.Equal("CLIENT_DISABLED", Reason(whileDisabled));
        Assert.Equal("invalid_client", noTokenWhileDisabled.Body.GetProperty("error").GetString());
        Assert.Equal(ClientState.Active, enabled.State);
        Assert.Equal(enabled, enabledAgain);
        Assert.Equal(StatusCode.Unauthenticated, oldAfterEnable.StatusCode);
        Assert.Equal("TOKEN_REVOKED", Reason(oldAfterEnable));
        Assert.NotNull(listed);
    }

    [Fact]
    public async Task Only_the_tenants_own_admin_may_enable_its_client()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var sync = await fixture.CreateClientAsync(admin.TenantSlug);
        var otherAdmin = await fixture.CreateClientAsync(null, "tenant-admin");
        using var adminConnection = admin.Connect();
        using var otherConnection = otherAdmin.Connect();
        using var platform = fixture.ConnectPlatformAdmin();
        await platform.Tenants.DisableClientAsync(new DisableClientRequest { Name = sync.ClientId });

        var byOperator = await Assert.ThrowsAsync<RpcException>(() => platform.Tenants.EnableClientAsync(new EnableClientRequest { Name = sync.ClientId }).ResponseAsync);
        var byOtherTenant = await Assert.ThrowsAsync<RpcException>(() => otherConnection.Tenants.EnableClientAsync(new EnableClientRequest { Name = sync.ClientId }).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => adminConnection.Tenants.EnableClientAsync(new EnableClientRequest { Name = admin.Parent + "/clients/nobody" }).ResponseAsync);
        var stillDisabled = (await adminConnection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = admin.Parent })).Clients.Single(c => c.Name == sync.ClientId);
        var byOwnAdmin = await adminConnection.Tenants.EnableClientAsync(new EnableClientRequest { Name = sync.ClientId });

        Assert.Equal(StatusCode.PermissionDenied, byOperator.StatusCode);
        Assert.Equal(StatusCode.NotFound, byOtherTenant.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(ClientState.Disabled, stillDisabled.State);
        Assert.Equal(ClientState.Active, byOwnAdmin.State);
    }

    [Fact]
    public async Task The_owners_tombstone_etag_brings_a_retracted_record_back_and_a_grantee_never_sees_it()
    {
        var owner = await fixture.CreateClientAsync();
        using var connection = owner.Connect();
        var record = Records.Valid(owner.CaseName("back"));
        await connection.Cases.PushCasesAsync(Records.Push(owner, record));
        var retracted = await connection.Cases.RetractCaseAsync(new RetractCaseRequest { Name = record.Name });

        var without = await connection.Cases.PushCasesAsync(Records.Push(owner, Records.Valid(record.Name)));
        var revived = Records.Valid(record.Name);
        revived.Etag = retracted.Tombstone.Etag;
        var with = await connection.Cases.PushCasesAsync(Records.Push(owner, revived));
        var read = await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = record.Name });

        Assert.NotEmpty(retracted.Tombstone.Etag);
        Assert.Equal(PushOutcome.Conflict, without.Results[0].Outcome);
        Assert.Contains(with.Results[0].Outcome, new[] { PushOutcome.Created, PushOutcome.Updated });
        Assert.Equal(with.Results[0].Etag, read.Etag);
    }
}

public sealed class SqliteAdminContractTests(SqliteFixture fixture) : AdminContractTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresAdminContractTests(PostgresFixture fixture) : AdminContractTests(fixture), IClassFixture<PostgresFixture>;
