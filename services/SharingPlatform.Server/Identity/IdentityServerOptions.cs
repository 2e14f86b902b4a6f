using System.ComponentModel.DataAnnotations;

namespace SharingPlatform.Server.Identity;

/// <summary>Section <c>Identity</c>: the token service.</summary>
public sealed class IdentityServerOptions
{
    public const string Section = "Identity";

    /// <summary>The audience every access token is issued for and the API accepts.</summary>
    public const string Audience = "sharing-api";

    /// <summary>The issuer URL; client assertions must name exactly this as <c>aud</c>. Empty: Endpoints:IdentityUrl with a trailing slash.</summary>
    public string? Issuer { get; set; }

    /// <summary>Access token lifetime, 5-15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "00:15:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest a client assertion may live (exp - iat); longer ones are refused.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:10:00")]
    public TimeSpan MaxAssertionLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Allow client_secret authentication. For development only: secrets travel with every request.</summary>
    public bool AllowClientSecrets { get; set; }

    /// <summary>Where the signing and encryption keys live; empty means <c>{DataDirectory}/keys</c>. Share it between replicas.</summary>
    public string? KeyDirectory { get; set; }
}
