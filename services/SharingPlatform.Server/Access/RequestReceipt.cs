namespace SharingPlatform.Server.Access;

/// <summary>
/// The first answer to an administrative create (CreateTenant, RegisterClient, CreateAgreement) sent with a
/// request_id, kept so that a replay returns it and creates nothing (<see cref="RequestReceipts"/>). Pushes keep their
/// own receipts (<see cref="Cases.PushReceipt"/>).
/// </summary>
public sealed class RequestReceipt
{
    public long Id { get; set; }

    /// <summary>The caller's tenant: request ids are the caller's, so another tenant's ids never collide with them.</summary>
    public long TenantId { get; set; }

    /// <summary>The gRPC method, e.g. <c>sharing.v1.SharingService/CreateAgreement</c>.</summary>
    public required string Method { get; set; }

    public required string RequestId { get; set; }

    /// <summary>SHA-256 of the method and the serialized request, which tells a replay from another request reusing the id.</summary>
    public required byte[] RequestHash { get; set; }

    /// <summary>The serialized answer (a Tenant, Client or SharingAgreement).</summary>
    public required byte[] Response { get; set; }

    public DateTime CreateTime { get; set; }
}
