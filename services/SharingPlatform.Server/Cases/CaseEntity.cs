namespace SharingPlatform.Server.Cases;

/// <summary>
/// The stored form of a case record: the record itself as protobuf bytes, plus the columns and side rows that
/// sharing rules and queries filter on. A retracted record keeps only its identity and change sequence (a tombstone).
/// </summary>
public sealed class CaseEntity
{
    public long Id { get; set; }

    public long TenantId { get; set; }

    /// <summary>The owner-chosen id, the last segment of <c>tenants/{tenant}/cases/{case}</c>.</summary>
    public required string CaseId { get; set; }

    /// <summary>Position in the platform-wide change feed; assigned in commit order (see <see cref="Data.ChangeSequence"/>).</summary>
    public long Seq { get; set; }

    /// <summary>Incremented on every change.</summary>
    public long Version { get; set; }

    public bool Retracted { get; set; }

    public DateTime CreateTime { get; set; }

    public DateTime UpdateTime { get; set; }

    public int Status { get; set; }

    public int Classification { get; set; }

    public int ConsentScope { get; set; }

    /// <summary>The record's event types, one row each (distinct), so that filters and counts are indexed SQL.</summary>
    public List<CaseEventType> EventTypes { get; set; } = [];

    /// <summary>The record's event regions, one row each (distinct).</summary>
    public List<CaseRegion> Regions { get; set; } = [];

    /// <summary>The latest event month as <c>yyyymm</c> (0 when no event has a month), for CountCases by month.</summary>
    public int Month { get; set; }

    /// <summary>Which version of <see cref="CaseFacts"/> wrote the facts above; rows below <see cref="CaseFacts.Version"/>
    /// (written before the facts existed) are filled in from their content at start-up.</summary>
    public int FactsVersion { get; set; }

    /// <summary>The validated <see cref="V1.CaseRecord"/> without name, etag and times; empty for a tombstone.</summary>
    public byte[] Content { get; set; } = [];

    /// <summary>A fresh random value on every change (<see cref="CaseEtags"/>): it tells a reader that the record
    /// changed, never how often.</summary>
    public string Etag { get; set; } = "";
}

/// <summary>One event type of a record.</summary>
public sealed class CaseEventType
{
    public long CaseRowId { get; set; }

    public int EventType { get; set; }
}

/// <summary>One event region of a record, e.g. <c>CN-LN</c>.</summary>
public sealed class CaseRegion
{
    public long CaseRowId { get; set; }

    public required string Region { get; set; }
}
