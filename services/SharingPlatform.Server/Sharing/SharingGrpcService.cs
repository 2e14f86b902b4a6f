using Grpc.Core;
using SharingPlatform.Server.Access;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Sharing;

/// <summary>The SharingService RPCs; roles are checked by <see cref="CallerInterceptor"/>, parties by <see cref="SharingAgreements"/>.</summary>
public sealed class SharingGrpcService(SharingAgreements agreements) : SharingService.SharingServiceBase
{
    public override Task<SharingAgreement> CreateAgreement(CreateAgreementRequest request, ServerCallContext context) =>
        agreements.CreateAsync(context.Caller(), request, context.CancellationToken);

    public override Task<SharingAgreement> GetAgreement(GetAgreementRequest request, ServerCallContext context) =>
        agreements.GetAsync(context.Caller(), request.Name, context.CancellationToken);

    public override Task<ListAgreementsResponse> ListAgreements(ListAgreementsRequest request, ServerCallContext context) =>
        agreements.ListAsync(context.Caller(), request, context.CancellationToken);

    public override Task<SharingAgreement> RevokeAgreement(RevokeAgreementRequest request, ServerCallContext context) =>
        agreements.RevokeAsync(context.Caller(), request.Name, context.CancellationToken);
}
