using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using SharingPlatform.Benchmarks.Large;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.V1;

namespace SharingPlatform.Benchmarks;

/// <summary>What one run measures and how big it is.</summary>
internal sealed record RunOptions(string ServerDll, string? Postgres, int Records, bool Quick, string? JsonFile, TimeSpan WarmUp, int GrowthSmall, int GrowthLarge);

/// <summary>
/// The default run, in one go on one database: push (one client, then four) beside the raw insert of the same rows,
/// a grantee's pull through a masked agreement beside a raw scan, GetCase alone, with four readers and while four
/// pushers run, ListCases; then the same push and pull on a second server with the audit off (its cost); then the
/// growth of the policy's calls from one data-set size to ten times it. Prints a table with the targets, and with
/// <c>--json</c> writes the figures to a file.
/// </summary>
internal static class StandardRun
{
    private const string Grantor = "nkdb-demo";
    private const string Grantee = "rescue-demo";
    private const int Pushers = 4;
    private const int GetCalls = 2000;
    private const int ListCalls = 200;

    /// <summary>The grantee sees these fields: not the narrative, so every pulled record is masked.</summary>
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly string[] SharedFields = ["subject_token", "sex", "birth_year", "status", "events", "source", "create_time"];

    public static async Task<int> RunAsync(RunOptions options, CancellationToken cancellationToken)
    {
        var n = options.Records;
        var figures = new Dictionary<string, object?>
        {
            ["db"] = options.Postgres is null ? "sqlite" : "postgres",
            ["records"] = n,
            ["machine"] = Machine(),
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["quick"] = options.Quick,
            ["warm_up_s"] = options.WarmUp.TotalSeconds,
        };
        var table = new List<(string Measurement, string Result, string Detail)>();
        Console.WriteLine($"Records: {options.WarmUp.TotalSeconds:0} s of untimed warm-up, then {n} sequential + {n} by {Pushers} concurrent pushers + {n} while reading, ~{Records.Create(0).CalculateSize()} bytes each");

        // 1. The platform as deployed: audit on.
        await using (var run = await Run.StartAsync(options, "sp_bench_audit_on", auditOff: false, cancellationToken))
        {
            var warmUp = await run.WarmUpAsync(3 * n, options.WarmUp);
            Step("push, 1 client, sequential");
            var push = n / await run.Work.PushAsync(0, n, pushers: 1);
            Step($"push, {Pushers} concurrent pushers");
            var pushConcurrent = n / await run.Work.PushAsync(n, n, Pushers);
            Step("raw insert of the same rows (baseline)");
            var baseline = await new Baseline(run.Database?.ConnectionString, run.Server.DataDirectory).InsertAsync(n, cancellationToken);
            table.Add(("push, 1 client, sequential", Rate(push), $"{n} records in batches of {Workloads.BatchSize}"));
            table.Add(($"push, {Pushers} concurrent pushers", Rate(pushConcurrent), $"{n} more records"));
            table.Add(("raw insert of the same rows", Rate(baseline), options.Postgres is null ? "prepared INSERT, 500 rows a transaction" : "binary COPY, 500 rows a transaction"));
            figures["push_records_per_s"] = Round(push);
            figures["push_concurrent_records_per_s"] = Round(pushConcurrent);
            figures["push_baseline_records_per_s"] = Round(baseline);
            figures["push_ratio"] = Math.Round(push / baseline, 3);

            Step("pull of the grantee through a masked agreement");
            var (pulled, messages, pullSeconds) = await run.GranteeWork.PullAllAsync((2 * n) + warmUp, $"tenants/{Grantee}");
            var pull = pulled / pullSeconds;
            Step("raw scan of the same rows (baseline)");
            var (scanned, scan) = await new Baseline(run.Database?.ConnectionString, run.Server.DataDirectory).ScanAsync(Grantor, cancellationToken);
            table.Add(("pull of the grantee, masked", Rate(pull), $"{pulled} records in {messages} messages, {pullSeconds:0.00} s"));
            table.Add(("raw scan of the same rows", Rate(scan), $"{scanned} rows in change order"));
            figures["pull_records_per_s"] = Round(pull);
            figures["pull_baseline_records_per_s"] = Round(scan);
            figures["pull_ratio"] = Math.Round(pull / scan, 3);

            Step("GetCase");
            var get = await run.Work.GetCaseAsync(GetCalls, 2 * n);
            table.Add(Latency($"GetCase x{GetCalls}", get));
            figures["get_p50_ms"] = Math.Round(P(get, 0.50), 3);
            figures["get_p99_ms"] = Math.Round(P(get, 0.99), 3);

            Step($"GetCase, {Pushers} concurrent readers");
            var (concurrent, callsPerSecond) = await run.Work.GetCaseConcurrentlyAsync(GetCalls, 2 * n, Pushers);
            var (name, p50, detail) = Latency($"GetCase x{GetCalls}, {Pushers} concurrent readers", concurrent);
            table.Add((name, p50, $"{detail}, {callsPerSecond:0} calls/s in all"));
            figures["get_concurrent_p99_ms"] = Math.Round(P(concurrent, 0.99), 3);

            Step($"GetCase while {Pushers} pushers run");
            var (whilePushing, pushRate) = await run.Work.GetCaseWhilePushingAsync(2 * n, 2 * n, n, Pushers);
            (name, p50, detail) = Latency($"GetCase while {Pushers} pushers run (x{whilePushing.Length})", whilePushing);
            table.Add((name, p50, $"{detail}; the pushers stored {Rate(pushRate)}"));
            figures["get_while_pushing_p50_ms"] = Math.Round(P(whilePushing, 0.50), 3);
            figures["get_while_pushing_p99_ms"] = Math.Round(P(whilePushing, 0.99), 3);

            Step("ListCases");
            table.Add(Latency($"ListCases page of 100 x{ListCalls}", await run.Work.ListCasesAsync(ListCalls)));
            if (run.Server.Memory() is { } memory)
            {
                table.Add(("server memory", $"peak {memory.PeakKb / 1024} MiB", $"RSS at end {memory.CurrentKb / 1024} MiB (VmHWM / VmRSS)"));
                figures["server_peak_mib"] = memory.PeakKb / 1024;
            }

            run.ReportLog();

            // 2. The same push and pull with the audit off: what the audit costs.
            await using var off = await Run.StartAsync(options, "sp_bench_audit_off", auditOff: true, cancellationToken);
            var offWarmUp = await off.WarmUpAsync(3 * n, options.WarmUp);
            Step("audit off: push, 1 client, sequential");
            var pushOff = n / await off.Work.PushAsync(0, n, pushers: 1);
            Step($"audit off: push, {Pushers} concurrent pushers");
            await off.Work.PushAsync(n, n, Pushers);
            Step("audit off: pull of the grantee");
            var (pulledOff, _, pullOffSeconds) = await off.GranteeWork.PullAllAsync((2 * n) + offWarmUp, $"tenants/{Grantee}");
            var pullOff = pulledOff / pullOffSeconds;
            Step("audit off: GetCase");
            var getOff = await off.Work.GetCaseAsync(GetCalls, 2 * n);
            var (pushOverhead, pullOverhead) = (Overhead(push, pushOff), Overhead(pull, pullOff));
            table.Add(("push with audit off", Rate(pushOff), $"audit costs {pushOverhead:0.0}% of push throughput"));
            table.Add(("pull with audit off", Rate(pullOff), $"audit costs {pullOverhead:0.0}% of pull throughput"));
            (name, p50, detail) = Latency($"GetCase x{GetCalls} with audit off", getOff);
            table.Add((name, p50, detail));
            figures["get_audit_off_p50_ms"] = Math.Round(P(getOff, 0.50), 3);
            figures["get_audit_off_p99_ms"] = Math.Round(P(getOff, 0.99), 3);
            figures["push_audit_off_records_per_s"] = Round(pushOff);
            figures["pull_audit_off_records_per_s"] = Round(pullOff);
            figures["audit_overhead_push_pct"] = Math.Round(pushOverhead, 1);
            figures["audit_overhead_pull_pct"] = Math.Round(pullOverhead, 1);
            figures["audit_overhead_pct"] = Math.Round(Math.Max(pushOverhead, pullOverhead), 1);
            off.ReportLog();
        }

        // 3. Growth of the policy's calls with the data set (the --large measurement at a smaller scale).
        Console.WriteLine();
        var (growth, countGrowth) = await LargeRun.GrowthAsync(options.ServerDll, options.Postgres, options.GrowthSmall, options.GrowthLarge, cancellationToken);
        table.Add(($"growth {options.GrowthSmall:N0} -> {options.GrowthLarge:N0} records", X(growth), $"worst p50 ratio of GetCase, ListCases, pull of 1,000 new; CountCases {X(countGrowth)}"));
        figures["growth_ratio"] = Math.Round(growth, 3);
        figures["growth_count_ratio"] = Math.Round(countGrowth, 3);
        figures["growth_records"] = new[] { options.GrowthSmall, options.GrowthLarge };

        Console.WriteLine();
        Print(table);
        Console.WriteLine();
        PrintTargets(figures, options.Postgres is not null);
        if (options.JsonFile is not null)
        {
            await File.WriteAllTextAsync(options.JsonFile, JsonSerializer.Serialize(figures, Indented) + "\n", cancellationToken);
            Console.WriteLine($"\nFigures written to {options.JsonFile}");
        }

        Console.WriteLine("\nAll checks passed: every push CREATED, every pull returned each record once, masked, and caught up.");
        return 0;
    }

