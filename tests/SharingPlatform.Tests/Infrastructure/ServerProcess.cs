using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>
/// The built server as a child process on loopback ports of its own, for tests that need more than one server (replicas).
/// Disposing it kills the process (and only it, by its id). What it prints is kept for failure messages.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process, Uri identity, Uri grpc)
    {
        _process = process;
        IdentityAddress = identity;
        GrpcAddress = grpc;
    }

    public Uri IdentityAddress { get; }

    public Uri GrpcAddress { get; }

    /// <summary>
    /// Starts the server DLL built beside the tests with <paramref name="settings"/> as command-line configuration, in
    /// <paramref name="workingDirectory"/> (default: the tests' folder; the server's content root is its own folder either way).
    /// </summary>
    public static ServerProcess Start(IEnumerable<KeyValuePair<string, string>> settings, int identityPort, int grpcPort, string? workingDirectory = null)
    {
        var serverDll = Path.Combine(AppContext.BaseDirectory, "SharingPlatform.Server.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(serverDll);
        start.ArgumentList.Add($"--Endpoints:IdentityUrl=http://127.0.0.1:{identityPort}");
        start.ArgumentList.Add($"--Endpoints:GrpcUrl=http://127.0.0.1:{grpcPort}");
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        // Off unless a test turns it on with a free port (settings come after, and the last value wins): replicas would share 5082.
        start.ArgumentList.Add("--Endpoints:MetricsUrl=");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // Workstation GC: the machine running the suite is shared.
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{identityPort}/"), new Uri($"http://127.0.0.1:{grpcPort}"));
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>
    /// A loopback port free now, below Linux's ephemeral range (32768-60999): a port the kernel handed out for
    /// listening could next become the source port of one of the suite's many outgoing connections, and the server's
    /// bind then fails. Ports are never handed out twice in one run.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            if (!Handed.TryAdd(port, 0))
            {
                continue;
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return port;
            }
            catch (SocketException)
            {
                // in use: try another
            }
        }
    }

    private static readonly ConcurrentDictionary<int, byte> Handed = new();

    /// <summary>Polls /healthz (which checks the database too) until it answers 200.</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} during start-up:{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(IdentityAddress, "healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The server did not become healthy within {timeout.TotalSeconds:0} s:{Output}");
    }

    /// <summary>Polls /healthz until it answers at all, healthy or not, and returns the answer ("Healthy", "Unhealthy: ...").</summary>
    public async Task<(HttpStatusCode Status, string Body)> WaitUntilAnsweringAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} during start-up:{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(IdentityAddress, "healthz"));
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(200);
            }
        }

        throw new TimeoutException($"The server did not answer /healthz within {timeout.TotalSeconds:0} s:{Output}");
    }

    /// <summary>Waits for the process to end by itself and returns its exit code; throws if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The server was still running after {timeout.TotalSeconds:0} s:{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as an orchestrator stopping a replica sends it (by the process id); returns at once.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not start kill.");
        kill.WaitForExit(10_000);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM exited with code {kill.ExitCode}.");
        }
    }

    /// <summary>SIGKILL, as a crash or an out-of-memory killer would stop it; waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Everything the server printed that is still kept (the last 200 lines).</summary>
    public string AllOutput => string.Join(Environment.NewLine, _output);

    /// <summary>The last lines the server printed, for a failure message.</summary>
    public string Output => string.Concat(_output.TakeLast(30).Select(l => Environment.NewLine + l));

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            _output.Enqueue(line);
            while (_output.Count > 200 && _output.TryDequeue(out _))
            {
            }
        }
    }
}
