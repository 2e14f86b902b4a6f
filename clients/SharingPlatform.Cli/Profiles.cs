using System.Text.Json;
using System.Text.Json.Serialization;
using SharingPlatform.Client;

namespace SharingPlatform.Cli;

/// <summary>One saved connection: where the platform is and which client key to use. Holds a key path, never a key.</summary>
public sealed record Profile(
    [property: JsonPropertyName("grpc_url")] string GrpcUrl,
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("key_file")] string KeyFile,
    [property: JsonPropertyName("tenant")] string Tenant);

/// <summary>
/// Profiles in <c>profiles.json</c> under <c>$XDG_CONFIG_HOME/sharectl</c>, else <c>~/.config/sharectl</c> (or
/// <c>SHARECTL_HOME</c>), never a relative path (that would be the current directory). The directory is created 0700
/// and the file 0600 when missing, and narrowed to that if found wider. <c>--profile</c> picks one; <c>default</c> otherwise.
/// </summary>
public sealed class Profiles(string? directory = null)
{
    public const string DefaultName = "default";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Directory { get; } = directory ?? DefaultDirectory();

    private string FilePath => Path.Combine(Directory, "profiles.json");

    /// <summary>Where profiles live when no directory is given; an error rather than a relative path.</summary>
    public static string DefaultDirectory()
    {
        static string? Absolute(string? path) => path is { Length: > 0 } && Path.IsPathFullyQualified(path) ? path : null;
        var directory = Absolute(Environment.GetEnvironmentVariable("SHARECTL_HOME"))
            ?? (Absolute(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME")) is { } config ? Path.Combine(config, "sharectl") : null)
            ?? (Absolute(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)) is { } home ? Path.Combine(home, ".config", "sharectl") : null);
        return directory ?? throw new CliException(ExitCodes.BadInput,
            "No place for profiles: set HOME, XDG_CONFIG_HOME or SHARECTL_HOME to an absolute path (profiles are never kept in the current directory).");
    }

    public Dictionary<string, Profile> Load()
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }

        SecretFile.RestrictToOwner(FilePath);
        return JsonSerializer.Deserialize<Dictionary<string, Profile>>(File.ReadAllText(FilePath)) ?? [];
    }

    public Profile Get(string? name)
    {
        var profiles = Load();
        return profiles.TryGetValue(name ?? DefaultName, out var profile) && profile is not null
            ? profile
            : throw new CliException(ExitCodes.BadInput, $"No profile '{name ?? DefaultName}' in {FilePath}. Run `sharectl login` first.");
    }

    public void Save(string name, Profile profile)
    {
        var profiles = Load();
        profiles[name] = profile;
        OwnerOnly.CreateDirectory(Directory);
        SecretFile.Replace(FilePath, writer => writer.Write(JsonSerializer.Serialize(profiles, Indented)));
    }
}
