extern alias server;

using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using server::SharingPlatform.Server.Access;

namespace SharingPlatform.Tests.Access;

/// <summary>
/// Every RPC of every service in the contract (from the generated descriptors, so new RPCs are included
/// automatically), called with an empty request: without a token it is UNAUTHENTICATED; with a valid token
/// of a client holding none of the roles its rule names, it is PERMISSION_DENIED before any handler runs.
/// </summary>
public sealed class EveryRpcMatrixTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    [Fact]
    public async Task Every_rpc_refuses_a_call_without_a_token()
    {
        var client = await fixture.CreateClientAsync();
        using var raw = new RawCalls(fixture, client);
        var checkedCount = 0;

        foreach (var method in Contract.Services.SelectMany(s => s.Methods))
        {
            var status = await CallAsync(raw, method, []);
            Assert.True(status == StatusCode.Unauthenticated, $"{method.FullName}: {status}");
            checkedCount++;
        }

        Assert.True(checkedCount >= 18, $"only {checkedCount} RPCs found");
    }

    [Fact]
    public async Task Every_rpc_refuses_a_client_without_any_of_its_roles()
    {
        foreach (var method in Contract.Services.SelectMany(s => s.Methods))
        {
            var rule = RpcRules.ByMethod[$"/{method.Service.FullName}/{method.Name}"];
            var outsideRoles = Roles.All.Except(rule.AnyOf).Where(r => r is not (Roles.PlatformAdmin or Roles.PlatformAuditor)).ToArray();
            if (outsideRoles.Length == 0)
            {
                continue; // open to every role: covered by the resource checks of each service's own tests
            }

            var client = await fixture.CreateClientAsync(null, outsideRoles);
            using var connection = client.Connect();
            using var raw = new RawCalls(fixture, client);
            var token = await connection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);

            var status = await CallAsync(raw, method, RawCalls.Bearer(token));

            Assert.True(status == StatusCode.PermissionDenied, $"{method.FullName} with roles {string.Join(",", outsideRoles)}: {status}");
        }
    }

    public static async Task<StatusCode> CallAsync(RawCalls raw, Google.Protobuf.Reflection.MethodDescriptor method, Metadata headers)
    {
        var type = method.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary;
        var call = new Method<byte[], byte[]>(type, method.Service.FullName, method.Name, Bytes, Bytes);
        try
        {
            if (method.IsServerStreaming)
            {
                using var stream = raw.Channel.CreateCallInvoker().AsyncServerStreamingCall(call, null, new CallOptions(headers), []);
                while (await stream.ResponseStream.MoveNext(CancellationToken.None))
                {
                }
            }
            else
            {
                await raw.Channel.CreateCallInvoker().AsyncUnaryCall(call, null, new CallOptions(headers), []);
            }

            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
