using System.Diagnostics;
using Grpc.Core;
using SharingPlatform.V1;

namespace SharingPlatform.Benchmarks.Large;

/// <summary>
/// The calls measured on the large data set, as the grantee (<c>rescue-demo</c>) makes them, each checked against
/// <see cref="Expectations"/>: a fast but wrong answer fails the run.
/// </summary>
/// <param name="serverCpu">The server's CPU time so far: each measurement also gives the server's CPU per call.</param>
internal sealed class LargeWorkloads(
    CaseService.CaseServiceClient grantee, CaseService.CaseServiceClient grantor, Expectations expect, Func<TimeSpan> serverCpu, CancellationToken cancellationToken)
{
    // A first pull of a large share may take minutes on a busy machine; anything stuck still fails the run.
    private static DateTime Deadline => DateTime.UtcNow.AddMinutes(15);

    private string GranteeParent => $"tenants/{expect.GranteeSlug}";

    private string GrantorParent => $"tenants/{expect.GrantorSlug}";

    private int _pushed;

    /// <summary>The grantee's cursor after its last complete pull.</summary>
    public string Cursor { get; private set; } = "";

    /// <summary>An untimed pull of at most 1,000 changes from an empty cursor: the pull path's first-time costs.</summary>
    public async Task WarmUpPullAsync(Dictionary<string, (Seen Seen, string Token)> expected)
    {
        var request = new PullChangesRequest { Parent = GranteeParent, MaxChanges = 1000 };
        using var call = grantee.PullChanges(request, deadline: Deadline, cancellationToken: cancellationToken);
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            foreach (var change in message.Changes)
            {
                Check(change, expected);
            }
        }
    }

    /// <summary>The grantee's first pull: every change from an empty cursor, following the cursor until caught up.
    /// A pull that spans calls goes on from a cursor, and the tombstone rule then names records (retracted or no
    /// longer shared) of agreements that ended before it began, as the grantee was entitled to them once: those
    /// tombstones are counted apart, and allowed only for grantors whose agreements with the grantee ended.</summary>
    public async Task<PullResult> FirstPullAsync(Dictionary<string, (Seen Seen, string Token)> expected)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var (messages, calls, endedTombstones) = (0, 0, 0);
        var cursor = "";
        var cpu = serverCpu();
        var clock = Stopwatch.StartNew();
        for (var caughtUp = false; !caughtUp;)
        {
            calls++;
            using var call = grantee.PullChanges(new PullChangesRequest { Parent = GranteeParent, Cursor = cursor }, deadline: Deadline, cancellationToken: cancellationToken);
            await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                messages++;
                foreach (var change in message.Changes)
                {
                    if (calls > 1 && change.KindCase == Change.KindOneofCase.Tombstone
                        && expect.EndedGrantorPrefixes.Any(p => change.Name.StartsWith(p, StringComparison.Ordinal)))
                    {
                        endedTombstones++;
                        continue;
                    }

                    Check(change, expected);
                    if (!seen.Add(change.Name))
                    {
                        throw new BenchmarkException($"First pull: {change.Name} arrived twice.");
                    }
                }

                cursor = message.NextCursor;
                caughtUp = message.CaughtUp;
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (serverCpu() - cpu).TotalSeconds;
        if (seen.Count != expected.Count)
        {
            throw new BenchmarkException($"First pull: {seen.Count} changes, expected {expected.Count}.");
        }

        Cursor = cursor;
        return new PullResult(seen.Count, endedTombstones, messages, calls, seconds, cpuSeconds);
    }

    /// <summary>The grantor pushes <paramref name="count"/> records inside the share (untimed); the grantee then pulls
    /// from its caught-up cursor and must get exactly those. Returns the pull's time and the server's CPU for it, in ms.</summary>
    public async Task<(double Ms, double ServerCpuMs)> PushThenPullAsync(int count)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var first = 0; first < count; first += Workloads.BatchSize)
        {
            var request = new PushCasesRequest { Parent = GrantorParent, RequestId = Guid.NewGuid().ToString("N") };
            for (var n = first; n < Math.Min(first + Workloads.BatchSize, count); n++)
            {
                request.Records.Add(CaseRecord.Parser.ParseFrom(expect.Pushed(_pushed + n)));
                names.Add(expect.PushedName(_pushed + n));
            }

            var response = await grantor.PushCasesAsync(request, deadline: Deadline, cancellationToken: cancellationToken);
            if (response.Results.Any(r => r.Outcome != PushOutcome.Created))
            {
                throw new BenchmarkException($"Push by the grantor: {response.Results.First(r => r.Outcome != PushOutcome.Created).Outcome} (expected Created).");
            }
        }

        _pushed += count;
        var cpu = serverCpu();
        var start = Stopwatch.GetTimestamp();
        var received = 0;
        var caughtUp = false;
        var cursor = Cursor;
        using (var call = grantee.PullChanges(new PullChangesRequest { Parent = GranteeParent, Cursor = Cursor }, deadline: Deadline, cancellationToken: cancellationToken))
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                foreach (var change in message.Changes)
                {
                    if (change.KindCase != Change.KindOneofCase.Record || !names.Remove(change.Name) || change.Record.Narrative.Length != 0)
                    {
                        throw new BenchmarkException($"Pull of new changes: unexpected change {change.Name} ({change.KindCase}, a duplicate, or unprojected).");
                    }

                    received++;
                }

                cursor = message.NextCursor;
                caughtUp = message.CaughtUp;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var cpuMs = (serverCpu() - cpu).TotalMilliseconds;
        if (names.Count != 0 || !caughtUp || received != count)
        {
            throw new BenchmarkException($"Pull of new changes: {received} of {count} records, caught_up={caughtUp}.");
        }

        Cursor = cursor;
        return (elapsed, cpuMs);
    }

    /// <summary>GetCase by the grantee on random records of the share; each must come back projected and scoped.</summary>
    public Task<Timings> GetSharedAsync(int calls)
    {
        var random = new Random(1);
        return TimeEachAsync(calls, async () =>
        {
            var index = random.Next(expect.ShareCount);
            var name = expect.Shared(index);
            var record = await grantee.GetCaseAsync(new GetCaseRequest { Name = name }, deadline: Deadline, cancellationToken: cancellationToken);
            if (record.Name != name || record.Narrative.Length != 0 || record.SubjectToken.Length == 0
                || record.SubjectToken == Expectations.OriginalToken(DataShape.Grantor, index)
                || record.Status is not (CaseStatus.Detained or CaseStatus.Repatriated or CaseStatus.Imprisoned))
            {
                throw new BenchmarkException($"GetCase {name}: not the record as the share shows it.");
            }
        });
    }

    /// <summary>Shared ListCases pages of 100 following the page token; every record must be in the share, none twice
    /// in one walk, and a walk to the end must have seen the whole share. Short pages with a token are normal.</summary>
    public async Task<(Timings Latencies, int ShortPages)> ListSharedAsync(int calls)
    {
        var share = Enumerable.Range(0, expect.ShareCount).Select(expect.Shared).ToHashSet(StringComparer.Ordinal);
        var walk = new HashSet<string>(StringComparer.Ordinal);
        var token = "";
        var shortPages = 0;
        var latencies = await TimeEachAsync(calls, async () =>
        {
            var page = await grantee.ListCasesAsync(new ListCasesRequest { Parent = GrantorParent, PageSize = 100, PageToken = token },
                deadline: Deadline, cancellationToken: cancellationToken);
            foreach (var record in page.Cases)
            {
                if (!share.Contains(record.Name) || !walk.Add(record.Name) || record.Narrative.Length != 0)
                {
                    throw new BenchmarkException($"ListCases: {record.Name} is not in the share, came twice, or is unprojected.");
                }
            }

            shortPages += page.Cases.Count < 100 && page.NextPageToken.Length > 0 ? 1 : 0;
            token = page.NextPageToken;
            if (token.Length == 0)
            {
                if (walk.Count != share.Count)
                {
                    throw new BenchmarkException($"ListCases: a walk to the end saw {walk.Count} records of a share of {share.Count}.");
                }

                walk.Clear();
            }
        });
        return (latencies, shortPages);
    }

    /// <summary>CountCases by the grantee of <paramref name="grantorSlug"/>'s records; every cell and the total must be exact.</summary>
    public Task<Timings> CountSharedAsync(int calls, string grantorSlug, CountDimension groupBy, IReadOnlyDictionary<string, long> cells, long total) =>
        TimeEachAsync(calls, async () =>
        {
            var response = await grantee.CountCasesAsync(new CountCasesRequest { Parent = $"tenants/{grantorSlug}", GroupBy = groupBy },
                deadline: Deadline, cancellationToken: cancellationToken);
            var got = response.Cells.ToDictionary(c => c.Key, c => c.Count.ValueCase == CountValue.ValueOneofCase.Count ? c.Count.Count : -1, StringComparer.Ordinal);
            if (response.Total.Count != total || got.Count != cells.Count || cells.Any(c => got.GetValueOrDefault(c.Key, -2) != c.Value))
            {
                throw new BenchmarkException($"CountCases of {grantorSlug} by {groupBy}: total {response.Total.Count} (expected {total}) or a cell differs.");
            }
        });

    private static void Check(Change change, Dictionary<string, (Seen Seen, string Token)> expected)
    {
        if (!expected.TryGetValue(change.Name, out var want))
        {
            throw new BenchmarkException($"Pull: {change.Name} is not entitled to the grantee ({change.KindCase} {change.Tombstone?.Reason}).");
        }

        var ok = want.Seen switch
        {
            Seen.OwnTombstone => change.KindCase == Change.KindOneofCase.Tombstone,
            Seen.Own => change.KindCase == Change.KindOneofCase.Record && change.Record.Narrative.Length > 0 && change.Record.SubjectToken == want.Token,
            Seen.Linked => change.KindCase == Change.KindOneofCase.Record && change.Record.Narrative.Length == 0 && change.Record.SubjectToken == want.Token,
            _ => change.KindCase == Change.KindOneofCase.Record && change.Record.Narrative.Length == 0
                && change.Record.SubjectToken.Length > 0 && change.Record.SubjectToken != want.Token,
        };
        if (!ok)
        {
            throw new BenchmarkException($"Pull: {change.Name} is not as the grantee should see it ({want.Seen}).");
        }
    }

    private async Task<Timings> TimeEachAsync(int calls, Func<Task> call)
    {
        // One untimed call first: JIT and EF Core query compilation stay out of the figures.
        await call();
        var cpu = serverCpu();
        var latencies = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        var cpuMs = (serverCpu() - cpu).TotalMilliseconds / calls;
        Array.Sort(latencies);
        return new Timings(latencies, cpuMs);
    }
}

/// <param name="EndedTombstones">Tombstones for records of agreements that ended before the pull began (see FirstPullAsync).</param>
internal sealed record PullResult(int Changes, int EndedTombstones, int Messages, int Calls, double Seconds, double ServerCpuSeconds);

/// <summary>Each call's elapsed time in ms, sorted, and the server's CPU time per call in ms.</summary>
internal sealed record Timings(double[] Sorted, double ServerCpuMs);
