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
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
