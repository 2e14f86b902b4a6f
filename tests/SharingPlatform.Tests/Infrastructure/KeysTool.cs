using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Client.Auth;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>
/// The server's <c>keys</c> command run as the operator runs it (the built server DLL, its own process), and what a
/// rotation test asks of a running server: a token, whether a token is accepted, the kids its JWKS publishes.
/// </summary>
public static class KeysTool
{
    /// <summary>Runs <c>SharingPlatform.Server.dll keys {verb}</c> (e.g. <c>stage</c>, <c>stage audit</c>) on <paramref name="dataDirectory"/>; returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string verb, string dataDirectory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "SharingPlatform.Server.dll"), "keys" },
        };
        foreach (var argument in verb.Split(' ').Append($"--Platform:DataDirectory={dataDirectory}").Append("--Logging:LogLevel:Default=Warning"))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>The private <c>d</c> of every key file under <paramref name="keyDirectory"/>: none may ever be printed.</summary>
    public static IReadOnlyList<string> PrivateParts(string keyDirectory) =>
        [.. Directory.EnumerateFiles(keyDirectory, "*.jwk").Select(f => new JsonWebKey(File.ReadAllText(f)).D).Where(d => !string.IsNullOrEmpty(d))];

    /// <summary>A token for <paramref name="clientId"/> from <paramref name="server"/>'s token endpoint (assertion audience: <paramref name="issuer"/>).</summary>
    public static async Task<string> TokenAsync(ServerProcess server, Uri issuer, string clientId, ClientKey key)
    {
        using var http = new HttpClient();
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_assertion_type"] = ClientAssertionJwt.AssertionType,
            ["client_assertion"] = Tokens.Assertion(clientId, key.SigningKey, audience: issuer.ToString()),
        });
        using var response = await http.PostAsync(new Uri(server.IdentityAddress, "connect/token"), content);
        var body = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        Assert.True(response.IsSuccessStatusCode, $"The token endpoint answered {(int)response.StatusCode}.{server.Output}");
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>The kid in a token's header: the key that signed it.</summary>
    public static string KidOf(string token) => new JsonWebToken(token).Kid;

    /// <summary>Whether <paramref name="server"/>'s gRPC API accepts <paramref name="token"/> (a platform-admin's) on a call that needs it.</summary>
    public static async Task<bool> AcceptsAsync(ServerProcess server, string token)
    {
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        try
        {
            await new TenantAdminService.TenantAdminServiceClient(channel).ListTenantsAsync(new ListTenantsRequest { PageSize = 1 }, RawCalls.Bearer(token));
            return true;
        }
        catch (RpcException refused) when (refused.StatusCode == StatusCode.Unauthenticated)
        {
            return false;
        }
    }

    /// <summary>The kids of the signing keys <paramref name="server"/> publishes (discovery's <c>jwks_uri</c>).</summary>
    public static async Task<IReadOnlySet<string>> PublishedKidsAsync(ServerProcess server)
    {
        using var http = new HttpClient();
        var discovery = JsonSerializer.Deserialize<JsonElement>(await http.GetStringAsync(new Uri(server.IdentityAddress, ".well-known/openid-configuration")));
        var jwksUri = new Uri(discovery.GetProperty("jwks_uri").GetString()!);
        // The published URI names the issuer's host; ask this server itself.
        var jwks = new JsonWebKeySet(await http.GetStringAsync(new Uri(server.IdentityAddress, jwksUri.PathAndQuery)));
        Assert.All(jwks.Keys, k => Assert.True(string.IsNullOrEmpty(k.D), "The JWKS published a private key."));
        return jwks.Keys.Select(k => k.Kid).ToHashSet(StringComparer.Ordinal);
    }
}
