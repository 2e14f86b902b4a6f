using System.Globalization;
using System.Runtime.InteropServices;
using SharingPlatform.Benchmarks;
using SharingPlatform.Benchmarks.Large;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;

// End-to-end benchmark: the real server as a child process on loopback Kestrel, driven through the client SDK.
// Usage: see README.md next to this file.
const string ClientId = "tenants/nkdb-demo/clients/sync";
const int Pushers = 4;
const int GetCalls = 2000;
const int ListCalls = 200;
const int WarmUpRecords = 2 * Workloads.BatchSize;

int records = 20_000;
string? serverDll = null;
string? postgres = null;
var large = false;
// Hidden: the size of the large run's second data set (10^6 by default), e.g. 100000 while developing.
var largeSize = 1_000_000;
for (var i = 0; i < args.Length; i += 2)
{
    if (args[i] == "--large")
    {
        large = true;
        i--;
        continue;
    }

    var value = i + 1 < args.Length ? args[i + 1] : null;
    var valid = args[i] switch
    {
        "--records" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out records) && records >= Pushers,
        "--server-dll" => (serverDll = value) is not null,
        "--postgres" => (postgres = value) is not null,
        "--scale" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out largeSize) && largeSize >= LargeRun.SmallSize,
        _ => false,
    };
    if (!valid)
    {
        Console.Error.WriteLine($"""
            Bad or missing value for '{args[i]}'.
            Usage: SharingPlatform.Benchmarks [--records N (default 20000)] [--server-dll PATH]
                                              [--postgres "NPGSQL CONNECTION STRING OF AN EMPTY DATABASE"]
                   SharingPlatform.Benchmarks --large [--server-dll PATH]
                                              [--postgres "NPGSQL CONNECTION STRING; THE USER MAY CREATE DATABASES"]
            """);
        return 2;
    }
}

serverDll ??= DefaultServerDll();
if (!File.Exists(serverDll))
{
    Console.Error.WriteLine($"Server not found at {serverDll}. Build it first: dotnet build -c Release services/SharingPlatform.Server");
    return 2;
}

// Ctrl-C and SIGTERM cancel the run instead of ending the process, so the finally block below always kills the server.
using var cancel = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

