namespace SharingPlatform.Server.Access;

/// <summary>The roles a client can hold (DESIGN section 4).</summary>
public static class Roles
{
    /// <summary>Read and write the tenant's own cases; read what is shared with it.</summary>
    public const string Sync = "sync";

    /// <summary>Manage the tenant's own clients and outgoing agreements.</summary>
    public const string TenantAdmin = "tenant-admin";

    /// <summary>Read the audit of the tenant's own data.</summary>
    public const string Auditor = "auditor";

    /// <summary>Manage tenants and clients of every tenant.</summary>
    public const string PlatformAdmin = "platform-admin";

    /// <summary>Read the whole audit log.</summary>
    public const string PlatformAuditor = "platform-auditor";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Sync, TenantAdmin, Auditor, PlatformAdmin, PlatformAuditor,
    };

    public static IReadOnlySet<string> Parse(string roles) =>
        roles.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(All.Contains)
            .ToHashSet(StringComparer.Ordinal);

    public static string Format(IEnumerable<string> roles) => string.Join(' ', roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
