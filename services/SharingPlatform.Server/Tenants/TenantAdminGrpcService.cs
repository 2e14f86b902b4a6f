using Grpc.Core;
using SharingPlatform.Server.Access;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Tenants;

/// <summary>The TenantAdminService RPCs; roles are checked by <see cref="CallerInterceptor"/>, tenant ownership by <see cref="TenantAdmin"/>.</summary>
public sealed class TenantAdminGrpcService(TenantAdmin admin) : TenantAdminService.TenantAdminServiceBase
{
    public override Task<Tenant> CreateTenant(CreateTenantRequest request, ServerCallContext context) =>
        admin.CreateTenantAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Tenant> GetTenant(GetTenantRequest request, ServerCallContext context) =>
        admin.GetTenantAsync(context.Caller(), request.Name, context.CancellationToken);

    public override Task<ListTenantsResponse> ListTenants(ListTenantsRequest request, ServerCallContext context) =>
        admin.ListTenantsAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Tenant> SuspendTenant(SuspendTenantRequest request, ServerCallContext context) =>
        admin.SetTenantStatusAsync(context.Caller(), request.Name, TenantStatus.Suspended, context.CancellationToken);

    public override Task<Tenant> ReactivateTenant(ReactivateTenantRequest request, ServerCallContext context) =>
        admin.SetTenantStatusAsync(context.Caller(), request.Name, TenantStatus.Active, context.CancellationToken);

    public override Task<Client> RegisterClient(RegisterClientRequest request, ServerCallContext context) =>
        admin.RegisterClientAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListClientsResponse> ListClients(ListClientsRequest request, ServerCallContext context) =>
        admin.ListClientsAsync(context.Caller(), request, context.CancellationToken);

    public override Task<Client> DisableClient(DisableClientRequest request, ServerCallContext context) =>
        admin.DisableClientAsync(context.Caller(), request.Name, context.CancellationToken);

    public override Task<Client> EnableClient(EnableClientRequest request, ServerCallContext context) =>
        admin.EnableClientAsync(context.Caller(), request.Name, context.CancellationToken);

    public override Task<Client> RotateClientKey(RotateClientKeyRequest request, ServerCallContext context) =>
        admin.RotateClientKeyAsync(context.Caller(), request, context.CancellationToken);
}
