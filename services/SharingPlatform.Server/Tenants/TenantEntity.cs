namespace SharingPlatform.Server.Tenants;

/// <summary>A partner organisation. Every case record and client belongs to exactly one tenant.</summary>
public sealed class TenantEntity
{
    public long Id { get; set; }

    /// <summary>URL-safe identifier used in resource names, e.g. <c>nkdb-demo</c>.</summary>
    public required string Slug { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>The contract's kind; <see cref="V1.TenantKind.Operator"/> for the platform operator's own tenant.</summary>
    public V1.TenantKind Kind { get; set; }

    public TenantStatus Status { get; set; }

    public DateTime CreateTime { get; set; }

    public string ResourceName => TenantNames.Format(Slug);
}

public enum TenantStatus
{
    Active = 0,
    Suspended = 1,
}
