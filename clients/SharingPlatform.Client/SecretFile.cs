namespace SharingPlatform.Client;

/// <summary>Writes key files the way keys must be written: new files only, readable and writable by the owner alone; narrows existing ones.</summary>
public static class SecretFile
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }

    /// <summary>Takes every permission but the owner's read and write from an existing file; true if it had more.</summary>
    public static bool RestrictToOwner(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & ~OwnerReadWrite) == 0)
        {
            return false;
        }

        File.SetUnixFileMode(path, mode & OwnerReadWrite);
        return true;
    }
}
