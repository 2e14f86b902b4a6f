extern alias server;

using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using server::SharingPlatform.Server.Data;
using CountDimension = SharingPlatform.V1.CountDimension;

namespace SharingPlatform.Benchmarks.Large;

/// <summary>
/// <c>--large</c>: the same calls at 10^4 stored records and at 10^6 (or <c>--scale</c>), each on its own data set of
/// the same <see cref="DataShape"/>: the server creates schema, keys and demo clients on a first start, is stopped, the
/// set is bulk loaded, and the server starts again on it. Printed side by side with the ratio against the 1.5x target.
/// </summary>
internal static class LargeRun
{
    public const int SmallSize = 10_000;
    private const double TargetRatio = 1.5;
    private const int PullRounds = 5;
    private const int GetCalls = 1000;
    private const int ListCalls = 200;
    private const int CountCalls = 20;

    public static async Task<int> RunAsync(string serverDll, string? postgres, int largeSize, CancellationToken cancellationToken)
    {
        await GrowthAsync(serverDll, postgres, SmallSize, largeSize, cancellationToken);
        return 0;
    }

    /// <summary>
    /// Measures the calls at <paramref name="smallSize"/> and <paramref name="largeSize"/> stored records, prints them
    /// side by side, and returns the worst p50 ratio of the lookups, pages and incremental pulls, and apart from
    /// them the worst of the counts (which read the share they count, so grow with it).
    /// </summary>
    public static async Task<(double Calls, double Counts)> GrowthAsync(string serverDll, string? postgres, int smallSize, int largeSize, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Large data sets: {smallSize:N0} and {largeSize:N0} records over {DataShape.TenantCount} tenants and {DataShape.AgreementCount} agreements");
        var results = new List<SizeResult>();
        foreach (var size in new[] { smallSize, largeSize })
        {
            results.Add(await MeasureAsync(serverDll, postgres, size, cancellationToken));
        }

        Console.WriteLine();
        Print(results[0], results[1]);
        Console.WriteLine("\nAll checks passed: every pull, page, lookup and count returned exactly what the grantee is entitled to.");
        var ratios = results[0].Latencies.Select(l => (l.Name, Ratio: P(results[1].Latencies.Single(b => b.Name == l.Name).Timings.Sorted, 0.5) / P(l.Timings.Sorted, 0.5))).ToList();
        return (ratios.Where(r => !r.Name.StartsWith("CountCases", StringComparison.Ordinal)).Max(r => r.Ratio),
            ratios.Where(r => r.Name.StartsWith("CountCases", StringComparison.Ordinal)).Max(r => r.Ratio));
    }

    private static async Task<SizeResult> MeasureAsync(string serverDll, string? postgres, int size, CancellationToken cancellationToken)
    {
        var shape = new DataShape(size);
        var expect = new Expectations(shape);
        var result = new SizeResult(size, Load());
        var dataDirectory = Directory.CreateTempSubdirectory("sp-bench-large-").FullName;
        var database = postgres is null ? null : await PostgresDatabase.CreateAsync(postgres, $"sp_bench_large_{size}", cancellationToken);
        try
        {
            Console.WriteLine($"\n[{size:N0} records] first start: schema, keys, demo tenants and clients");
            var clock = Stopwatch.StartNew();
            using (var first = ServerProcess.Start(serverDll, database?.ConnectionString, dataDirectory))
            {
                await WaitAsync(first, cancellationToken);
            }

            result.Setup.Add(("first start", clock.Elapsed.TotalSeconds));
            Console.WriteLine($"[{size:N0} records] bulk load");
            await using (var db = Open(database?.ConnectionString, dataDirectory))
            {
                var loaded = await BulkLoad.RunAsync(shape, db, line => Console.WriteLine($"  {line}"), cancellationToken);
                result.Setup.Add(("bulk load", loaded.TotalSeconds));
            }

            clock.Restart();
            using var server = ServerProcess.Start(serverDll, database?.ConnectionString, dataDirectory);
            try
            {
                await WaitAsync(server, cancellationToken);
                result.Setup.Add(("start on the data", clock.Elapsed.TotalSeconds));
                result.StartRssKb = server.Memory()?.CurrentKb ?? -1;
                await MeasureCallsAsync(server, expect, result, size, cancellationToken);
                result.Memory = server.Memory();
                Console.WriteLine(server.Log.IsEmpty ? "  server log: nothing at Warning or above" : $"  server log (Warning and above):{server.Tail()}");
            }
            catch (BenchmarkException)
            {
                Console.Error.WriteLine(server.Log.IsEmpty ? "(server logged nothing at Warning or above)" : $"Server log:{server.Tail()}");
                throw;
            }
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
            if (database is not null)
            {
                await database.DropAsync();
            }
        }

        return result;
    }

