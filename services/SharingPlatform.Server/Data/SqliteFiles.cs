using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Data;

/// <summary>
/// Keeps the embedded database readable and writable by the server's user only (on Unix). SQLite creates its -wal
/// and -shm files with the database file's mode, so the file is created owner-only before SQLite first opens it;
/// files that an older version, a restore or a copy left wider are narrowed at start, and the log says so once.
/// </summary>
public static class SqliteFiles
{
    /// <summary>The database file, or null when the database is not a SQLite file named by a plain path.</summary>
    public static string? FilePath(SharingDbContext db)
    {
        if (!db.Database.IsSqlite())
        {
            return null;
        }

        // An in-memory database has no file; a URI file name is the operator's to manage.
        var source = new SqliteConnectionStringBuilder(db.Database.GetConnectionString());
        return source.Mode == SqliteOpenMode.Memory || source.DataSource is "" or ":memory:"
            || source.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            ? null
            : Path.GetFullPath(source.DataSource);
    }

    public static void RestrictToOwner(SharingDbContext db, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (FilePath(db) is not { } path)
        {
            return;
        }

        if (!File.Exists(path) && Directory.Exists(Path.GetDirectoryName(path)))
        {
            try
            {
                DataDirectory.WriteSecretFile(path, ""); // an empty file is an empty SQLite database
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; it is narrowed below like any existing file.
            }
        }

        var narrowed = new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists).Count(DataDirectory.RestrictToOwner);
        if (narrowed > 0)
        {
            Log.DatabaseFilesRestricted(logger, narrowed, path);
        }
    }
}
