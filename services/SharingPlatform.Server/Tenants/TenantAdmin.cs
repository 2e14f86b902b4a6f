using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Identity;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Tenants;

/// <summary>
/// Tenant and client administration. The operator (platform-admin) creates a tenant together with its first
/// tenant-admin, from the public key the tenant sent; from then on only that tenant's own tenant-admin gives access
/// in it (registers clients, rotates keys). The operator keeps only what takes access away: suspending a tenant,
/// listing and disabling its clients. Another tenant looks missing to a tenant-admin. Platform roles exist only in the
/// operator tenant, whose platform-admin is its own tenant's admin.
/// </summary>
public sealed class TenantAdmin(SharingDbContext db, ClientRegistration registration, RequestReceipts receipts, ServerKeys keys, AuditChain audit,
    AuditTrail trail, TimeProvider time)
{
    private const string Service = "sharing.v1.TenantAdminService/";

    public Task<Tenant> CreateTenantAsync(Caller caller, CreateTenantRequest request, CancellationToken cancellationToken) =>
        receipts.OnceAsync(caller, Service + "CreateTenant", request, request.RequestId, Tenant.Parser,
            () => CreateTenantOnceAsync(caller, request, cancellationToken), cancellationToken);

    private async Task<Tenant> CreateTenantOnceAsync(Caller caller, CreateTenantRequest request, CancellationToken cancellationToken)
    {
        if (!TenantNames.SlugPattern().IsMatch(request.TenantId))
        {
            RpcErrors.InvalidArgument("tenant_id", "INVALID_FORMAT", "Must be 1-63 of a-z, 0-9 and -, starting and ending with a letter or digit.");
        }

        var displayName = request.Tenant?.DisplayName ?? "";
        if (displayName.Length is 0 or > 200 || displayName.Any(char.IsControl))
        {
            RpcErrors.InvalidArgument("tenant.display_name", "INVALID_FORMAT", "Must be 1-200 characters without control characters.");
        }

        var kind = request.Tenant!.Kind;
        if (kind is TenantKind.Unspecified or TenantKind.Operator || !Enum.IsDefined(kind))
        {
            RpcErrors.InvalidArgument("tenant.kind", "INVALID_KIND", "Must be documentation, rescue, advocacy or intergovernmental.");
        }

        CheckClientId(request.TenantId, request.AdminClientId, "admin_client_id");
        var adminKey = PublicKey(request.AdminPublicJwk, "admin_public_jwk");
        if (await db.Tenants.AnyAsync(t => t.Slug == request.TenantId, cancellationToken))
        {
            RpcErrors.AlreadyExists($"tenants/{request.TenantId} already exists.");
        }

        // The tenant and its first admin are created together: there is never a tenant that nobody administers, and
        // the operator never holds that admin's private key.
        var tenant = new TenantEntity { Slug = request.TenantId, DisplayName = displayName, Kind = kind, Status = TenantStatus.Active, CreateTime = time.UtcNow() };
        try
        {
            await RecordedAsync(caller, "CreateTenant", [TenantNames.Format(tenant.Slug), ClientNames.Format(tenant.Slug, request.AdminClientId)], async () =>
            {
                db.Tenants.Add(tenant);
                await db.SaveChangesAsync(cancellationToken);
                await registration.RegisterAsync(tenant, request.AdminClientId, [Roles.TenantAdmin], adminKey, cancellationToken);
                receipts.Keep(caller, Service + "CreateTenant", request, request.RequestId, tenant.ToProto());
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Lost a race with a concurrent create of the same slug (the unique index decided).
            RpcErrors.AlreadyExists($"tenants/{request.TenantId} already exists.");
        }

        return tenant.ToProto();
    }

    public async Task<Tenant> GetTenantAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        var tenant = (await VisibleTenantAsync(caller, name, cancellationToken)).ToProto();
        trail.Resources.Add(tenant.Name);
        return tenant;
    }

    public async Task<ListTenantsResponse> ListTenantsAsync(Caller caller, ListTenantsRequest request, CancellationToken cancellationToken)
    {
        var pageSize = PageSizes.Resolve(request.PageSize);
        var query = new ListTenantsRequest();
        var after = PageToken.Open(request.PageToken, keys, caller.TenantId, query);
        var tenants = await db.Tenants.AsNoTracking().Where(t => t.Id > after).OrderBy(t => t.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
        var response = new ListTenantsResponse { Tenants = { tenants.Take(pageSize).Select(t => t.ToProto()) } };
        trail.Resources.AddRange(response.Tenants.Select(t => t.Name));
        if (tenants.Count > pageSize)
        {
            response.NextPageToken = PageToken.Format(keys, caller.TenantId, query, tenants[pageSize - 1].Id);
        }

        return response;
    }

    public async Task<Tenant> SetTenantStatusAsync(Caller caller, string name, TenantStatus status, CancellationToken cancellationToken)
    {
        var tenant = await VisibleTenantAsync(caller, name, cancellationToken, tracked: true);
        if (tenant.Kind == TenantKind.Operator)
        {
            RpcErrors.FailedPrecondition("OPERATOR_TENANT", "The operator tenant cannot be suspended.");
        }

        await RecordedAsync(caller, status == TenantStatus.Active ? "ReactivateTenant" : "SuspendTenant", [TenantNames.Format(tenant.Slug)], async () =>
        {
            tenant.Status = status;
            await db.SaveChangesAsync(cancellationToken);
        }, cancellationToken);
        return tenant.ToProto();
    }

    public Task<Client> RegisterClientAsync(Caller caller, RegisterClientRequest request, CancellationToken cancellationToken) =>
        receipts.OnceAsync(caller, Service + "RegisterClient", request, request.RequestId, Client.Parser,
            () => RegisterClientOnceAsync(caller, request, cancellationToken), cancellationToken);

    private async Task<Client> RegisterClientOnceAsync(Caller caller, RegisterClientRequest request, CancellationToken cancellationToken)
    {
        var tenant = await OwnTenantAsync(caller, request.Parent, cancellationToken);
        CheckClientId(tenant.Slug, request.ClientId, "client_id");
        var roles = CheckRoles(caller, tenant, request.Roles);
        var key = PublicKey(request.PublicJwk, "public_jwk");
        var name = ClientNames.Format(tenant.Slug, request.ClientId);
        try
        {
            ClientEntity? client = null;
            await RecordedAsync(caller, "RegisterClient", [name], async () =>
            {
                // Checked under the change lock: a concurrent register of the same id (a retry racing its first try)
                // waits for the first to commit and then finds it, rather than failing inside OpenIddict's own check.
                // Client ids are qualified by their tenant, so this names only a client of the caller's own tenant.
                if (await db.Clients.AnyAsync(c => c.ClientId == name, cancellationToken))
                {
                    RpcErrors.AlreadyExists("A client with that id already exists in this tenant.");
                }

                client = await registration.RegisterAsync(tenant, request.ClientId, roles, key, cancellationToken);
                receipts.Keep(caller, Service + "RegisterClient", request, request.RequestId, client.ToProto());
            }, cancellationToken);
            return client!.ToProto();
        }
        catch (DbUpdateException)
        {
            RpcErrors.AlreadyExists("A client with that id already exists in this tenant.");
            throw;
        }
    }

    public async Task<ListClientsResponse> ListClientsAsync(Caller caller, ListClientsRequest request, CancellationToken cancellationToken)
    {
        var tenant = await ManagedTenantAsync(caller, request.Parent, cancellationToken);
        var pageSize = PageSizes.Resolve(request.PageSize);
        var query = new ListClientsRequest { Parent = request.Parent };
        var after = PageToken.Open(request.PageToken, keys, caller.TenantId, query);
        var clients = await db.Clients.AsNoTracking().Where(c => c.TenantId == tenant.Id && c.Id > after).OrderBy(c => c.Id)
            .Take(pageSize + 1).ToListAsync(cancellationToken);
        var response = new ListClientsResponse { Clients = { clients.Take(pageSize).Select(c => c.ToProto()) } };
        trail.Resources.AddRange(response.Clients.Select(c => c.Name));
        if (clients.Count > pageSize)
        {
            response.NextPageToken = PageToken.Format(keys, caller.TenantId, query, clients[pageSize - 1].Id);
        }

        return response;
    }

    public async Task<Client> DisableClientAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        var client = await ManagedClientAsync(caller, name, ownTenantOnly: false, cancellationToken);
        if (client.ClientId == caller.ClientId)
        {
            RpcErrors.FailedPrecondition("SELF_DISABLE", "A client cannot disable itself; use another admin client.");
        }

        await RecordedAsync(caller, "DisableClient", [name], async () =>
        {
            client.Status = ClientStatus.Disabled;
            client.Generation++;
            await db.SaveChangesAsync(cancellationToken);
        }, cancellationToken);
        return client.ToProto();
    }

    public async Task<Client> EnableClientAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        // Enabling gives access back: only the client's own tenant-admin may, never the operator.
        var client = await ManagedClientAsync(caller, name, ownTenantOnly: true, cancellationToken);
        if (client.Status == ClientStatus.Active)
        {
            trail.Resources.Add(name);
            return client.ToProto();
        }

        await RecordedAsync(caller, "EnableClient", [name], async () =>
        {
            client.Status = ClientStatus.Active;
            await db.SaveChangesAsync(cancellationToken);
        }, cancellationToken);
        return client.ToProto();
    }

    public async Task<Client> RotateClientKeyAsync(Caller caller, RotateClientKeyRequest request, CancellationToken cancellationToken)
    {
        // A new key gives access: only the client's own tenant-admin may set one, never the operator.
        var client = await ManagedClientAsync(caller, request.Name, ownTenantOnly: true, cancellationToken);
        var key = PublicKey(request.PublicJwk, "public_jwk");
        await RecordedAsync(caller, "RotateClientKey", [request.Name], () => registration.RotateKeyAsync(client, key, cancellationToken), cancellationToken);
        return client.ToProto();
    }

    /// <summary>Runs a change and its audit event in one transaction: both commit, or neither.</summary>
    private async Task RecordedAsync(Caller caller, string method, string[] resources, Func<Task> change, CancellationToken cancellationToken)
    {
        await using var unit = await ChangeUnit.BeginAsync(db, cancellationToken);
        await change();
        await unit.CommitAsync(audit, new AuditEntry(caller.ClientId, caller.TenantSlug, Service + method, resources, "", "OK", ""), cancellationToken);
        trail.Written = true;
    }

    private static string[] CheckRoles(Caller caller, TenantEntity tenant, Google.Protobuf.Collections.RepeatedField<string> requested)
    {
        if (requested.Count == 0 || requested.Any(r => !Roles.All.Contains(r)))
        {
            RpcErrors.InvalidArgument("roles", "INVALID_ROLE", $"Give one or more of: {string.Join(", ", Roles.All)}.");
        }

        var platformRoles = requested.Any(r => r is Roles.PlatformAdmin or Roles.PlatformAuditor);
        if (platformRoles && (tenant.Kind != TenantKind.Operator || !caller.Has(Roles.PlatformAdmin)))
        {
            RpcErrors.PermissionDenied("PLATFORM_ROLE", "Platform roles are given only by a platform-admin, to clients of the operator tenant.");
        }

        // The operator tenant holds platform clients only: a tenant-admin there could take over platform-admin.
        if (tenant.Kind == TenantKind.Operator && requested.Any(r => r is not (Roles.PlatformAdmin or Roles.PlatformAuditor)))
        {
            RpcErrors.InvalidArgument("roles", "INVALID_ROLE", "Operator tenant clients hold platform roles only.");
        }

        return [.. requested];
    }

    /// <summary>A tenant whose clients the caller may see and disable: any for a platform-admin, its own for a tenant-admin; otherwise NOT_FOUND.</summary>
    private async Task<TenantEntity> ManagedTenantAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        var tenant = await VisibleTenantAsync(caller, name, cancellationToken, tracked: false);
        if (!caller.Has(Roles.PlatformAdmin) && !(tenant.Id == caller.TenantId && caller.Has(Roles.TenantAdmin)))
        {
            RpcErrors.NotFound(name);
        }

        return tenant;
    }

    /// <summary>
    /// A tenant in which the caller may give access: only its own, as its tenant-admin (the operator tenant's admin is
    /// its platform-admin). Another tenant is NOT_FOUND to a tenant-admin and PERMISSION_DENIED to the operator, which
    /// knows it exists.
    /// </summary>
    private async Task<TenantEntity> OwnTenantAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        var tenant = await VisibleTenantAsync(caller, name, cancellationToken, tracked: false);
        var admin = tenant.Kind == TenantKind.Operator ? Roles.PlatformAdmin : Roles.TenantAdmin;
        if (tenant.Id != caller.TenantId || !caller.Has(admin))
        {
            if (caller.Has(Roles.PlatformAdmin))
            {
                RpcErrors.PermissionDenied("TENANT_ADMIN_ONLY", "Only the tenant's own tenant-admin gives access in it; the operator may only suspend the tenant or disable its clients.");
            }

            RpcErrors.NotFound(name);
        }

        return tenant;
    }

    private async Task<ClientEntity> ManagedClientAsync(Caller caller, string name, bool ownTenantOnly, CancellationToken cancellationToken)
    {
        if (!ClientNames.TryParse(name, out var slug, out _))
        {
            RpcErrors.InvalidArgument("name", "INVALID_FORMAT", "Must be tenants/{tenant}/clients/{client}.");
        }

        var tenant = ownTenantOnly
            ? await OwnTenantAsync(caller, TenantNames.Format(slug), cancellationToken)
            : await ManagedTenantAsync(caller, TenantNames.Format(slug), cancellationToken);
        var client = await db.Clients.SingleOrDefaultAsync(c => c.TenantId == tenant.Id && c.ClientId == name, cancellationToken);
        var platformClient = client is not null && (client.RoleSet.Contains(Roles.PlatformAdmin) || client.RoleSet.Contains(Roles.PlatformAuditor));
        if (client is null || (platformClient && !caller.Has(Roles.PlatformAdmin)))
        {
            RpcErrors.NotFound(name);
        }

        return client;
    }

    private static void CheckClientId(string tenantSlug, string clientId, string field)
    {
        if (!ClientNames.IdPattern().IsMatch(clientId) || ClientNames.Format(tenantSlug, clientId).Length > ClientNames.MaxLength)
        {
            RpcErrors.InvalidArgument(field, "INVALID_FORMAT",
                $"Must be 3-63 of a-z, 0-9 and -, starting and ending with a letter or digit, and tenants/{{tenant}}/clients/{{client}} at most {ClientNames.MaxLength} characters.");
        }
    }

    private static Microsoft.IdentityModel.Tokens.JsonWebKey PublicKey(string json, string field)
    {
        var key = ClientRegistration.ParsePublicKey(json, out var problem);
        if (key is null)
        {
            RpcErrors.InvalidArgument(field, "INVALID_KEY", problem!);
        }

        return key;
    }

    /// <summary>The tenant if the caller is a platform role or belongs to it; NOT_FOUND otherwise, exactly as for a missing one.</summary>
    private async Task<TenantEntity> VisibleTenantAsync(Caller caller, string name, CancellationToken cancellationToken, bool tracked = false)
    {
        var slug = RequestNames.Tenant(name, "name");

        var query = tracked ? db.Tenants : db.Tenants.AsNoTracking();
        var tenant = await query.SingleOrDefaultAsync(t => t.Slug == slug, cancellationToken);
        var allowed = caller.Has(Roles.PlatformAdmin) || caller.Has(Roles.PlatformAuditor) || tenant?.Id == caller.TenantId;
        if (tenant is null || !allowed)
        {
            RpcErrors.NotFound(name);
        }

        return tenant;
    }
}