// The load average tells whether other work on the machine competed with the run (figures are then low and noisy).
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
Console.WriteLine($"Machine: {Environment.ProcessorCount} logical CPUs, load average {load} (1 min) at start, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
Console.WriteLine($"Server: {serverDll}");
Console.WriteLine($"Database: {(postgres is null ? "SQLite (temporary data directory)" : "PostgreSQL")}");
if (large)
{
    try
    {
        return await LargeRun.RunAsync(serverDll, postgres, largeSize, cancel.Token);
    }
    catch (Exception) when (cancel.IsCancellationRequested)
    {
        Console.Error.WriteLine("Interrupted.");
        return 130;
    }
    catch (Exception exception)
    {
        // Servers are killed and data directories deleted by the run itself; report without a stack trace.
        Console.Error.WriteLine($"\nFAILED: {(exception is BenchmarkException ? exception.Message : $"{exception.GetType().Name}: {exception.Message}")}");
        return 1;
    }
}

Console.WriteLine($"Records: {WarmUpRecords} untimed warm-up, then {records} sequential + {records} by {Pushers} concurrent pushers, ~{Records.Create(0).CalculateSize()} bytes each");

var server = ServerProcess.Start(serverDll, postgres);
try
{
    await server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), cancel.Token);
    using var connection = new SharingConnection(server.GrpcAddress, server.Issuer, ClientId, ClientKey.Load(server.DemoKeyPath("nkdb-demo-sync")));
    var work = new Workloads(connection.Cases, cancel.Token);
    // Warm-up records take the names after the measured ones, so that measured pushes are numbered from 0.
    await work.WarmUpAsync(2 * records, WarmUpRecords);

    var table = new List<(string Measurement, string Result, string Detail)>();
    Step("push, 1 client, sequential");
    var seconds = await work.PushAsync(0, records, pushers: 1);
    table.Add(("push, 1 client, sequential", Rate(records, seconds), $"{records} records in batches of {Workloads.BatchSize}, {seconds:0.00} s"));

    Step($"push, {Pushers} concurrent pushers");
    seconds = await work.PushAsync(records, records, Pushers);
    table.Add(($"push, {Pushers} concurrent pushers", Rate(records, seconds), $"{records} more records, {seconds:0.00} s"));

    Step("pull");
    var (changes, messages, pullSeconds) = await work.PullAllAsync((2 * records) + WarmUpRecords);
    table.Add(("pull from empty cursor", Rate(changes, pullSeconds), $"{changes} records in {messages} messages, {pullSeconds:0.00} s"));

    Step("GetCase");
    table.Add(Latency($"GetCase x{GetCalls}", await work.GetCaseAsync(GetCalls, 2 * records)));

    Step($"GetCase, {Pushers} concurrent readers");
    var (concurrent, callsPerSecond) = await work.GetCaseConcurrentlyAsync(GetCalls, 2 * records, Pushers);
    var (readName, readP50, readDetail) = Latency($"GetCase x{GetCalls}, {Pushers} concurrent readers", concurrent);
    table.Add((readName, readP50, $"{readDetail}, {callsPerSecond:0} calls/s in all"));

    Step("ListCases");
    table.Add(Latency($"ListCases page of 100 x{ListCalls}", await work.ListCasesAsync(ListCalls)));

    table.Add(server.Memory() is { } memory
        ? ("server memory", $"peak {memory.PeakKb / 1024} MiB", $"RSS at end {memory.CurrentKb / 1024} MiB (VmHWM / VmRSS)")
        : ("server memory", "n/a", "/proc not available"));

    Console.WriteLine();
    Print(table);
    Console.WriteLine(server.Log.IsEmpty ? "\nServer log: nothing at Warning or above." : $"\nServer log (Warning and above):{server.Tail()}");
    Console.WriteLine("\nAll checks passed: every push CREATED, pull returned every record once and caught up.");
    return 0;
}
catch (Exception) when (cancel.IsCancellationRequested)
{
    // Whatever the interrupted call threw (gRPC reports cancellation as an RpcException), this is an interruption.
    Console.Error.WriteLine("Interrupted.");
    return 130;
}
catch (Exception exception)
{
    // Every failure is handled here: an unhandled exception would end the process without running the finally block.
    var what = exception is BenchmarkException ? exception.Message : $"{exception.GetType().Name}: {exception.Message}";
    Console.Error.WriteLine($"\nFAILED: {what}");
    Console.Error.WriteLine(server.Log.IsEmpty ? "(server logged nothing at Warning or above)" : $"Server log:{server.Tail()}");
    return 1;
}
finally
{
    server.Dispose();
}

void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

static void Step(string name) => Console.WriteLine($"  running: {name}");

static string Rate(int count, double seconds) => $"{(count / seconds).ToString("N0", CultureInfo.InvariantCulture)} rec/s";

static (string, string, string) Latency(string measurement, double[] sorted)
{
    // Nearest-rank percentiles over every call.
    double At(double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
    return (measurement, string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.50):0.00} ms"),
        string.Create(CultureInfo.InvariantCulture, $"p99 {At(0.99):0.00} ms, max {sorted[^1]:0.00} ms, mean {sorted.Average():0.00} ms"));
}

static void Print(List<(string Measurement, string Result, string Detail)> rows)
{
    var (w1, w2) = (Math.Max(11, rows.Max(r => r.Measurement.Length)), Math.Max(6, rows.Max(r => r.Result.Length)));
    Console.WriteLine($"{"Measurement".PadRight(w1)} | {"Result".PadRight(w2)} | Detail");
    Console.WriteLine($"{new string('-', w1)}-+-{new string('-', w2)}-+-{new string('-', 40)}");
    foreach (var (measurement, result, detail) in rows)
    {
        Console.WriteLine($"{measurement.PadRight(w1)} | {result.PadRight(w2)} | {detail}");
    }
}

static string DefaultServerDll()
{
    // Find the repository root from wherever the benchmark was built, then the Release build of the server.
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SharingPlatform.sln")))
    {
        directory = directory.Parent;
    }

    var root = directory?.FullName ?? Directory.GetCurrentDirectory();
    return Path.Combine(root, "services", "SharingPlatform.Server", "bin", "Release", "net10.0", "SharingPlatform.Server.dll");
}
