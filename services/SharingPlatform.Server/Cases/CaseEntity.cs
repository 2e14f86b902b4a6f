namespace SharingPlatform.Server.Cases;

/// <summary>
/// The stored form of a case record: the record itself as protobuf bytes, plus the few columns that
/// queries filter on. A retracted record keeps only its identity and change sequence (a tombstone).
/// </summary>
public sealed class CaseEntity : ICaseFacts
{
    public long Id { get; set; }

    public long TenantId { get; set; }

    /// <summary>The owner-chosen id, the last segment of <c>tenants/{tenant}/cases/{case}</c>.</summary>
    public required string CaseId { get; set; }

    /// <summary>Position in the platform-wide change feed; assigned in commit order (see <see cref="ChangeSequence"/>).</summary>
    public long Seq { get; set; }

    /// <summary>Incremented on every change.</summary>
    public long Version { get; set; }

    public bool Retracted { get; set; }

    public DateTime CreateTime { get; set; }

    public DateTime UpdateTime { get; set; }

    public int Status { get; set; }

    public int Classification { get; set; }

    public int ConsentScope { get; set; }

    /// <summary>Event types as <c>|2|3|</c>, so that one LIKE finds a type on every provider.</summary>
    public string EventTypes { get; set; } = "";

    /// <summary>Event regions as <c>|CN-LN|CN-JL|</c>.</summary>
    public string Regions { get; set; } = "";

    /// <summary>The validated <see cref="V1.CaseRecord"/> without name, etag and times; empty for a tombstone.</summary>
    public byte[] Content { get; set; } = [];

    /// <summary>A fresh random value on every change (<see cref="CaseEtags"/>): it tells a reader that the record
    /// changed, never how often.</summary>
    public string Etag { get; set; } = "";
}
