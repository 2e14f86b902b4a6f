extern alias server;

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SharingPlatform.Tests.Infrastructure;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// The host on real Kestrel listeners (loopback, free ports) with the shipped log levels: the in-process test server
/// never parses raw HTTP, so bad requests that only Kestrel sees are sent here.
/// </summary>
public class KestrelHostFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", Guid.NewGuid().ToString("N"));
    private WebApplicationFactory<server::Program>? _factory;

    public LogCapture Logs { get; } = new();

    public int IdentityPort { get; } = FreePort();

    public int GrpcPort { get; } = FreePort();

    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    public ValueTask InitializeAsync()
    {
        _factory = new WebApplicationFactory<server::Program>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Testing");
            host.UseSetting("Platform:DataDirectory", _dataDirectory);
            host.UseSetting("Endpoints:IdentityUrl", $"http://127.0.0.1:{IdentityPort}");
            host.UseSetting("Endpoints:GrpcUrl", $"http://127.0.0.1:{GrpcPort}");
            host.UseSetting("Endpoints:MetricsUrl", "");
            foreach (var (key, value) in Settings)
            {
                host.UseSetting(key, value);
            }

            host.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs));
        });
        _factory.UseKestrel();
        _factory.StartServer();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static int FreePort() => ServerProcess.FreePort();
}

/// <summary>As shipped, with every framework raised to Trace.</summary>
public sealed class RaisedKestrelHostFixture : KestrelHostFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        RaisedLoggingFixture.Frameworks.Select(f => new KeyValuePair<string, string>("Logging:LogLevel:" + f, "Trace"));
}

/// <summary>Requests Kestrel itself refuses (bad request lines, headers, HTTP/2 frames) leave no attacker value in the logs.</summary>
public abstract class KestrelLogLeakTests(KestrelHostFixture fixture)
{
    private readonly string _marker = "mk" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    [Fact]
    public async Task Requests_that_kestrel_refuses_leave_no_attacker_value_in_the_logs()
    {
        string[] http1 =
        [
            $"GET /{_marker} HTTP/1.1\r\nHost: localhost\r\n{_marker}\r\n\r\n",
            $"GET /{_marker}\u0001 HTTP/1.1\r\nHost: localhost\r\n\r\n",
            $"{_marker} / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            $"GET / HTTP/1.1\r\nHost: {_marker}\r\nContent-Length: {_marker}\r\n\r\n",
            $"POST /connect/token HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: {_marker}\r\n\r\n",
            $"GET / HTTP/1.1\r\nHost: localhost\r\nX-Long: {_marker}{new string('a', 40_000)}\r\n\r\n",
        ];
        foreach (var request in http1)
        {
            await SendAsync(fixture.IdentityPort, Encoding.Latin1.GetBytes(request));
        }

        // The gRPC listener speaks HTTP/2 only: an HTTP/1.1 request, then a preface followed by frames of garbage.
        await SendAsync(fixture.GrpcPort, Encoding.ASCII.GetBytes($"GET /{_marker} HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        byte[] garbage = [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 40, 1, 5, 0, 0, 0, 1, .. Encoding.ASCII.GetBytes(_marker + _marker + _marker)];
        await SendAsync(fixture.GrpcPort, garbage);

        var leaks = fixture.Logs.Lines.Where(l => l.Text.Contains(_marker, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(leaks.Count == 0, "logged: " + string.Join(" | ", leaks.Select(l => $"{l.Category}/{l.EventId} {l.Level}: {l.Text}")));
        Assert.Contains(fixture.Logs.Lines, l => l.Message.StartsWith("Identity (token endpoint", StringComparison.Ordinal));
    }

    /// <summary>Sends raw bytes and reads whatever comes back until the server closes or goes quiet.</summary>
    private static async Task SendAsync(int port, byte[] bytes)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(bytes);
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, quiet.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
    }
}

public sealed class ShippedLevelsKestrelLogLeakTests(KestrelHostFixture fixture) : KestrelLogLeakTests(fixture), IClassFixture<KestrelHostFixture>;

public sealed class RaisedLevelsKestrelLogLeakTests(RaisedKestrelHostFixture fixture) : KestrelLogLeakTests(fixture), IClassFixture<RaisedKestrelHostFixture>;
