using Grpc.Core;
using Grpc.Net.Client;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>Calls every CaseService method with a given (or no) bearer token, bypassing the SDK's token handling.</summary>
public sealed class RawCalls(PlatformFixture fixture, TestClient client) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(PlatformFixture.GrpcAddress,
        new GrpcChannelOptions { HttpHandler = fixture.Factory.Server.CreateHandler() });

    public CaseService.CaseServiceClient Cases => new(_channel);

    public GrpcChannel Channel => _channel;

    /// <summary>Every CaseService method, each invoked against <paramref name="client"/>'s own tenant.</summary>
    public IEnumerable<(string Method, Func<Metadata, Task> Call)> AllCaseMethods()
    {
        var name = client.CaseName("x");
        yield return ("PushCases", h => Cases.PushCasesAsync(Records.Push(client, Records.Valid(name)), h).ResponseAsync);
        yield return ("PullChanges", async h =>
        {
            using var call = Cases.PullChanges(new PullChangesRequest { Parent = client.Parent }, h);
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        });
        yield return ("GetCase", h => Cases.GetCaseAsync(new GetCaseRequest { Name = name }, h).ResponseAsync);
        yield return ("ListCases", h => Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent }, h).ResponseAsync);
        yield return ("RetractCase", h => Cases.RetractCaseAsync(new RetractCaseRequest { Name = name }, h).ResponseAsync);
        yield return ("CountCases", h => Cases.CountCasesAsync(new CountCasesRequest { Parent = client.Parent, GroupBy = CountDimension.Status }, h).ResponseAsync);
    }

    public static Metadata Bearer(string? token) => token is null ? [] : new Metadata { { "Authorization", "Bearer " + token } };

    public void Dispose() => _channel.Dispose();
}
