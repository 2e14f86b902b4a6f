namespace SharingPlatform.Server.Tenants;

/// <summary>A partner organisation. Every case record and client belongs to exactly one tenant.</summary>
public sealed class Tenant
{
    public long Id { get; set; }

    /// <summary>URL-safe identifier used in resource names, e.g. <c>nkdb-demo</c>.</summary>
    public required string Slug { get; set; }

    public required string DisplayName { get; set; }

    public TenantKind Kind { get; set; }

    public TenantStatus Status { get; set; }

    public DateTime CreateTime { get; set; }

    public string ResourceName => TenantNames.Format(Slug);
}

public enum TenantKind
{
    /// <summary>The platform operator's own tenant; holds the platform-admin client.</summary>
    Operator = 0,
    Documentation = 1,
    Rescue = 2,
    Advocacy = 3,
    Intergovernmental = 4,
}

public enum TenantStatus
{
    Active = 0,
    Suspended = 1,
}