    private static void PrintTargets(Dictionary<string, object?> f, bool postgres)
    {
        double D(string key) => Convert.ToDouble(f[key], CultureInfo.InvariantCulture);
        var targets = new List<(string Target, bool Met, string Figure)>
        {
            ("push >= 50% of the raw insert", D("push_ratio") >= 0.5, $"{D("push_ratio") * 100:0}%"),
            postgres
                ? ("pull >= 60% of the raw scan", D("pull_ratio") >= 0.6, $"{D("pull_ratio") * 100:0}%")
                : ("pull >= 100,000 records/s", D("pull_records_per_s") >= 100_000, Rate(D("pull_records_per_s"))),
            ($"GetCase p99 < {(postgres ? 5 : 3)} ms", D("get_p99_ms") < (postgres ? 5 : 3), $"{D("get_p99_ms"):0.00} ms"),
            ($"GetCase p99 < {(postgres ? 5 : 3)} ms while {Pushers} pushers run", D("get_while_pushing_p99_ms") < (postgres ? 5 : 3), $"{D("get_while_pushing_p99_ms"):0.00} ms"),
            ("audit overhead < 10% of push and pull", D("audit_overhead_pct") < 10, $"{D("audit_overhead_pct"):0.0}%"),
            ("growth of GetCase, ListCases, pull of 1,000 new <= 1.5x", D("growth_ratio") <= 1.5, X(D("growth_ratio"))),
        };
        Console.WriteLine("Targets (this machine, one run):");
        foreach (var (target, met, figure) in targets)
        {
            Console.WriteLine($"  {(met ? "PASS" : "MISS")}  {target}: {figure}");
        }
    }

