using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// The platform with the log levels it ships with (appsettings.json, not the suite's Warning override), keeping
/// every line written.
/// </summary>
public class ShippedLoggingFixture : SqliteFixture
{
    public LogCapture Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("Logging:LogLevel:Default", ShippedDefaultLevel())];

    protected override void ConfigureHost(IWebHostBuilder host) =>
        host.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs));

    private static string ShippedDefaultLevel()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "appsettings.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return settings.RootElement.GetProperty("Logging").GetProperty("LogLevel").GetProperty("Default").GetString()!;
    }
}

/// <summary>As shipped, with every framework raised to Trace, as an operator might do to diagnose a problem.</summary>
public sealed class RaisedLoggingFixture : ShippedLoggingFixture
{
    public static readonly string[] Frameworks = ["Default", "Microsoft", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Grpc", "OpenIddict"];

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        Frameworks.Select(f => new KeyValuePair<string, string>("Logging:LogLevel:" + f, "Trace"));
}

/// <summary>Nothing an attacker sends reaches a log line: not in the message, an exception's text or a structured value.</summary>
public abstract class LogLeakTests(ShippedLoggingFixture fixture)
{
    private readonly string _marker = "mk" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    [Fact]
    public async Task Values_an_attacker_sends_never_appear_in_the_logs()
    {
        await SendToTheIdentityServerAsync();
        await SendToTheGrpcApiAsync();

        var leaks = fixture.Logs.Lines.Where(l => l.Text.Contains(_marker, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(leaks.Count == 0, "logged: " + string.Join(" | ", leaks.Select(l => $"{l.Category}/{l.EventId} {l.Level}: {l.Text}")));
        // Operator logs stay: the start-up lines are there.
        Assert.Contains(fixture.Logs.Lines, l => l.Message.StartsWith("gRPC API (HTTP/2)", StringComparison.Ordinal));
    }

    private async Task SendToTheIdentityServerAsync()
    {
        using var http = fixture.Factory.CreateClient();
        http.DefaultRequestHeaders.UserAgent.ParseAdd(_marker + "/1.0");
        http.DefaultRequestHeaders.TryAddWithoutValidation("X-Forwarded-For", _marker);
        http.DefaultRequestHeaders.TryAddWithoutValidation("Referer", "http://" + _marker + "/");

        (await http.GetAsync(new Uri($"/{_marker}/x?{_marker}={_marker}", UriKind.Relative))).Dispose();
        (await http.GetAsync(new Uri($"/.well-known/openid-configuration?{_marker}=1", UriKind.Relative))).Dispose();
        var strangerKey = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = _marker };
        foreach (var form in new[]
        {
            // A client that does not exist, with a well-formed assertion naming it.
            Token(("client_id", _marker), ("client_assertion", Tokens.Assertion(_marker, strangerKey, jti: _marker)), ("scope", _marker)),
            // An assertion that is not a JWT, and one whose audience and jti are the marker.
            Token(("client_id", _marker), ("client_assertion", _marker)),
            Token(("client_assertion", Tokens.Assertion(_marker, strangerKey, audience: _marker))),
            new Dictionary<string, string> { ["grant_type"] = _marker, ["client_id"] = _marker, ["client_secret"] = _marker },
        })
        {
            using var content = new FormUrlEncodedContent(form);
            (await http.PostAsync(new Uri("/connect/token", UriKind.Relative), content)).Dispose();
        }
    }

    private static Dictionary<string, string> Token(params (string Name, string Value)[] fields)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_assertion_type"] = ClientAssertionJwt.AssertionType,
        };
        foreach (var (name, value) in fields)
        {
            form[name] = value;
        }

        return form;
    }

    private async Task SendToTheGrpcApiAsync()
    {
        var caller = await fixture.CreateClientAsync();
        using var connection = caller.Connect();
        using var raw = new RawCalls(fixture, caller);
        var token = await connection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
        var headers = new Metadata { { "authorization", "Bearer " + token }, { "x-request-note", _marker }, { "x-" + _marker, "1" } };

        await Refused(raw.Cases.GetCaseAsync(new GetCaseRequest { Name = "tenants/" + caller.TenantSlug + "/cases/" + _marker }, headers).ResponseAsync);
        await Refused(raw.Cases.GetCaseAsync(new GetCaseRequest { Name = "not a name " + _marker }, headers).ResponseAsync);
        await Refused(raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = "tenants/" + _marker }, headers).ResponseAsync);
        await Refused(raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = caller.Parent, PageToken = _marker }, headers).ResponseAsync);
        await Refused(raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = caller.Parent, Regions = { _marker } }, headers).ResponseAsync);
        await Refused(DrainAsync(raw.Cases.PullChanges(new PullChangesRequest { Parent = caller.Parent, Cursor = _marker }, headers)));
        var record = Records.Valid(caller.CaseName("c1"));
        record.Narrative = $"{_marker} call +86 138 0013 8000";
        await raw.Cases.PushCasesAsync(new PushCasesRequest { Parent = caller.Parent, RequestId = _marker, Records = { record, Records.Valid(caller.CaseName(_marker + "/x")) } }, headers);
        await Refused(raw.Cases.GetCaseAsync(new GetCaseRequest { Name = caller.CaseName("x") }, RawCalls.Bearer(_marker)).ResponseAsync);
        await Refused(raw.Cases.GetCaseAsync(new GetCaseRequest { Name = caller.CaseName("x") }, RawCalls.Bearer(Tokens.ForgeAccessToken(fixture, caller, audience: _marker))).ResponseAsync);

        var marker = Encoding.ASCII.GetBytes(_marker);
        byte[] unreadable = [0x0A, (byte)(marker.Length + 2), .. marker, 0xC3, 0x28];
        await GrpcFrames.PostAsync(fixture, "/sharing.v1.CaseService/GetCase", GrpcFrames.Frame(unreadable), token);
        await GrpcFrames.PostAsync(fixture, "/sharing.v1.CaseService/GetCase", GrpcFrames.Frame(marker, compressed: true), token, [new("grpc-encoding", _marker)]);
        await GrpcFrames.PostAsync(fixture, "/sharing.v1.CaseService/GetCase", GrpcFrames.Frame([]), token, [new("grpc-timeout", _marker)]);
        await GrpcFrames.PostAsync(fixture, "/sharing.v1.CaseService/" + _marker, GrpcFrames.Frame([]), token);
        await GrpcFrames.PostAsync(fixture, $"/{_marker}.Service/{_marker}", GrpcFrames.Frame(marker), token, [new("user-agent", _marker)]);
    }

    private static async Task DrainAsync(AsyncServerStreamingCall<PullChangesResponse> call)
    {
        using (call)
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        }
    }

    private static async Task Refused(Task call) => await Assert.ThrowsAsync<RpcException>(() => call);
}

public sealed class ShippedLevelsLogLeakTests(ShippedLoggingFixture fixture) : LogLeakTests(fixture), IClassFixture<ShippedLoggingFixture>;

public sealed class RaisedLevelsLogLeakTests(RaisedLoggingFixture fixture) : LogLeakTests(fixture), IClassFixture<RaisedLoggingFixture>;
