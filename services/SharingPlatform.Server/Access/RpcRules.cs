using System.Collections.Frozen;

namespace SharingPlatform.Server.Access;

/// <summary>
/// The one table of who may call what. An RPC missing from it is refused (PERMISSION_DENIED) by
/// <see cref="CallerInterceptor"/>; a test checks every mapped method has an entry.
/// </summary>
public static class RpcRules
{
    public static readonly FrozenDictionary<string, RpcRule> ByMethod = new Dictionary<string, RpcRule>(StringComparer.Ordinal)
    {
        // Health is for load balancers and orchestrators: no token, and it says nothing but SERVING.
        ["/grpc.health.v1.Health/Check"] = RpcRule.Public,
        ["/grpc.health.v1.Health/Watch"] = RpcRule.Public,
        ["/grpc.health.v1.Health/List"] = RpcRule.Public,
        // Reflection is mapped only in Development.
        ["/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"] = RpcRule.Public,
        ["/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"] = RpcRule.Public,

        ["/sharing.v1.CaseService/PushCases"] = RpcRule.Require(Roles.Sync),
        ["/sharing.v1.CaseService/PullChanges"] = RpcRule.Require(Roles.Sync),
        ["/sharing.v1.CaseService/GetCase"] = RpcRule.Require(Roles.Sync),
        ["/sharing.v1.CaseService/ListCases"] = RpcRule.Require(Roles.Sync),
        ["/sharing.v1.CaseService/RetractCase"] = RpcRule.Require(Roles.Sync),
        ["/sharing.v1.CaseService/CountCases"] = RpcRule.Require(Roles.Sync),

        // Tenants are the operator's. Only a tenant's own admin gives access in it (registers clients, rotates keys);
        // the operator may also list and disable them, which only takes access away (TenantAdmin checks which).
        ["/sharing.v1.TenantAdminService/CreateTenant"] = RpcRule.Require(Roles.PlatformAdmin),
        ["/sharing.v1.TenantAdminService/GetTenant"] = RpcRule.Require([.. Roles.All]),
        ["/sharing.v1.TenantAdminService/ListTenants"] = RpcRule.Require(Roles.PlatformAdmin, Roles.PlatformAuditor),
        ["/sharing.v1.TenantAdminService/SuspendTenant"] = RpcRule.Require(Roles.PlatformAdmin),
        ["/sharing.v1.TenantAdminService/ReactivateTenant"] = RpcRule.Require(Roles.PlatformAdmin),
        ["/sharing.v1.TenantAdminService/RegisterClient"] = RpcRule.Require(Roles.PlatformAdmin, Roles.TenantAdmin),
        ["/sharing.v1.TenantAdminService/ListClients"] = RpcRule.Require(Roles.PlatformAdmin, Roles.TenantAdmin),
        ["/sharing.v1.TenantAdminService/DisableClient"] = RpcRule.Require(Roles.PlatformAdmin, Roles.TenantAdmin),
        ["/sharing.v1.TenantAdminService/EnableClient"] = RpcRule.Require(Roles.PlatformAdmin, Roles.TenantAdmin),
        ["/sharing.v1.TenantAdminService/RotateClientKey"] = RpcRule.Require(Roles.PlatformAdmin, Roles.TenantAdmin),

        // Agreements are changed by the grantor's own tenant-admin, never the operator, and read by either party
        // (SharingAgreements checks which).
        ["/sharing.v1.SharingService/CreateAgreement"] = RpcRule.Require(Roles.TenantAdmin),
        ["/sharing.v1.SharingService/RevokeAgreement"] = RpcRule.Require(Roles.TenantAdmin),
        ["/sharing.v1.SharingService/GetAgreement"] = RpcRule.Require([.. Roles.All]),
        ["/sharing.v1.SharingService/ListAgreements"] = RpcRule.Require([.. Roles.All]),

        // The audit is for auditors: a tenant's own (scoped by AuditLog) or the platform's.
        ["/sharing.v1.AuditService/ListAuditEvents"] = RpcRule.Require(Roles.Auditor, Roles.PlatformAuditor),
        ["/sharing.v1.AuditService/GetCheckpoint"] = RpcRule.Require(Roles.Auditor, Roles.PlatformAuditor),
        ["/sharing.v1.AuditService/ExportAuditEvents"] = RpcRule.Require(Roles.Auditor, Roles.PlatformAuditor),
        ["/sharing.v1.AuditService/VerifyAuditChain"] = RpcRule.Require(Roles.Auditor, Roles.PlatformAuditor),
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