    /// <summary>One server with its connections: the grantor's sync client (pushes, reads) and the grantee's (pulls).</summary>
    private sealed class Run : IAsyncDisposable
    {
        private readonly SharingConnection _grantor;
        private readonly SharingConnection _grantorAdmin;
        private readonly SharingConnection _grantee;
        private readonly CancellationToken _cancellationToken;

        private Run(ServerProcess server, PostgresDatabase? database, CancellationToken cancellationToken)
        {
            Server = server;
            Database = database;
            _cancellationToken = cancellationToken;
            _grantor = Connect(server, Grantor, "sync");
            _grantorAdmin = Connect(server, Grantor, "admin");
            _grantee = Connect(server, Grantee, "sync");
            Work = new Workloads(_grantor.Cases, cancellationToken);
            GranteeWork = new Workloads(_grantee.Cases, cancellationToken);
        }

        public ServerProcess Server { get; }

        public PostgresDatabase? Database { get; }

        public Workloads Work { get; }

        public Workloads GranteeWork { get; }

        public static async Task<Run> StartAsync(RunOptions options, string databaseName, bool auditOff, CancellationToken cancellationToken)
        {
            var database = options.Postgres is null ? null : await PostgresDatabase.CreateAsync(options.Postgres, databaseName, cancellationToken);
            Console.WriteLine($"\nServer {(auditOff ? "with the audit OFF (Audit:Disabled, Benchmark environment)" : "as deployed (audit on)")}");
            var server = ServerProcess.Start(options.ServerDll, database?.ConnectionString, settings: auditOff ? ["--Audit:Disabled=true"] : []);
            try
            {
                await server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), cancellationToken);
                return new Run(server, database, cancellationToken);
            }
            catch (Exception)
            {
                Console.Error.WriteLine(server.Log.IsEmpty ? "(server logged nothing at Warning or above)" : $"Server log:{server.Tail()}");
                server.Dispose();
                if (database is not null)
                {
                    await database.DropAsync();
                }

                throw;
            }
        }

        /// <summary>
        /// Untimed: the agreement the grantee pulls through, then rounds of every measured call (1,000 new records
        /// pushed by one client and by four, the grantee's whole pull, lookups, pages) for at least
        /// <paramref name="duration"/>, so that the server's code is compiled and its caches and pools are warm, as on a
        /// server that has been running (.NET compiles hot code again, optimized, in the background for a minute or so
        /// after start: measured before that, every figure is lower and noisier). Records are named from
        /// <paramref name="first"/>, after the measured ones; returns how many were pushed.
        /// </summary>
        public async Task<int> WarmUpAsync(int first, TimeSpan duration)
        {
            await _grantorAdmin.Sharing.CreateAgreementAsync(new CreateAgreementRequest
            {
                Parent = $"tenants/{Grantor}",
                Agreement = new SharingAgreement
                {
                    Grantee = $"tenants/{Grantee}",
                    Purpose = Purpose.RescueCoordination,
                    Fields = new FieldMask { Paths = { SharedFields } },
                    ValidUntil = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(30)),
                },
            }, cancellationToken: _cancellationToken);
            Step($"warm-up, untimed, {duration.TotalSeconds:0} s");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var pushed = 0;
            do
            {
                await Work.PushAsync(first + pushed, Workloads.BatchSize, pushers: 1);
                await Work.PushAsync(first + pushed + Workloads.BatchSize, Workloads.BatchSize, Pushers);
                pushed += 2 * Workloads.BatchSize;
                await GranteeWork.PullAllAsync(pushed, $"tenants/{Grantee}");
                await Work.GetCaseAsync(100, pushed, first);
                await Work.ListCasesAsync(10);
            }
            while (clock.Elapsed < duration);
            return pushed;
        }

        public void ReportLog()
        {
            Console.WriteLine(Server.Log.IsEmpty ? "  server log: nothing at Warning or above" : $"  server log (Warning and above):{Server.Tail()}");
        }

        public async ValueTask DisposeAsync()
        {
            _grantor.Dispose();
            _grantorAdmin.Dispose();
            _grantee.Dispose();
            Server.Dispose();
            if (Database is not null)
            {
                await Database.DropAsync();
            }
        }

        private static SharingConnection Connect(ServerProcess server, string tenant, string client) =>
            new(server.GrpcAddress, server.Issuer, $"tenants/{tenant}/clients/{client}", ClientKey.Load(server.DemoKeyPath($"{tenant}-{client}")));
    }

    private static string Machine()
    {
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        return $"{Environment.ProcessorCount} logical CPUs, load average {load} (1 min) at start, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    private static double Overhead(double on, double off) => Math.Max(0, (off - on) / off * 100);

    private static long Round(double value) => (long)Math.Round(value);

    private static void Step(string name) => Console.WriteLine($"  running: {name}");

    private static string Rate(double perSecond) => $"{perSecond.ToString("N0", CultureInfo.InvariantCulture)} rec/s";

    private static string X(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double P(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static (string, string, string) Latency(string measurement, double[] sorted) =>
        (measurement, string.Create(CultureInfo.InvariantCulture, $"p50 {P(sorted, 0.50):0.00} ms"),
            string.Create(CultureInfo.InvariantCulture, $"p99 {P(sorted, 0.99):0.00} ms, max {sorted[^1]:0.00} ms, mean {sorted.Average():0.00} ms"));

    private static void Print(List<(string Measurement, string Result, string Detail)> rows)
    {
        var (w1, w2) = (Math.Max(11, rows.Max(r => r.Measurement.Length)), Math.Max(6, rows.Max(r => r.Result.Length)));
        Console.WriteLine($"{"Measurement".PadRight(w1)} | {"Result".PadRight(w2)} | Detail");
        Console.WriteLine($"{new string('-', w1)}-+-{new string('-', w2)}-+-{new string('-', 40)}");
        foreach (var (measurement, result, detail) in rows)
        {
            Console.WriteLine($"{measurement.PadRight(w1)} | {result.PadRight(w2)} | {detail}");
        }
    }
}
