using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Observability;

/// <summary>
/// The real server process with its metrics listener on a free loopback port: a push and a pull show up in the
/// Prometheus scrape there, /metrics is served nowhere else, and no record name appears in it.
/// </summary>
public sealed partial class MetricsScrapeTests : IDisposable
{
    private const string Tenant = "tenants/nkdb-demo";
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", "metrics-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Pushes_and_pulls_are_counted_on_the_metrics_port_only()
    {
        var cancel = TestContext.Current.CancellationToken;
        var metricsPort = ServerProcess.FreePort();
        using var server = ServerProcess.Start(
            [new("Platform:DataDirectory", _dataDirectory), new("Demo:Enabled", "true"), new("Demo:RecordsPerTenant", "0"),
             new("Endpoints:MetricsUrl", $"http://127.0.0.1:{metricsPort}")],
            ServerProcess.FreePort(), ServerProcess.FreePort());
        await server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));

        var caseIds = Enumerable.Range(0, 3).Select(_ => "mk" + Guid.NewGuid().ToString("N")[..12]).ToList();
        using (var sync = new SharingConnection(server.GrpcAddress, server.IdentityAddress, "tenants/nkdb-demo/clients/sync",
                   ClientKey.Load(Path.Combine(_dataDirectory, "demo/nkdb-demo-sync.jwk"))))
        {
            var push = new PushCasesRequest { Parent = Tenant, RequestId = Records.RequestId() };
            push.Records.AddRange(caseIds.Select(id => Records.Valid($"{Tenant}/cases/{id}")));
            var pushed = await sync.Cases.PushCasesAsync(push, cancellationToken: cancel);
            Assert.All(pushed.Results, r => Assert.Equal(PushOutcome.Created, r.Outcome));

            using var pull = sync.Cases.PullChanges(new PullChangesRequest { Parent = Tenant }, cancellationToken: cancel);
            var (pulled, cursor) = (0, "");
            while (await pull.ResponseStream.MoveNext(cancel))
            {
                pulled += pull.ResponseStream.Current.Changes.Count;
                cursor = pull.ResponseStream.Current.NextCursor;
            }

            Assert.Equal(3, pulled);

            // A following pull from the end gets a record pushed meanwhile: its delay is the feed lag, and it stays open.
            using var follow = sync.Cases.PullChanges(new PullChangesRequest { Parent = Tenant, Cursor = cursor, Follow = true },
                cancellationToken: cancel);
            Assert.True(await follow.ResponseStream.MoveNext(cancel)); // the first pass: caught up
            var later = "mk" + Guid.NewGuid().ToString("N")[..12];
            caseIds.Add(later);
            await sync.Cases.PushCasesAsync(new PushCasesRequest { Parent = Tenant, RequestId = Records.RequestId(), Records = { Records.Valid($"{Tenant}/cases/{later}") } },
                cancellationToken: cancel);
            Assert.True(await follow.ResponseStream.MoveNext(cancel));
            Assert.Equal($"{Tenant}/cases/{later}", Assert.Single(follow.ResponseStream.Current.Changes).Name);

            using var scraper = new HttpClient();
            var open = await scraper.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"), cancel);
            Assert.Equal(1, Value(open, "sharingplatform_follows_open", ""));
        }

        using var http = new HttpClient();
        await Task.Delay(400, cancel); // past the scrape's response cache (300 ms)
        var scrape = await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"), cancel);
        Assert.Equal(1, Value(scrape, "sharingplatform_feed_lag_seconds_count", ""));
        Assert.Equal(0, Value(scrape, "sharingplatform_follows_open", ""));
        Assert.Equal(4, Value(scrape, "sharingplatform_records_pushed_total", "outcome=\"created\""));
        Assert.Equal(4, Value(scrape, "sharingplatform_records_pulled_total", ""));
        Assert.True(Value(scrape, "sharingplatform_audit_append_batch_size_count", "") >= 1, scrape);
        Assert.Contains("http_server_request_duration_seconds_bucket", scrape, StringComparison.Ordinal);
        Assert.Contains("sharing.v1.CaseService/PushCases", scrape, StringComparison.Ordinal); // the route, not a value
        Assert.All(caseIds, id => Assert.DoesNotContain(id, scrape, StringComparison.Ordinal));

        // Only the metrics listener serves /metrics, and it serves nothing else.
        using var onIdentity = await http.GetAsync(new Uri(server.IdentityAddress, "metrics"), cancel);
        Assert.Equal(HttpStatusCode.NotFound, onIdentity.StatusCode);
        using var tokenOnMetrics = await http.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/.well-known/openid-configuration"), cancel);
        Assert.Equal(HttpStatusCode.NotFound, tokenOnMetrics.StatusCode);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels contain <paramref name="label"/>.</summary>
    private static double Value(string scrape, string metric, string label) =>
        Sample().Matches(scrape).Where(m => m.Groups["name"].Value == metric && m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex("^(?<name>[a-z_]+)(?:\\{(?<labels>[^}]*)\\})? (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
