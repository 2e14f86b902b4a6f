using System.Globalization;
using System.Runtime.InteropServices;
using SharingPlatform.Benchmarks;
using SharingPlatform.Benchmarks.Large;

// End-to-end benchmark: the real server as a child process on loopback Kestrel, driven through the client SDK.
// Usage: see README.md next to this file.
int? records = null;
int? warmUp = null;
string? serverDll = null;
string? db = null;
string? postgres = null;
string? json = null;
var (large, quick) = (false, false);
// Hidden: the size of the large run's second data set (10^6 by default), e.g. 100000 while developing.
var largeSize = 1_000_000;
for (var i = 0; i < args.Length; i += 2)
{
    if (args[i] is "--large" or "--quick")
    {
        (large, quick) = (large || args[i] == "--large", quick || args[i] == "--quick");
        i--;
        continue;
    }

    var value = i + 1 < args.Length ? args[i + 1] : null;
    var valid = args[i] switch
    {
        "--records" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (records = n) >= 1000,
        "--server-dll" => (serverDll = value) is not null,
        "--warm-up" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var w) && (warmUp = w) >= 0,
        "--db" => (db = value) is "sqlite" or "postgres",
        "--postgres" => (postgres = value) is not null,
        "--json" => (json = value) is not null,
        "--scale" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out largeSize) && largeSize >= LargeRun.SmallSize,
        _ => false,
    };
    if (!valid)
    {
        return Usage($"Bad or missing value for '{args[i]}'.");
    }
}

// PostgreSQL: the connection string names a server on which the user may create databases (one per measured server).
postgres ??= db == "postgres" ? Environment.GetEnvironmentVariable("SHARINGPLATFORM_BENCH_POSTGRES") : null;
if (db == "postgres" && postgres is null)
{
    return Usage("--db postgres needs --postgres \"CONNECTION STRING\" or SHARINGPLATFORM_BENCH_POSTGRES.");
}

if (db == "sqlite" && postgres is not null)
{
    return Usage("--db sqlite and --postgres contradict each other.");
}

if (quick && (large || postgres is not null))
{
    return Usage("--quick is the small SQLite run: no --large, no PostgreSQL.");
}

serverDll ??= DefaultServerDll();
if (!File.Exists(serverDll))
{
    Console.Error.WriteLine($"Server not found at {serverDll}. Build it first: dotnet build -c Release services/SharingPlatform.Server");
    return 2;
}

// Ctrl-C and SIGTERM cancel the run instead of ending the process, so that servers are always killed and data deleted.
using var cancel = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

// The load average tells whether other work on the machine competed with the run (figures are then low and noisy).
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
Console.WriteLine($"Machine: {Environment.ProcessorCount} logical CPUs, load average {load} (1 min) at start, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
Console.WriteLine($"Server: {serverDll}");
Console.WriteLine($"Database: {(postgres is null ? "SQLite (temporary data directory)" : "PostgreSQL (a temporary database per server)")}");
try
{
    return large
        ? await LargeRun.RunAsync(serverDll, postgres, largeSize, cancel.Token)
        : await StandardRun.RunAsync(new RunOptions(serverDll, postgres, records ?? (quick ? 5_000 : 20_000), quick, json,
            WarmUp: TimeSpan.FromSeconds(warmUp ?? (quick ? 5 : 40)), GrowthSmall: LargeRun.SmallSize, GrowthLarge: quick ? 2 * LargeRun.SmallSize : 10 * LargeRun.SmallSize), cancel.Token);
}
catch (Exception) when (cancel.IsCancellationRequested)
{
    // Whatever the interrupted call threw (gRPC reports cancellation as an RpcException), this is an interruption.
    Console.Error.WriteLine("Interrupted.");
    return 130;
}
catch (Exception exception)
{
    // Servers are killed and data deleted by the runs themselves; report without a stack trace.
    Console.Error.WriteLine($"\nFAILED: {(exception is BenchmarkException ? exception.Message : $"{exception.GetType().Name}: {exception.Message}")}");
    return 1;
}

void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

static int Usage(string problem)
{
    Console.Error.WriteLine($"""
        {problem}
        Usage: SharingPlatform.Benchmarks [--db sqlite|postgres] [--postgres "NPGSQL CONNECTION STRING"] [--records N (default 20000)]
                                          [--warm-up SECONDS (default 40)] [--json FILE] [--server-dll PATH]
               SharingPlatform.Benchmarks --quick [--json FILE] [--server-dll PATH]
               SharingPlatform.Benchmarks --large [--db sqlite|postgres] [--postgres "..."] [--server-dll PATH]
        PostgreSQL: the user may create databases; the connection string may also come from SHARINGPLATFORM_BENCH_POSTGRES.
        """);
    return 2;
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