    private static async Task MeasureCallsAsync(ServerProcess server, Expectations expect, SizeResult result, int size, CancellationToken cancellationToken)
    {
        using var granteeConnection = new SharingConnection(server.GrpcAddress, server.Issuer, $"tenants/{expect.GranteeSlug}/clients/sync",
            ClientKey.Load(server.DemoKeyPath($"{expect.GranteeSlug}-sync")));
        using var grantorConnection = new SharingConnection(server.GrpcAddress, server.Issuer, $"tenants/{expect.GrantorSlug}/clients/sync",
            ClientKey.Load(server.DemoKeyPath($"{expect.GrantorSlug}-sync")));
        var work = new LargeWorkloads(granteeConnection.Cases, grantorConnection.Cases, expect, server.CpuTime, cancellationToken);

        Step(size, "first pull of the grantee");
        var expected = expect.FirstPull();
        await work.WarmUpPullAsync(expected);
        result.FirstPull = await work.FirstPullAsync(expected);
        // The same first pull again from an empty cursor: the server's code is compiled and its caches are warm, as on
        // a server that has been running.
        Step(size, "first pull of the grantee, again on the warm server");
        result.WarmFirstPull = await work.FirstPullAsync(expected);

        Step(size, $"GetCase x{GetCalls}");
        result.Add("GetCase, shared record", await work.GetSharedAsync(GetCalls));

        Step(size, $"ListCases x{ListCalls}");
        var (pages, shortPages) = await work.ListSharedAsync(ListCalls);
        result.Add("ListCases, shared page of 100", pages, $"{shortPages} short pages with a token");

        Step(size, "CountCases");
        var share = expect.Counts(fixedShare: false);
        result.Add("CountCases by month, 10% share", await work.CountSharedAsync(CountCalls, expect.GrantorSlug, CountDimension.Month, share.Months, share.Total));
        result.Add("CountCases by region, 10% share", await work.CountSharedAsync(CountCalls, expect.GrantorSlug, CountDimension.Region, share.Regions, share.Total));
        var fixedShare = expect.Counts(fixedShare: true);
        result.Add("CountCases by year, 1,000 share", await work.CountSharedAsync(CountCalls, expect.FixedGrantorSlug, CountDimension.Month, fixedShare.Months, fixedShare.Total));
        result.Add("CountCases by region, 1,000 share", await work.CountSharedAsync(CountCalls, expect.FixedGrantorSlug, CountDimension.Region, fixedShare.Regions, fixedShare.Total));

        Step(size, $"pull of 1,000 new changes x{PullRounds}");
        await work.PushThenPullAsync(Workloads.BatchSize); // untimed: the first push and incremental pull
        var rounds = new double[PullRounds];
        var cpu = 0.0;
        for (var i = 0; i < PullRounds; i++)
        {
            (rounds[i], var roundCpu) = await work.PushThenPullAsync(1000);
            cpu += roundCpu / PullRounds;
        }

        Array.Sort(rounds);
        result.Add("pull of 1,000 new changes", new Timings(rounds, cpu), "5 rounds: the grantor pushes 1,000 shared records, the grantee pulls them");
    }

    private static async Task WaitAsync(ServerProcess server, CancellationToken cancellationToken)
    {
        // A start on a large data set reads it once (facts of older rows are filled in at start-up): allow for it.
        await server.WaitUntilHealthyAsync(TimeSpan.FromMinutes(10), cancellationToken);
    }

    private static SharingDbContext Open(string? postgres, string dataDirectory) => postgres is null
        ? new SqliteSharingDbContext(new DbContextOptionsBuilder<SqliteSharingDbContext>()
            .UseSqlite($"Data Source={Path.Combine(dataDirectory, "sharing.db")};Pooling=False").Options)
        : new PostgresSharingDbContext(new DbContextOptionsBuilder<PostgresSharingDbContext>()
            .UseNpgsql(postgres, o => o.CommandTimeout(600)).Options);

