using System.ComponentModel.DataAnnotations;

namespace SharingPlatform.Server.Hosting;

/// <summary>
/// Section <c>Endpoints</c>. Without TLS, Kestrel cannot offer HTTP/1.1 and HTTP/2 on one port (no ALPN), and
/// OAuth clients speak HTTP/1.1 to the token endpoint: so identity and health listen on one port, gRPC on another.
/// </summary>
public sealed class EndpointOptions
{
    public const string Section = "Endpoints";

    /// <summary>HTTP/1.1 listener for the token endpoint, discovery, JWKS and /healthz.</summary>
    [Required]
    public string IdentityUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>HTTP/2 listener for the gRPC API.</summary>
    [Required]
    public string GrpcUrl { get; set; } = "http://127.0.0.1:5081";

    /// <summary>
    /// HTTP/1.1 listener for the Prometheus scrape (<c>/metrics</c>, served there only); empty: off. Loopback by default;
    /// elsewhere it needs TLS like the others.
    /// </summary>
    public string MetricsUrl { get; set; } = "http://127.0.0.1:5082";

    /// <summary>A PKCS#12 certificate; when set, both listeners use TLS (https URLs). Required off loopback.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    public bool UsesTls => !string.IsNullOrEmpty(CertificatePath);
}
