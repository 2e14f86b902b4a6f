using System.Diagnostics;
using Grpc.Core;
using SharingPlatform.V1;

namespace SharingPlatform.Benchmarks;

/// <summary>
/// The measured workloads. Each one also checks what the server answered, so a fast but wrong server fails
/// the run instead of producing a good-looking number.
/// </summary>
internal sealed class Workloads(CaseService.CaseServiceClient cases, CancellationToken cancellationToken)
{
    public const int BatchSize = 500;

    // A generous bound per call, so that a stuck server fails the run instead of hanging it.
    private static DateTime Deadline => DateTime.UtcNow.AddMinutes(2);

    /// <summary>Pushes records [first, first + count) with <paramref name="pushers"/> concurrent callers; returns seconds.</summary>
    public async Task<double> PushAsync(int first, int count, int pushers)
    {
        // Requests are built before the clock starts: generating records is the client's cost, not the server's.
        var slices = Enumerable.Range(0, pushers).Select(p =>
        {
            var start = first + (count * p / pushers);
            var end = first + (count * (p + 1) / pushers);
            return Enumerable.Range(0, (end - start + BatchSize - 1) / BatchSize)
                .Select(b => Records.Batch(start + (b * BatchSize), Math.Min(BatchSize, end - start - (b * BatchSize))))
                .ToList();
        }).ToList();

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(slices.Select(PushSequentiallyAsync));
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Reads every change from an empty cursor with the server's default batch size: the pushing tenant's own
    /// (<paramref name="parent"/> is <see cref="Records.Parent"/>), or a grantee's, whose agreement masks the narrative away.</summary>
    public async Task<(int Changes, int Messages, double Seconds)> PullAllAsync(int expected, string parent)
    {
        var masked = parent != Records.Parent;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var (messages, caughtUp) = (0, false);
        var clock = Stopwatch.StartNew();
        using var call = cases.PullChanges(new PullChangesRequest { Parent = parent }, deadline: Deadline, cancellationToken: cancellationToken);
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            messages++;
            caughtUp = message.CaughtUp;
            foreach (var change in message.Changes)
            {
                if (change.KindCase != Change.KindOneofCase.Record || change.Record.Name != change.Name || !names.Add(change.Name)
                    || (masked && change.Record.Narrative.Length > 0))
                {
                    throw new BenchmarkException($"Pull: unexpected change for {change.Name} ({change.KindCase}, or a duplicate).");
                }
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        if (names.Count != expected || !caughtUp)
        {
            throw new BenchmarkException($"Pull: {names.Count} records (expected {expected}), caught_up={caughtUp}.");
        }

        return (names.Count, messages, seconds);
    }

    /// <summary>Sequential GetCase calls on random pushed names; returns each call's latency in ms.</summary>
    public Task<double[]> GetCaseAsync(int calls, int recordCount, int firstRecord = 0) => TimeEachAsync(calls, async _ =>
    {
        var name = Records.Name(firstRecord + Random.Shared.Next(recordCount));
        var record = await cases.GetCaseAsync(new GetCaseRequest { Name = name }, deadline: Deadline, cancellationToken: cancellationToken);
        if (record.Name != name || record.Etag.Length == 0)
        {
            throw new BenchmarkException($"GetCase {name}: returned {record.Name} with etag '{record.Etag}'.");
        }
    });

    /// <summary><paramref name="readers"/> callers each making sequential GetCase calls at once (<paramref name="calls"/>
    /// in all); returns every call's latency in ms and the calls per second of all readers together.</summary>
    public async Task<(double[] Latencies, double CallsPerSecond)> GetCaseConcurrentlyAsync(int calls, int recordCount, int readers)
    {
        var clock = Stopwatch.StartNew();
        var each = await Task.WhenAll(Enumerable.Range(0, readers).Select(_ => GetCaseAsync(calls / readers, recordCount)));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = each.SelectMany(l => l).Order().ToArray();
        return (all, all.Length / seconds);
    }

    /// <summary>Sequential GetCase calls while <paramref name="pushers"/> callers push <paramref name="count"/> new records
    /// from <paramref name="first"/>; returns the latencies of the calls made until the pushes end, and the push rate.</summary>
    public async Task<(double[] Latencies, double PushRate)> GetCaseWhilePushingAsync(int recordCount, int first, int count, int pushers)
    {
        var pushing = PushAsync(first, count, pushers);
        var latencies = new List<double>();
        while (!pushing.IsCompleted)
        {
            latencies.AddRange(await GetCaseAsync(1, recordCount));
        }

        var seconds = await pushing;
        latencies.Sort();
        return latencies.Count > 0 ? ([.. latencies], count / seconds) : throw new BenchmarkException("No GetCase call completed while pushing.");
    }

    /// <summary>Sequential ListCases pages of 100, following page tokens (deep pages included), restarting at the end.</summary>
    public Task<double[]> ListCasesAsync(int calls)
    {
        var token = "";
        return TimeEachAsync(calls, async _ =>
        {
            var request = new ListCasesRequest { Parent = Records.Parent, PageSize = 100, PageToken = token };
            var page = await cases.ListCasesAsync(request, deadline: Deadline, cancellationToken: cancellationToken);
            if (page.Cases.Count != 100 && page.NextPageToken.Length != 0)
            {
                throw new BenchmarkException($"ListCases: a page of {page.Cases.Count} records that is not the last one.");
            }

            token = page.NextPageToken;
        });
    }

    private async Task PushSequentiallyAsync(List<PushCasesRequest> batches)
    {
        foreach (var request in batches)
        {
            var response = await cases.PushCasesAsync(request, deadline: Deadline, cancellationToken: cancellationToken);
            for (var i = 0; i < request.Records.Count; i++)
            {
                var result = i < response.Results.Count ? response.Results[i] : null;
                if (result is null || result.Name != request.Records[i].Name || result.Outcome != PushOutcome.Created)
                {
                    throw new BenchmarkException(
                        $"Push {request.Records[i].Name}: outcome {result?.Outcome.ToString() ?? "missing"} (expected Created) {result?.Violation}");
                }
            }
        }
    }

    private static async Task<double[]> TimeEachAsync(int calls, Func<int, Task> call)
    {
        var latencies = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call(i);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(latencies);
        return latencies;
    }
}
