using Grpc.Core;
using SharingPlatform.Server.Access;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Audit;

/// <summary>The AuditService RPCs; auditor roles are checked by <see cref="CallerInterceptor"/>, scope by <see cref="AuditLog"/>.</summary>
public sealed class AuditGrpcService(AuditLog log) : AuditService.AuditServiceBase
{
    public override Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context) =>
        log.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<SignedCheckpoint> GetCheckpoint(GetCheckpointRequest request, ServerCallContext context) =>
        log.CheckpointAsync(context.CancellationToken);

    public override Task ExportAuditEvents(ExportAuditEventsRequest request, IServerStreamWriter<ExportAuditEventsResponse> responseStream, ServerCallContext context) =>
        log.ExportAsync(context.Caller(), request, responseStream, context.CancellationToken);

    public override Task<VerifyAuditChainResponse> VerifyAuditChain(VerifyAuditChainRequest request, ServerCallContext context) =>
        log.VerifyAsync(context.CancellationToken);
}
