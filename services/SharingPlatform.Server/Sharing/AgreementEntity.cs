namespace SharingPlatform.Server.Sharing;

/// <summary>
/// A stored sharing agreement. Immutable after creation except for revocation. Its creation and revocation
/// take numbers from the change sequence, so a pull can tell which agreements were live at its cursor.
/// </summary>
public sealed class AgreementEntity
{
    public long Id { get; set; }

    /// <summary>Server-assigned id, the last segment of <c>tenants/{grantor}/agreements/{agreement}</c>.</summary>
    public required string AgreementId { get; set; }

    public long GrantorTenantId { get; set; }

    public long GranteeTenantId { get; set; }

    public int Purpose { get; set; }

    /// <summary>Space-separated CaseRecord field names the grantee sees.</summary>
    public required string Fields { get; set; }

    public int MaxClassification { get; set; }

    /// <summary>Packed <c>|2|3|</c>; empty means any.</summary>
    public string EventTypes { get; set; } = "";

    /// <summary>Packed <c>|2|3|</c>; empty means any.</summary>
    public string Statuses { get; set; } = "";

    /// <summary>Packed <c>|CN-LN|</c>; empty means any.</summary>
    public string Regions { get; set; } = "";

    public int DatePrecision { get; set; }

    public bool Linkage { get; set; }

    public bool AggregateOnly { get; set; }

    public int MinCellSize { get; set; }

    public DateTime ValidFrom { get; set; }

    public DateTime ValidUntil { get; set; }

    public DateTime CreateTime { get; set; }

    public long CreateSeq { get; set; }

    public DateTime? RevokeTime { get; set; }

    public long? RevokeSeq { get; set; }
}
