namespace SharingPlatform.Server.Cases;

/// <summary>
/// The answer given to a push, kept under its request id so that a replay returns the same answer and
/// changes nothing. The request hash tells a replay from a different payload reusing the id.
/// </summary>
public sealed class PushReceipt
{
    public long Id { get; set; }

    public long TenantId { get; set; }

    public required string RequestId { get; set; }

    /// <summary>SHA-256 of the serialized request (pseudonymized content only, never names).</summary>
    public required byte[] RequestHash { get; set; }

    /// <summary>The serialized <see cref="V1.PushCasesResponse"/>.</summary>
    public required byte[] Response { get; set; }

    public DateTime CreateTime { get; set; }
}
