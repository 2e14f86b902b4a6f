namespace SharingPlatform.Client;

/// <summary>Writes key files the way keys must be written: new files only, readable and writable by the owner alone.</summary>
public static class SecretFile
{
    public static void Write(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }
}
