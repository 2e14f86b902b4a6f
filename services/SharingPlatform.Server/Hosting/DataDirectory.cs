extern alias sdk;

namespace SharingPlatform.Server.Hosting;

/// <summary>Creates the server's private directories readable by the server's user only.</summary>
public static class DataDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static string Ensure(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
            return full;
        }

        // Create every missing level owner-only (CreateDirectory applies the mode to the last level alone).
        var missing = new Stack<string>();
        for (var dir = full; !Directory.Exists(dir); dir = Path.GetDirectoryName(dir)!)
        {
            missing.Push(dir);
        }

        while (missing.TryPop(out var dir))
        {
            Directory.CreateDirectory(dir, OwnerOnly);
        }

        // A directory that already existed (e.g. a mounted volume) is tightened too: the database files in it
        // are created with the process umask. One that already is owner-only is left alone, so that a key directory
        // can be mounted read-only once the first start has made the keys (docs/deploy.md, Key directory).
        if (File.GetUnixFileMode(full) == OwnerOnly)
        {
            return full;
        }

        try
        {
            File.SetUnixFileMode(full, OwnerOnly);
        }
        catch (Exception refused) when (refused is IOException or UnauthorizedAccessException)
        {
            throw new StartRefusedException(
                $"{full} is open to other users and its mode cannot be narrowed ({refused.Message}). Make it mode 0700, owned by the server's user, and start again.");
        }

        return full;
    }

    /// <summary>Writes a new file readable and writable by the owner only; refuses to overwrite.</summary>
    public static void WriteSecretFile(string path, string content) => sdk::SharingPlatform.Client.SecretFile.Write(path, content);

    /// <summary>Leaves an existing file readable and writable by the owner only; true if it allowed more.</summary>
    public static bool RestrictToOwner(string path) => sdk::SharingPlatform.Client.SecretFile.RestrictToOwner(path);
}