    private static void Step(int size, string name) => Console.WriteLine($"[{size:N0} records] running: {name}");

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static void Print(SizeResult small, SizeResult large)
    {
        string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + " ms";
        var (a, b) = ($"{small.Size:N0} records", $"{large.Size:N0} records");
        var rows = new List<string[]> { new[] { "Measurement (p50; pull: median)", a, b, "ratio", "target", "server CPU/call", "CPU ratio" } };
        foreach (var (name, smallFigure, _) in small.Latencies)
        {
            var largeFigure = large.Latencies.Single(l => l.Name == name).Timings;
            var ratio = P(largeFigure.Sorted, 0.5) / P(smallFigure.Sorted, 0.5);
            rows.Add([name, Ms(P(smallFigure.Sorted, 0.5)), Ms(P(largeFigure.Sorted, 0.5)), X(ratio),
                ratio <= TargetRatio ? "PASS (<= 1.5x)" : "MISS (> 1.5x)",
                $"{Ms(smallFigure.ServerCpuMs)} / {Ms(largeFigure.ServerCpuMs)}", X(largeFigure.ServerCpuMs / smallFigure.ServerCpuMs)]);
        }

        foreach (var (name, pick) in new (string, Func<SizeResult, PullResult>)[]
        {
            ("first pull of the grantee, records/s (fresh server)", r => r.FirstPull!),
            ("first pull of the grantee, records/s (warm server)", r => r.WarmFirstPull!),
        })
        {
            var rate = pick(large).Changes / pick(large).Seconds;
            rows.Add([name, Rate(pick(small)), Rate(pick(large)), "",
                large.Size >= 1_000_000 ? (rate >= 50_000 ? "PASS (>= 50,000/s)" : "MISS (< 50,000/s)") : "(target at 10^6)",
                $"{PerRecord(pick(small))} / {PerRecord(pick(large))} per record", ""]);
        }

        rows.Add(["server memory peak / RSS at end (MiB)", Memory(small), Memory(large), "", "", "", ""]);
        rows.Add(["server RSS after start (MiB)", (small.StartRssKb / 1024).ToString(CultureInfo.InvariantCulture), (large.StartRssKb / 1024).ToString(CultureInfo.InvariantCulture), "", "", "", ""]);
        rows.Add(["setup (s)", Setup(small), Setup(large), "", "", "", ""]);
        rows.Add(["load average (1 min) at start", small.LoadAverage, large.LoadAverage, "", "", "", ""]);
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var (row, index) in rows.Select((r, i) => (r, i)))
        {
            Console.WriteLine(string.Join(" | ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            if (index == 0)
            {
                Console.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
            }
        }

        Console.WriteLine("\nDetails (p50 / p99 / max per call):");
        foreach (var result in new[] { small, large })
        {
            Console.WriteLine($"  {result.Size:N0} records:");
            foreach (var (name, (sorted, _), detail) in result.Latencies)
            {
                Console.WriteLine($"    {name}: {Ms(P(sorted, 0.5))} / {Ms(P(sorted, 0.99))} / {Ms(sorted[^1])} over {sorted.Length} calls{(detail.Length > 0 ? "; " + detail : "")}");
            }

            foreach (var (when, pull) in new[] { ("fresh", result.FirstPull!), ("warm", result.WarmFirstPull!) })
            {
                Console.WriteLine($"    first pull ({when} server): {pull.Changes:N0} changes ({pull.EndedTombstones:N0} more tombstones of ended agreements) in {pull.Messages} messages over {pull.Calls} call(s), {pull.Seconds:0.00} s, server CPU {pull.ServerCpuSeconds:0.00} s");
            }
        }
    }

    private static string X(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";

    private static string PerRecord(PullResult pull) =>
        (pull.ServerCpuSeconds * 1_000_000 / pull.Changes).ToString("0", CultureInfo.InvariantCulture) + " µs";

    private static double P(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string Rate(PullResult pull) => (pull.Changes / pull.Seconds).ToString("N0", CultureInfo.InvariantCulture);

    private static string Memory(SizeResult result) => result.Memory is { } m
        ? $"{m.PeakKb / 1024} / {m.CurrentKb / 1024}"
        : "n/a";

    private static string Setup(SizeResult result) =>
        string.Join(", ", result.Setup.Select(s => $"{s.What} {s.Seconds.ToString("0", CultureInfo.InvariantCulture)}"));

    private sealed class SizeResult(int size, string loadAverage)
    {
        public int Size { get; } = size;

        public string LoadAverage { get; } = loadAverage;

        public List<(string What, double Seconds)> Setup { get; } = [];

        public List<(string Name, Timings Timings, string Detail)> Latencies { get; } = [];

        /// <summary>The grantee's first pull on a server just started on the data set.</summary>
        public PullResult? FirstPull { get; set; }

        /// <summary>The same first pull (a new empty cursor) right after it.</summary>
        public PullResult? WarmFirstPull { get; set; }

        public (long PeakKb, long CurrentKb)? Memory { get; set; }

        public long StartRssKb { get; set; }

        public void Add(string name, Timings timings, string detail = "") => Latencies.Add((name, timings, detail));
    }
}
