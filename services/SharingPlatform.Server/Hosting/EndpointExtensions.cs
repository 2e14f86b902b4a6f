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
            if (EndpointRules.Check(endpoints) is { } problem)
            {
                throw new InvalidOperationException(problem);
            }

            var certificate = endpoints.UsesTls
                ? X509CertificateLoader.LoadPkcs12FromFile(endpoints.CertificatePath!, endpoints.CertificatePassword)
                : null;
            Listen(kestrel, new Uri(endpoints.IdentityUrl), certificate, certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2);
            Listen(kestrel, new Uri(endpoints.GrpcUrl), certificate, certificate is null ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2);
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

    private static void Listen(KestrelServerOptions kestrel, Uri uri, X509Certificate2? certificate, HttpProtocols protocols)
    {
        foreach (var address in EndpointRules.Addresses(uri))
        {
            kestrel.Listen(address, uri.Port, listen =>
            {
                listen.Protocols = protocols;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
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
