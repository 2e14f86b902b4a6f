using System.Net;

namespace SharingPlatform.Server.Hosting;

/// <summary>The listener rule: cleartext only on loopback; anywhere else needs a certificate.</summary>
public static class EndpointRules
{
    /// <summary>Returns why <paramref name="options"/> may not be used, or null when they are safe.</summary>
    public static string? Check(EndpointOptions options)
    {
        foreach (var (name, url) in Listeners(options))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Port <= 0 || uri.AbsolutePath != "/"
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return $"Endpoints:{name} must be an http(s)://host:port URL.";
            }

            if (uri.Scheme == Uri.UriSchemeHttps && !options.UsesTls)
            {
                return $"Endpoints:{name} is https but no Endpoints:CertificatePath is configured.";
            }

            if (uri.Scheme == Uri.UriSchemeHttp && options.UsesTls && name != "MetricsUrl")
            {
                return $"Endpoints:{name} is http while a certificate is configured: use an https URL (only a loopback MetricsUrl may stay http).";
            }

            if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri.Host))
            {
                return $"Endpoints:{name} listens beyond loopback without TLS; configure Endpoints:CertificatePath and an https URL.";
            }
        }

        if (!string.IsNullOrEmpty(options.MetricsUrl) && Uri.TryCreate(options.MetricsUrl, UriKind.Absolute, out var metrics)
            && new[] { options.IdentityUrl, options.GrpcUrl }.Any(u => Uri.TryCreate(u, UriKind.Absolute, out var other) && other.Port == metrics.Port))
        {
            return "Endpoints:MetricsUrl must have a port of its own: only that port serves /metrics.";
        }

        return null;
    }

    /// <summary>The configured listeners by setting name: identity, gRPC, and metrics unless it is off (empty).</summary>
    public static IEnumerable<(string Name, string Url)> Listeners(EndpointOptions options) =>
        new[] { ("IdentityUrl", options.IdentityUrl), ("GrpcUrl", options.GrpcUrl), ("MetricsUrl", options.MetricsUrl) }
            .Where(l => l.Item1 != "MetricsUrl" || !string.IsNullOrEmpty(l.Item2));

    /// <summary>True when every listener is on loopback and cleartext, the only case where plain HTTP is allowed.</summary>
    public static bool AllLoopbackCleartext(EndpointOptions options) =>
        !options.UsesTls && new[] { options.IdentityUrl, options.GrpcUrl }.All(u =>
            Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri.Host));

    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>Where to listen for <paramref name="uri"/>: its IP address, loopback for localhost, every address for a
    /// host name (only reachable with TLS, which <see cref="Check"/> requires off loopback).</summary>
    public static IPAddress[] Addresses(Uri uri) =>
        string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase) ? [IPAddress.Loopback]
        : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) ? [address]
        : [IPAddress.IPv6Any];
}
