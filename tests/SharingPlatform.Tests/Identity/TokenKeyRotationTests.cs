using System.Text.Json.Nodes;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;

namespace SharingPlatform.Tests.Identity;

/// <summary>
/// Rotating the token-signing key with the server's <c>keys</c> command, through the real server process restarted on
/// one data directory: stage (published, accepted, not signing), activate (the new key signs, the old one still
/// validates the tokens it signed), prune (once those have expired, the old key is gone and its tokens are refused).
/// </summary>
public sealed class TokenKeyRotationTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sharingplatform-tests", "rotation-" + Guid.NewGuid().ToString("N"));
    private readonly int _identityPort = ServerProcess.FreePort();
    private readonly int _grpcPort = ServerProcess.FreePort();

    private string DataDirectory => Path.Combine(_root, "data");

    private string KeyDirectory => Path.Combine(DataDirectory, "keys");

    // Fixed, so that a token issued before a restart names the issuer the restarted server expects.
    private Uri Issuer => new($"http://127.0.0.1:{_identityPort}/");

    [Fact]
    public async Task A_token_signed_before_activation_stays_valid_across_it_and_is_refused_once_its_key_is_pruned()
    {
        var output = new List<string>();
        var privateParts = new HashSet<string>(StringComparer.Ordinal);
        async Task<string> KeysAsync(string verb)
        {
            var (code, printed) = await KeysTool.RunAsync(verb, DataDirectory);
            Assert.True(code == 0, $"keys {verb} exited with {code}: {printed}");
            output.Add(printed);
            privateParts.UnionWith(KeysTool.PrivateParts(KeyDirectory));
            return printed;
        }

        var server = await StartAsync();
        var oldKid = KeysTool.KidOf(await TokenAsync(server));
        var beforeStage = await TokenAsync(server);

        await KeysAsync("stage");
        var newKid = Kid("token-signing-p256.next.jwk");
        server = await RestartAsync(server);
        var staged = await TokenAsync(server);
        Assert.Equal(oldKid, KeysTool.KidOf(staged)); // staged keys never sign
        Assert.Equal(new HashSet<string> { oldKid, newKid }, await KeysTool.PublishedKidsAsync(server));

        await KeysAsync("activate");
        server = await RestartAsync(server);
        var afterActivation = await TokenAsync(server);
        Assert.Equal(newKid, KeysTool.KidOf(afterActivation));
        Assert.Equal(new HashSet<string> { oldKid, newKid }, await KeysTool.PublishedKidsAsync(server));
        Assert.True(await KeysTool.AcceptsAsync(server, beforeStage), "A token signed by the retired key was refused before it expired." + server.Output);
        Assert.True(await KeysTool.AcceptsAsync(server, staged));
        Assert.True(await KeysTool.AcceptsAsync(server, afterActivation));

        // Within the access token lifetime a prune keeps the retired key.
        Assert.Contains("Kept retired key " + oldKid, await KeysAsync("prune"), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(KeyDirectory, $"token-signing-p256.retired-{oldKid}.jwk")));

        // As if the lifetime (10 minutes) had passed since the activation: the old tokens are still unexpired here, so
        // only the missing key can refuse them.
        Backdate($"token-signing-p256.retired-{oldKid}.jwk", TimeSpan.FromMinutes(11));
        Assert.Contains("Deleted retired key " + oldKid, await KeysAsync("prune"), StringComparison.Ordinal);
        server = await RestartAsync(server);
        Assert.Equal(new HashSet<string> { newKid }, await KeysTool.PublishedKidsAsync(server));
        Assert.False(await KeysTool.AcceptsAsync(server, beforeStage), "A token of a pruned key was accepted.");
        Assert.False(await KeysTool.AcceptsAsync(server, staged), "A token of a pruned key was accepted.");
        Assert.True(await KeysTool.AcceptsAsync(server, afterActivation));
        Assert.True(await KeysTool.AcceptsAsync(server, await TokenAsync(server)));
        server.Dispose();

        var list = await KeysAsync("list");
        Assert.Contains(newKid, list, StringComparison.Ordinal);
        Assert.DoesNotContain(oldKid, list, StringComparison.Ordinal);
        Assert.NotEmpty(privateParts);
        Assert.All(output, printed => Assert.All(privateParts, d => Assert.DoesNotContain(d, printed, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Activation_without_a_staged_key_and_a_second_stage_are_refused_and_change_nothing()
    {
        (await StartAsync()).Dispose();
        var current = await File.ReadAllTextAsync(Path.Combine(KeyDirectory, "token-signing-p256.jwk"), TestContext.Current.CancellationToken);

        var (activateCode, activateOutput) = await KeysTool.RunAsync("activate", DataDirectory);
        Assert.Equal(1, activateCode);
        Assert.Contains("No key is staged", activateOutput, StringComparison.Ordinal);

        Assert.Equal(0, (await KeysTool.RunAsync("stage", DataDirectory)).ExitCode);
        var staged = await File.ReadAllTextAsync(Path.Combine(KeyDirectory, "token-signing-p256.next.jwk"), TestContext.Current.CancellationToken);
        var (again, againOutput) = await KeysTool.RunAsync("stage", DataDirectory);
        Assert.Equal(1, again);
        Assert.Contains("staged already", againOutput, StringComparison.Ordinal);

        Assert.Equal(current, await File.ReadAllTextAsync(Path.Combine(KeyDirectory, "token-signing-p256.jwk"), TestContext.Current.CancellationToken));
        Assert.Equal(staged, await File.ReadAllTextAsync(Path.Combine(KeyDirectory, "token-signing-p256.next.jwk"), TestContext.Current.CancellationToken));
        Assert.Empty(Directory.EnumerateFiles(KeyDirectory, "*retired*"));
    }

    [Fact]
    public async Task A_lost_current_key_beside_a_staged_one_is_refused_and_the_staged_key_is_not_promoted()
    {
        (await StartAsync()).Dispose();
        Assert.Equal(0, (await KeysTool.RunAsync("stage", DataDirectory)).ExitCode);
        File.Delete(Path.Combine(KeyDirectory, "token-signing-p256.jwk"));

        using var server = ServerProcess.Start(Settings, _identityPort, _grpcPort);
        Assert.Equal(3, await server.WaitForExitAsync(Deadline));
        Assert.Contains("has lost token-signing-p256.jwk", server.AllOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(KeyDirectory, "token-signing-p256.jwk")), "The refused start made or promoted a signing key.");
        Assert.Equal(1, (await KeysTool.RunAsync("activate", DataDirectory)).ExitCode);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private KeyValuePair<string, string>[] Settings => [new("Platform:DataDirectory", DataDirectory), new("Identity:Issuer", Issuer.ToString())];

    private async Task<ServerProcess> StartAsync()
    {
        var server = ServerProcess.Start(Settings, _identityPort, _grpcPort);
        await server.WaitUntilHealthyAsync(Deadline);
        return server;
    }

    private async Task<ServerProcess> RestartAsync(ServerProcess server)
    {
        server.Dispose();
        return await StartAsync();
    }

    private Task<string> TokenAsync(ServerProcess server) =>
        KeysTool.TokenAsync(server, Issuer, PlatformFixture.PlatformAdminId, ClientKey.Load(Path.Combine(DataDirectory, "bootstrap", "platform-admin.jwk")));

    private string Kid(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(KeyDirectory, file)))!["kid"]!.GetValue<string>();

    private void Backdate(string file, TimeSpan by)
    {
        var path = Path.Combine(KeyDirectory, file);
        var jwk = JsonNode.Parse(File.ReadAllText(path))!;
        jwk["retired"] = (DateTime.UtcNow - by).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(path, jwk.ToJsonString());
    }
}
