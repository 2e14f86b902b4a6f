namespace SharingPlatform.Server.Tenants;

/// <summary>
/// A machine client of one tenant. Its credentials live in the OpenIddict application with the same
/// client id; this row holds what the API authorizes with: tenant, roles and status, read on every call.
/// </summary>
public sealed class ClientEntity
{
    public long Id { get; set; }

    public required string ClientId { get; set; }

    public long TenantId { get; set; }

    public TenantEntity Tenant { get; set; } = null!;

    /// <summary>Space-separated role names (see <see cref="Access.Roles"/>).</summary>
    public required string Roles { get; set; }

    public ClientStatus Status { get; set; }

    /// <summary>RFC 7638 thumbprint of the registered public key; empty for a development secret client.</summary>
    public string KeyId { get; set; } = "";

    public DateTime CreateTime { get; set; }

    /// <summary>
    /// Raised each time the client is disabled. A token carries the generation it was issued in
    /// (<see cref="Identity.TokenClaims.ClientGeneration"/>), so no token obtained before a disable works again after
    /// the client is enabled.
    /// </summary>
    public int Generation { get; set; }

    public IReadOnlySet<string> RoleSet => Access.Roles.Parse(Roles);
}

public enum ClientStatus
{
    Active = 0,
    Disabled = 1,
}
