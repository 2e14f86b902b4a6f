using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace SharingPlatform.Server.Hosting;

public static class EndpointExtensions
{
    /// <summary>Listens on the identity (HTTP/1.1) and gRPC (HTTP/2) URLs; refuses cleartext off loopback.</summary>
    public static WebApplicationBuilder AddEndpoints(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EndpointOptions>().BindConfiguration(EndpointOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EndpointOptions>, EndpointOptionsValidator>();

        var endpoints = builder.Configuration.GetSection(EndpointOptions.Section).Get<EndpointOptions>() ?? new EndpointOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Runs when the application is built, before anything is written: a refusal here is a configuration error.
            if (EndpointRules.Check(endpoints) is { } problem)
            {
                throw new StartRefusedException(problem, StartExitCodes.Configuration);
            }

            var certificate = endpoints.UsesTls ? LoadCertificate(endpoints) : null;
            // A listener uses TLS exactly when its URL is https (EndpointRules: cleartext on loopback only), so that a
            // loopback http scrape beside https listeners is what its URL says.
            Listen(kestrel, new Uri(endpoints.IdentityUrl), certificate, HttpProtocols.Http1);
            Listen(kestrel, new Uri(endpoints.GrpcUrl), certificate, HttpProtocols.Http2);
            if (!string.IsNullOrEmpty(endpoints.MetricsUrl))
            {
                Listen(kestrel, new Uri(endpoints.MetricsUrl), certificate, HttpProtocols.Http1);
            }

            // Bounded inputs: gRPC caps its own messages; this caps everything else (e.g. token requests).
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
            kestrel.AddServerHeader = false;
        });
        return builder;
    }

    private static X509Certificate2 LoadCertificate(EndpointOptions endpoints)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(endpoints.CertificatePath!, endpoints.CertificatePassword);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new StartRefusedException(
                $"Endpoints:CertificatePath ({endpoints.CertificatePath}) cannot be read as a PKCS#12 certificate with Endpoints:CertificatePassword ({e.GetType().Name}): "
                + "the file is missing or unreadable, or the password is wrong.", StartExitCodes.Configuration);
        }

        if (!certificate.HasPrivateKey)
        {
            throw new StartRefusedException($"Endpoints:CertificatePath ({endpoints.CertificatePath}) holds no private key; TLS needs the certificate with its key.", StartExitCodes.Configuration);
        }

        return certificate;
    }

    /// <summary>Listens on <paramref name="uri"/>: with TLS (HTTP/1.1 and HTTP/2 by ALPN) when it is https, else with <paramref name="cleartext"/>.</summary>
    private static void Listen(KestrelServerOptions kestrel, Uri uri, X509Certificate2? certificate, HttpProtocols cleartext)
    {
        var tls = uri.Scheme == Uri.UriSchemeHttps;
        foreach (var address in EndpointRules.Addresses(uri))
        {
            kestrel.Listen(address, uri.Port, listen =>
            {
                listen.Protocols = tls ? HttpProtocols.Http1AndHttp2 : cleartext;
                if (tls)
                {
                    listen.UseHttps(certificate!); // EndpointRules refuses https without a certificate
                }
            });
        }
    }

    private sealed class EndpointOptionsValidator : IValidateOptions<EndpointOptions>
    {
        public ValidateOptionsResult Validate(string? name, EndpointOptions options) =>
            EndpointRules.Check(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
