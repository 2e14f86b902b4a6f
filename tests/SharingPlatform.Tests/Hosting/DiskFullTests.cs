using System.Diagnostics;
using System.Net;
using Google.Rpc;
using Grpc.Core;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// A real full disk: the data directory on a small tmpfs, pushed into until it is full, through the real server
/// process. Writes are refused as UNAVAILABLE / STORAGE_FULL (never INTERNAL), /healthz says storage-full, a restart
/// while full comes up and says so, and once the volume grows every acknowledged record is there exactly once and the
/// refused push, sent again with its request id, is stored. Needs root (to mount); CI runs as root.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private const string Tenant = "tenants/nkdb-demo";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _volume = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", "full-" + Guid.NewGuid().ToString("N"));
    private ServerProcess? _server;
    private bool _mounted;

    private string DataDirectory => Path.Combine(_volume, "data");

    [Fact]
    public async Task A_full_disk_refuses_writes_as_unavailable_says_so_in_health_survives_a_restart_and_loses_nothing()
    {
        Assert.SkipUnless(Environment.UserName == "root" && OperatingSystem.IsLinux(), "Mounting a small tmpfs needs root on Linux.");
        Directory.CreateDirectory(_volume);
        Mount($"-t tmpfs -o size=6m tmpfs {_volume}");
        _mounted = true;

        _server = Start();
        await _server.WaitUntilHealthyAsync(Deadline);
        var acknowledged = new List<string>();
        PushCasesRequest? refusedPush = null;
        RpcException? refused = null;
        using (var sync = Connect(_server, "tenants/nkdb-demo/clients/sync", "demo/nkdb-demo-sync.jwk"))
        {
            for (var batch = 0; batch < 400 && refused is null; batch++)
            {
                var push = new PushCasesRequest
                {
                    Parent = Tenant,
                    RequestId = Records.RequestId(),
                    Records = { Enumerable.Range(0, 100).Select(i => Padded($"{Tenant}/cases/b{batch}-{i}")) },
                };
                try
                {
                    await sync.Cases.PushCasesAsync(push);
                    acknowledged.AddRange(push.Records.Select(r => r.Name));
                }
                catch (RpcException e)
                {
                    (refused, refusedPush) = (e, push);
                }
            }
        }

        Assert.NotNull(refused);
        Assert.True(refused.StatusCode == StatusCode.Unavailable, $"The full disk answered {refused.StatusCode}: {refused.Status.Detail}");
        Assert.Equal("STORAGE_FULL", refused.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy: storage-full"), await _server.WaitUntilAnsweringAsync(Deadline));
        Assert.DoesNotContain("Unhandled", _server.AllOutput, StringComparison.Ordinal);

        // A restart while full comes up, and says it is full.
        _server.Dispose();
        _server = Start();
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy: storage-full"), await _server.WaitUntilAnsweringAsync(Deadline));

        // Space comes back: the refused push, sent again, is stored, and nothing acknowledged is lost or doubled.
        Mount($"-o remount,size=256m {_volume}");
        using var again = Connect(_server, "tenants/nkdb-demo/clients/sync", "demo/nkdb-demo-sync.jwk");
        await again.Cases.PushCasesAsync(refusedPush!);
        acknowledged.AddRange(refusedPush!.Records.Select(r => r.Name));
        await _server.WaitUntilHealthyAsync(Deadline);
        var (changes, _, caughtUp) = await again.Cases.PullAllAsync(Tenant);
        Assert.True(caughtUp);
        var names = changes.Where(c => c.Name.Contains("/cases/b", StringComparison.Ordinal)).Select(c => c.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(acknowledged.Order(), names.Order());

        using var auditor = Connect(_server, PlatformFixture.PlatformAdminId, "bootstrap/platform-admin.jwk");
        var verify = await auditor.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        Assert.True(verify.Intact, $"{verify.Problem} at {verify.FirstBadSequence}");
    }

    public void Dispose()
    {
        _server?.Dispose();
        if (_mounted)
        {
            Mount($"-l {_volume}", "umount");
        }

        try
        {
            Directory.Delete(_volume, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>A valid record with a long narrative, so that the volume fills in a few dozen pushes.</summary>
    private static CaseRecord Padded(string name)
    {
        var record = Records.Valid(name);
        record.Narrative = string.Concat(Enumerable.Repeat("Held at the border post with others; moved twice. ", 30));
        return record;
    }

    private ServerProcess Start() => ServerProcess.Start(
        [new("Platform:DataDirectory", DataDirectory), new("Demo:Enabled", "true"), new("Demo:RecordsPerTenant", "0"), new("Database:IntegrityCheckInterval", "00:00:00")],
        ServerProcess.FreePort(), ServerProcess.FreePort());

    private SharingConnection Connect(ServerProcess server, string clientId, string keyFile) =>
        new(server.GrpcAddress, server.IdentityAddress, clientId, ClientKey.Load(Path.Combine(DataDirectory, keyFile)));

    private static void Mount(string arguments, string command = "mount")
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} failed: {error}");
    }
}
