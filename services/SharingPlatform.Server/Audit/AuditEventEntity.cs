namespace SharingPlatform.Server.Audit;

/// <summary>One link of the audit chain. Never updated or deleted by the server; any change shows in the hashes.</summary>
public sealed class AuditEventEntity
{
    /// <summary>Position in the chain, from 1, without gaps (assigned under the <see cref="AuditHead"/> lock).</summary>
    public long Seq { get; set; }

    public DateTime Time { get; set; }

    public required string ActorClient { get; set; }

    public required string ActorTenant { get; set; }

    public required string Action { get; set; }

    /// <summary>Resource names, one per line.</summary>
    public string Resources { get; set; } = "";

    public string Purpose { get; set; } = "";

    public required string Outcome { get; set; }

    public string RequestId { get; set; } = "";

    /// <summary>Packed <c>|slug|slug|</c>: the actor's tenant and the tenants whose resources were touched, for auditor scoping.</summary>
    public string Tenants { get; set; } = "";

    /// <summary>
    /// 16 random bytes hashed into <see cref="ContentDigest"/>, shown only to callers who may see the event, so a
    /// redacted event cannot be brute-forced. Empty in events written before salts existed (their old encoding).
    /// </summary>
    public byte[] Salt { get; set; } = [];

    public required byte[] ContentDigest { get; set; }

    public required byte[] PreviousHash { get; set; }

    public required byte[] Hash { get; set; }

    public IEnumerable<string> ResourceList => Resources.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
