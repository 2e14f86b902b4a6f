using System.Diagnostics;
using System.Diagnostics.Metrics;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Observability;

/// <summary>
/// The platform's own meter, <c>SharingPlatform</c>. Its tags are outcomes, status codes and refusal reasons from a
/// fixed set: never a tenant, a client, a name or anything a caller sent. An instrument nobody listens to costs a branch.
/// </summary>
public sealed class PlatformMetrics
{
    public const string MeterName = "SharingPlatform";

    private readonly Counter<long> _pushed;
    private readonly Counter<long> _pulled;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _auditLatency;
    private readonly Histogram<int> _auditBatch;
    private readonly Histogram<double> _feedLag;
    private readonly UpDownCounter<int> _follows;

    public PlatformMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _pushed = meter.CreateCounter<long>("sharingplatform.records.pushed", "{record}", "Records in pushes that committed, by outcome.");
        _pulled = meter.CreateCounter<long>("sharingplatform.records.pulled", "{change}", "Changes (records and tombstones) delivered by PullChanges.");
        _refused = meter.CreateCounter<long>("sharingplatform.refusals", "{call}", "gRPC calls and token requests answered with an error, by status and reason.");
        _auditLatency = meter.CreateHistogram("sharingplatform.audit.append.duration", "s",
            "Time from queueing a stand-alone audit event to the commit of its group.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _auditBatch = meter.CreateHistogram("sharingplatform.audit.append.batch_size", "{event}",
            "Audit events committed in one group transaction.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _feedLag = meter.CreateHistogram("sharingplatform.feed.lag", "s",
            "On a following pull, time from a change's write to its delivery (the newest change of each pass after the first).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60] });
        _follows = meter.CreateUpDownCounter<int>("sharingplatform.follows.open", "{stream}", "Following pulls open on this process.");
    }

    /// <summary>One count per outcome of a committed push; <paramref name="outcomes"/> is indexed by <see cref="PushOutcome"/>.</summary>
    public void Pushed(ReadOnlySpan<int> outcomes)
    {
        if (!_pushed.Enabled)
        {
            return;
        }

        for (var i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i] > 0)
            {
                _pushed.Add(outcomes[i], new KeyValuePair<string, object?>("outcome", OutcomeName((PushOutcome)i)));
            }
        }
    }

    public void Pulled(int changes) => _pulled.Add(changes);

    public void Refused(string status, string reason) =>
        _refused.Add(1, new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("reason", reason));

    public void AuditCommitted(int events) => _auditBatch.Record(events);

    public void AuditAppended(long queuedAt) => _auditLatency.Record(Stopwatch.GetElapsedTime(queuedAt).TotalSeconds);

    public void FeedLag(TimeSpan lag) => _feedLag.Record(Math.Max(0, lag.TotalSeconds));

    public void FollowOpened() => _follows.Add(1);

    public void FollowClosed() => _follows.Add(-1);

    private static string OutcomeName(PushOutcome outcome) => outcome switch
    {
        PushOutcome.Created => "created",
        PushOutcome.Updated => "updated",
        PushOutcome.Unchanged => "unchanged",
        PushOutcome.Conflict => "conflict",
        PushOutcome.Rejected => "rejected",
        _ => "other",
    };
}
