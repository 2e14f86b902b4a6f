using System.Diagnostics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Observability;

/// <summary>
/// OpenTelemetry traces and metrics (ASP.NET Core, which covers gRPC server calls, and EF Core, plus the platform's own
/// <see cref="PlatformMetrics"/>), exported over OTLP when configured and scraped by Prometheus on Endpoints:MetricsUrl
/// only; and the per-call log (<see cref="CallLog"/>). No span carries a request value: paths, queries, user agents and
/// host headers are dropped (the gRPC method stays as <c>http.route</c>), and database spans lose their SQL text.
/// </summary>
public static class TelemetryExtensions
{
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PlatformMetrics>();
        // Whoever reaches a listener is no part of this platform's tracing: a traceparent, tracestate or baggage it
        // sends would pick trace ids, force sampling and put its own values into exported spans. Every request starts
        // a trace of its own. ASP.NET Core takes the propagator from the container; OpenTelemetry's instrumentation
        // extracts once more with its default propagator, which is emptied likewise.
        builder.Services.AddSingleton<DistributedContextPropagator>(new NoIncomingContext());
        OpenTelemetry.Sdk.SetDefaultTextMapPropagator(new OpenTelemetry.Context.Propagation.CompositeTextMapPropagator([]));
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section);
        builder.Services.AddOpenIddict().AddServer(server => server.AddEventHandler(TokenLog.Descriptor));

        var telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = !string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint) ? telemetry.OtlpEndpoint : builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (!string.IsNullOrWhiteSpace(otlp) && OtlpProblem(otlp) is { } problem)
        {
            throw new StartRefusedException(problem, StartExitCodes.Configuration);
        }

        var scrape = MetricsPort(builder.Configuration) is not null;
        var otel = builder.Services.AddOpenTelemetry();
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(PlatformMetrics.MeterName).AddAspNetCoreInstrumentation();
            if (scrape)
            {
                metrics.AddPrometheusExporter();
            }

            if (!string.IsNullOrWhiteSpace(otlp))
            {
                metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
            }
        });
        if (!string.IsNullOrWhiteSpace(otlp))
        {
            otel.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.RecordException = false; // an exception's message may quote data
                    o.EnrichWithHttpResponse = (activity, _) => DropRequestValues(activity);
                })
                .AddEntityFrameworkCoreInstrumentation(o => o.EnrichWithIDbCommand = (activity, _) => DropStatement(activity))
                .AddOtlpExporter(o => o.Endpoint = new Uri(otlp)));
        }

        return builder;
    }

    /// <summary>
    /// The per-call log, first so that it sees every answer as sent; and, on the metrics listener's port alone, the
    /// Prometheus scrape at <c>/metrics</c> and nothing else (every other path there is 404, and /metrics elsewhere too).
    /// </summary>
    public static WebApplication UseTelemetry(this WebApplication app)
    {
        app.UseMiddleware<CallLog>();
        if (MetricsPort(app.Configuration) is { } port)
        {
            app.MapWhen(http => http.Connection.LocalPort == port, metrics =>
            {
                metrics.UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Request.Path == "/metrics" && HttpMethods.IsGet(http.Request.Method));
                metrics.Run(http =>
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                });
            });
        }

        return app;
    }

    /// <summary>The metrics listener's port, or null when Endpoints:MetricsUrl is empty (off) or unusable (refused at start).</summary>
    public static int? MetricsPort(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection(EndpointOptions.Section).Get<EndpointOptions>() ?? new EndpointOptions();
        return !string.IsNullOrWhiteSpace(endpoints.MetricsUrl) && Uri.TryCreate(endpoints.MetricsUrl, UriKind.Absolute, out var uri) ? uri.Port : null;
    }

    /// <summary>Why the OTLP endpoint may not be used, or null: spans name clients and tenants, so not in cleartext off loopback.</summary>
    public static string? OtlpProblem(string endpoint) =>
        !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            ? "Telemetry:OtlpEndpoint (or OTEL_EXPORTER_OTLP_ENDPOINT) must be an http(s) URL."
            : uri.Scheme == Uri.UriSchemeHttp && !EndpointRules.IsLoopback(uri.Host)
                ? "Telemetry:OtlpEndpoint (or OTEL_EXPORTER_OTLP_ENDPOINT) sends telemetry beyond loopback without TLS; use an https URL."
                : null;

    /// <summary>Takes no trace context or baggage from a request, and sends none (the server calls no one but its collector).</summary>
    private sealed class NoIncomingContext : DistributedContextPropagator
    {
        public override IReadOnlyCollection<string> Fields { get; } = [];

        public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
        {
        }

        public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
        {
            traceId = null;
            traceState = null;
        }

        public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;
    }

    private static readonly string[] RequestValueTags = ["url.path", "url.query", "user_agent.original", "server.address", "client.address"];

    private static void DropRequestValues(Activity activity)
    {
        foreach (var tag in RequestValueTags)
        {
            activity.SetTag(tag, null);
        }
    }

    private static void DropStatement(Activity activity)
    {
        activity.SetTag("db.statement", null);
        activity.SetTag("db.query.text", null);
    }
}
