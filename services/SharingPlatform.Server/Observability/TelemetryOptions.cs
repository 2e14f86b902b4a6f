namespace SharingPlatform.Server.Observability;

/// <summary>Section <c>Telemetry</c>: where traces and metrics go besides the scrape endpoint (Endpoints:MetricsUrl).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>
    /// An OTLP/gRPC collector (e.g. <c>http://127.0.0.1:4317</c>) to send traces and metrics to; empty: none, unless
    /// the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Cleartext only to loopback, as for the listeners.
    /// </summary>
    public string? OtlpEndpoint { get; set; }
}
