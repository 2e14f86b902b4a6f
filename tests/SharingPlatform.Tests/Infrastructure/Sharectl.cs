using SharingPlatform.Cli;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>Runs real sharectl commands in-process against a fixture's server, each test with its own profile directory.</summary>
public sealed class Sharectl(PlatformFixture fixture) : IDisposable
{
    public string Home { get; } = Directory.CreateTempSubdirectory("sharectl-test-").FullName;

    public Task<(int Exit, string Out, string Error)> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>Runs a command that <paramref name="cancellationToken"/> stops as Ctrl-C would (e.g. <c>cases pull --follow</c>).</summary>
    public async Task<(int Exit, string Out, string Error)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, fixture.Factory.Server.CreateHandler(), Home, cancellationToken);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Saves a profile for <paramref name="client"/> (writing its key to a file) through the real login command.</summary>
    public async Task LoginAsync(TestClient client, string profile = "default")
    {
        var keyFile = Path.Combine(Home, client.ClientId.Replace('/', '_') + ".jwk");
        if (!File.Exists(keyFile))
        {
            client.Key.Save(keyFile);
        }

        var (exit, _, error) = await RunAsync("login", "--server", PlatformFixture.GrpcAddress.ToString(), "--identity", PlatformFixture.Issuer.ToString(),
            "--client-id", client.ClientId, "--key-file", keyFile, "--profile", profile);
        Assert.True(exit == 0, error);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
