using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharingPlatform.Cli;

/// <summary>One saved connection: where the platform is and which client key to use. Holds a key path, never a key.</summary>
public sealed record Profile(
    [property: JsonPropertyName("grpc_url")] string GrpcUrl,
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("key_file")] string KeyFile,
    [property: JsonPropertyName("tenant")] string Tenant);

/// <summary>
/// Profiles in <c>profiles.json</c> under the user's config directory (<c>~/.config/sharectl</c>, or
/// <c>SHARECTL_HOME</c>), owner-only. <c>--profile</c> picks one; <c>default</c> otherwise.
/// </summary>
public sealed class Profiles(string? directory = null)
{
    public const string DefaultName = "default";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Directory { get; } = directory ?? (Environment.GetEnvironmentVariable("SHARECTL_HOME") is { Length: > 0 } home
        ? home
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "sharectl"));

    private string FilePath => Path.Combine(Directory, "profiles.json");

    public Dictionary<string, Profile> Load() =>
        File.Exists(FilePath)
            ? JsonSerializer.Deserialize<Dictionary<string, Profile>>(File.ReadAllText(FilePath)) ?? []
            : [];

    public Profile Get(string? name)
    {
        var profiles = Load();
        return profiles.TryGetValue(name ?? DefaultName, out var profile) && profile is not null
            ? profile
            : throw new CliException(ExitCodes.AuthFailed, $"No profile '{name ?? DefaultName}'. Run `sharectl login` first.");
    }

    public void Save(string name, Profile profile)
    {
        var profiles = Load();
        profiles[name] = profile;
        if (!OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory);
        }

        var temporary = FilePath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(profiles, Indented));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, FilePath, overwrite: true);
    }
}
