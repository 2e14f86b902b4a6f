using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SharingPlatform.Benchmarks;

/// <summary>
/// The real server as a child process on loopback, with a throwaway data directory. Disposing it kills the
/// process tree and deletes the directory (unless the caller gave it and deletes it itself), so a failed or
/// interrupted run leaves nothing behind.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly bool _ownsDirectory;

    private ServerProcess(Process process, string dataDirectory, bool ownsDirectory, int identityPort, int grpcPort)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        Issuer = new Uri($"http://127.0.0.1:{identityPort}/");
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
    }

    public Uri Issuer { get; }

    public Uri GrpcAddress { get; }

    public int ProcessId => _process.Id;

    /// <summary>What the server printed: at log level Warning, only warnings, errors and crash output.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public string DemoKeyPath(string fileName) => Path.Combine(_dataDirectory, "demo", fileName + ".jwk");

    /// <summary>The server's data directory (on SQLite it holds the database, <c>sharing.db</c>).</summary>
    public string DataDirectory => _dataDirectory;

    /// <param name="dataDirectory">A data directory to use and keep (the large run starts the server twice on one); by
    /// default a fresh temporary one, deleted on dispose.</param>
    /// <param name="settings">More configuration, as <c>--Key=value</c> arguments (e.g. the audit switch).</param>
    public static ServerProcess Start(string serverDll, string? postgres, string? dataDirectory = null, IEnumerable<string>? settings = null)
    {
        var ownsDirectory = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("sp-bench-").FullName;
        var (identityPort, grpcPort) = (FreePort(), FreePort());
        var start = new ProcessStartInfo("dotnet")
        {
            // The server reads appsettings.json from its content root, the working directory.
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The Benchmark environment behaves as Production, except that it allows the audit switch (Audit:Disabled).
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Benchmark";
        start.Environment["DOTNET_ENVIRONMENT"] = "Benchmark";
        string[] arguments =
        [
            serverDll,
            $"--Platform:DataDirectory={dataDirectory}",
            "--Demo:Enabled=true",
            "--Demo:RecordsPerTenant=0",
            $"--Endpoints:IdentityUrl=http://127.0.0.1:{identityPort}",
            $"--Endpoints:GrpcUrl=http://127.0.0.1:{grpcPort}",
            // No Prometheus listener: its fixed port would collide between the benchmark's servers (the meters still
            // count, so their cost is measured; only the scrape endpoint is off).
            "--Endpoints:MetricsUrl=",
            "--Logging:LogLevel:Default=Warning",
            // Sequential lookups run far past a partner's per-client call limit: measure the server, not the limiter.
            "--RateLimits:CallsPerClientPerSecond=1000000",
            "--RateLimits:CallBurst=1000000",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var setting in settings ?? [])
        {
            start.ArgumentList.Add(setting);
        }

        if (postgres is not null)
        {
            start.ArgumentList.Add("--Database:Provider=Postgres");
            start.ArgumentList.Add($"--Database:ConnectionString={postgres}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var server = new ServerProcess(process, dataDirectory, ownsDirectory, identityPort, grpcPort);
        process.OutputDataReceived += (_, e) => server.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => server.Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Polls /healthz, which also checks the database, until it answers 200.</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new BenchmarkException($"The server exited with code {_process.ExitCode} during start-up.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Issuer, "healthz"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One slow probe; try again.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new BenchmarkException($"The server did not answer 200 on /healthz within {timeout.TotalSeconds:0} s.");
    }

    /// <summary>Peak and current resident memory in KiB, from /proc (Linux only).</summary>
    public (long PeakKb, long CurrentKb)? Memory()
    {
        var path = $"/proc/{_process.Id}/status";
        if (!File.Exists(path))
        {
            return null;
        }

        var lines = File.ReadAllLines(path);
        return (Field(lines, "VmHWM:"), Field(lines, "VmRSS:"));
    }

    /// <summary>CPU time the server has used so far: on a busy machine a steadier figure than elapsed time.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>The last 20 lines of the server's output without stack frames, which would hide the message.</summary>
    public string Tail()
    {
        var lines = Log.Where(l => !l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).TakeLast(20).ToList();
        return lines.Count == 0 ? "" : Environment.NewLine + string.Join(Environment.NewLine, lines);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        if (!_ownsDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException exception)
        {
            Console.Error.WriteLine($"Could not delete {_dataDirectory}: {exception.Message}");
        }
    }

    private void Capture(string? line)
    {
        // Keep only the latest lines, so that a server spamming errors cannot exhaust the benchmark's memory.
        if (!string.IsNullOrEmpty(line))
        {
            Log.Enqueue(line);
            while (Log.Count > 1000 && Log.TryDequeue(out _))
            {
            }
        }
    }

    private static long Field(string[] lines, string name)
    {
        var line = lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line[name.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        // Ask the OS for a free port and release it; the short race with another process is acceptable here.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>A failed check or start-up: reported as a message, without a stack trace.</summary>
internal sealed class BenchmarkException(string message) : Exception(message);
