namespace SharingPlatform.Client;

/// <summary>Writes key files (and pulled views) the way keys must be written: new files only, readable and writable by the owner alone; narrows existing ones.</summary>
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

    /// <summary>
    /// Replaces <paramref name="path"/> whole: written to a new owner-only temporary file, flushed to disk, then renamed
    /// over it, so a reader (or a crash) sees the old file or the new one, never half of it.
    /// </summary>
    public static void Replace(string path, Action<TextWriter> write)
    {
        var temporary = path + ".tmp";
        // A temporary left by a crash may have been widened since: start a new one, as only a new file gets our mode.
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)))
        {
            write(writer);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
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
