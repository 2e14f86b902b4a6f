using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Observability;

/// <summary>The platform with tracing on (an OTLP endpoint on loopback that nobody answers: export fails quietly).</summary>
public sealed class TracedFixture : SqliteFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Telemetry:OtlpEndpoint", "http://127.0.0.1:9")];
}

/// <summary>Spans, as they would be exported, carry the gRPC method but no path, query, header, SQL text or value sent.</summary>
public sealed class SpanTests(TracedFixture fixture) : IClassFixture<TracedFixture>, IDisposable
{
    private readonly string _marker = "mk" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private readonly ConcurrentQueue<Activity> _spans = new();
    private ActivityListener? _listener;

    [Fact]
    public async Task Spans_carry_no_request_value()
    {
        // Sees every span of the server's sources as the exporter would, once its tags are final.
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || s.Name.Contains("EntityFrameworkCore", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);

        var caller = await fixture.CreateClientAsync();
        using (var http = fixture.Factory.CreateClient())
        {
            http.DefaultRequestHeaders.UserAgent.ParseAdd(_marker + "/1.0");
            (await http.GetAsync(new Uri($"/{_marker}/x?{_marker}={_marker}", UriKind.Relative), TestContext.Current.CancellationToken)).Dispose();
        }

        using var connection = caller.Connect();
        var record = Records.Valid(caller.CaseName(_marker));
        await connection.Cases.PushCasesAsync(Records.Push(caller, record), cancellationToken: TestContext.Current.CancellationToken);
        await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = record.Name }, cancellationToken: TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<RpcException>(() => connection.Cases.GetCaseAsync(new GetCaseRequest { Name = caller.CaseName(_marker + "x") }).ResponseAsync);
        await Task.Delay(200, TestContext.Current.CancellationToken); // the last span stops just after its answer left

        var spans = _spans.ToList();
        Assert.Contains(spans, s => (s.GetTagItem("http.route") as string) == "/sharing.v1.CaseService/GetCase");
        Assert.Contains(spans, s => s.GetTagItem("db.system") is not null || s.GetTagItem("db.system.name") is not null);
        Assert.DoesNotContain(spans, s => s.GetTagItem("db.query.text") is not null || s.GetTagItem("db.statement") is not null);
        var leaks = spans.Where(s => s.DisplayName.Contains(_marker, StringComparison.OrdinalIgnoreCase)
            || s.TagObjects.Any(t => $"{t.Key}={t.Value}".Contains(_marker, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(leaks.Count == 0, "in spans: " + string.Join(" | ", leaks.Select(s => s.DisplayName + " " + string.Join(",", s.TagObjects.Select(t => $"{t.Key}={t.Value}")))));
    }

    [Fact]
    public async Task A_trace_context_or_baggage_sent_from_outside_is_not_taken_up()
    {
        // Whoever can reach a listener could otherwise join this platform's traces, pick trace ids and force sampling.
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var spanId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

        using (var http = fixture.Factory.CreateClient())
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/healthz?" + _marker, UriKind.Relative));
            request.Headers.Add("traceparent", $"00-{traceId}-{spanId}-01");
            request.Headers.Add("tracestate", "vendor=" + _marker);
            request.Headers.Add("baggage", "who=" + _marker);
            (await http.SendAsync(request, TestContext.Current.CancellationToken)).Dispose();
        }

        await Task.Delay(200, TestContext.Current.CancellationToken);
        var span = Assert.Single(_spans, s => s.Kind == ActivityKind.Server && s.TagObjects.Any(t => t.Key == "http.route" && "/healthz".Equals(t.Value)));
        Assert.NotEqual(traceId, span.TraceId.ToHexString());
        Assert.NotEqual(spanId, span.ParentSpanId.ToHexString());
        Assert.Null(span.TraceStateString);
        Assert.Empty(span.Baggage);
    }

    public void Dispose() => _listener?.Dispose();
}
