using Grpc.Core;
using SharingPlatform.Server.Access;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>The CaseService RPCs; authorization already happened in <see cref="CallerInterceptor"/>.</summary>
public sealed class CaseGrpcService(CaseWriter writer, CaseQuery query, CaseFeed feed, CaseCounts counts) : CaseService.CaseServiceBase
{
    public override Task<PushCasesResponse> PushCases(PushCasesRequest request, ServerCallContext context) =>
        writer.PushAsync(context.Caller(), request, context.CancellationToken);

    public override Task PullChanges(PullChangesRequest request, IServerStreamWriter<PullChangesResponse> responseStream, ServerCallContext context) =>
        feed.PullAsync(context.Caller(), request, responseStream, context);

    public override Task<CaseRecord> GetCase(GetCaseRequest request, ServerCallContext context) =>
        query.GetAsync(context.Caller(), request, context.CancellationToken);

    public override Task<ListCasesResponse> ListCases(ListCasesRequest request, ServerCallContext context) =>
        query.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<CountCasesResponse> CountCases(CountCasesRequest request, ServerCallContext context) =>
        counts.CountAsync(context.Caller(), request, context.CancellationToken);

    public override async Task<RetractCaseResponse> RetractCase(RetractCaseRequest request, ServerCallContext context) =>
        new() { Tombstone = await writer.RetractAsync(context.Caller(), request, context.CancellationToken) };
}
