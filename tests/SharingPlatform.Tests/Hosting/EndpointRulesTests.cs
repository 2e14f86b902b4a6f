extern alias server;

using server::SharingPlatform.Server.Hosting;

namespace SharingPlatform.Tests.Hosting;

public sealed class EndpointRulesTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5081", null)]
    [InlineData("http://localhost:5080", "http://[::1]:5081", null)]
    [InlineData("https://0.0.0.0:443", "https://0.0.0.0:8443", "cert.pfx")]
    public void Loopback_cleartext_or_any_address_with_tls_is_allowed(string identity, string grpc, string? certificate) =>
        Assert.Null(EndpointRules.Check(new EndpointOptions { IdentityUrl = identity, GrpcUrl = grpc, CertificatePath = certificate }));

    [Theory]
    [InlineData("http://0.0.0.0:5080", "http://127.0.0.1:5081", null, "beyond loopback")]
    [InlineData("http://127.0.0.1:5080", "http://192.168.1.5:5081", null, "beyond loopback")]
    [InlineData("https://127.0.0.1:5080", "http://127.0.0.1:5081", null, "no Endpoints:CertificatePath")]
    [InlineData("ftp://127.0.0.1:5080", "http://127.0.0.1:5081", null, "http(s)")]
    [InlineData("http://127.0.0.1:5080/path", "http://127.0.0.1:5081", null, "http(s)")]
    [InlineData("http://127.0.0.1:5080", "https://127.0.0.1:5081", "cert.pfx", "Endpoints:IdentityUrl is http while a certificate is configured")]
    public void Cleartext_off_loopback_or_a_malformed_url_is_refused(string identity, string grpc, string? certificate, string reason)
    {
        var problem = EndpointRules.Check(new EndpointOptions { IdentityUrl = identity, GrpcUrl = grpc, CertificatePath = certificate });

        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5082", null, null)]
    [InlineData("", null, null)]
    [InlineData("https://0.0.0.0:9464", "cert.pfx", null)]
    [InlineData("http://0.0.0.0:9464", null, "Endpoints:MetricsUrl listens beyond loopback")]
    [InlineData("http://0.0.0.0:9464", "cert.pfx", "Endpoints:MetricsUrl listens beyond loopback")]
    [InlineData("http://127.0.0.1:9464", "cert.pfx", null)]
    [InlineData("http://127.0.0.1:5081", null, "a port of its own")]
    [InlineData("127.0.0.1:5082", null, "Endpoints:MetricsUrl must be")]
    public void The_metrics_listener_is_loopback_cleartext_or_tls_on_a_port_of_its_own(string metrics, string? certificate, string? reason)
    {
        var scheme = certificate is null ? "http" : "https";
        var problem = EndpointRules.Check(new EndpointOptions { IdentityUrl = $"{scheme}://127.0.0.1:5080", GrpcUrl = $"{scheme}://127.0.0.1:5081", MetricsUrl = metrics, CertificatePath = certificate });

        if (reason is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.NotNull(problem);
            Assert.Contains(reason, problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:4317", false)]
    [InlineData("https://collector.example:4317", false)]
    [InlineData("http://collector.example:4317", true)]
    [InlineData("collector:4317", true)]
    public void Telemetry_leaves_in_cleartext_only_for_loopback(string endpoint, bool refused) =>
        Assert.Equal(refused, server::SharingPlatform.Server.Observability.TelemetryExtensions.OtlpProblem(endpoint) is not null);

    [Fact]
    public void Transport_security_is_relaxed_only_when_every_listener_is_loopback_cleartext()
    {
        Assert.True(EndpointRules.AllLoopbackCleartext(new EndpointOptions()));
        Assert.False(EndpointRules.AllLoopbackCleartext(new EndpointOptions { GrpcUrl = "http://10.0.0.1:5081" }));
        Assert.False(EndpointRules.AllLoopbackCleartext(new EndpointOptions { CertificatePath = "cert.pfx" }));
    }
}
