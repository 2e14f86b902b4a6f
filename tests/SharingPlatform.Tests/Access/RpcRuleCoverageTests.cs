extern alias server;

using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SharingPlatform.Tests.Infrastructure;
using server::SharingPlatform.Server.Access;

namespace SharingPlatform.Tests.Access;

/// <summary>The rule table covers every RPC the host serves, and no rule is open by mistake.</summary>
public sealed class RpcRuleCoverageTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public void Every_mapped_grpc_method_has_a_rule()
    {
        var methods = fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>())
            .OfType<GrpcMethodMetadata>()
            .Select(m => m.Method.FullName)
            .Distinct()
            .ToList();

        Assert.Contains("/sharing.v1.CaseService/PushCases", methods);
        Assert.All(methods, m => Assert.True(RpcRules.ByMethod.ContainsKey(m), $"{m} has no access rule"));
    }

    [Fact]
    public void Only_health_and_reflection_are_anonymous_and_every_role_named_exists()
    {
        foreach (var (method, rule) in RpcRules.ByMethod)
        {
            if (rule.Anonymous)
            {
                Assert.True(method.StartsWith("/grpc.health.v1.", StringComparison.Ordinal) || method.StartsWith("/grpc.reflection.", StringComparison.Ordinal), method);
            }
            else
            {
                Assert.NotEmpty(rule.AnyOf);
                Assert.All(rule.AnyOf, r => Assert.Contains(r, Roles.All));
            }
        }
    }

    [Fact]
    public void Every_method_of_every_sharing_service_in_the_contract_has_a_rule()
    {
        var contract = Contract.Services.SelectMany(s => s.Methods).Select(m => $"/{m.Service.FullName}/{m.Name}").ToList();

        Assert.Contains("/sharing.v1.SharingService/RevokeAgreement", contract);

        Assert.All(contract, m => Assert.True(RpcRules.ByMethod.ContainsKey(m), $"{m} has no access rule"));
    }
}
