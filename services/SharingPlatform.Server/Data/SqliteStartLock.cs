using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Data;

/// <summary>
/// One process at a time checks and migrates a SQLite database, under an operating-system lock on
/// <c>{database}.start-lock</c> that the kernel releases when its process dies, however it dies.
/// <para>
/// EF Core's own SQLite migration lock is a row in <c>__EFMigrationsLock</c>: a process killed while migrating leaves
/// it behind, and every later start waits for it for ever. Every process that migrates takes the file lock first, so a
/// lock row seen while holding the file lock was left by a dead process: it is removed, and the log says so.
/// </para>
/// </summary>
public sealed class SqliteStartLock : IDisposable
{
    private const string EfLockTable = "__EFMigrationsLock";
    private readonly FileStream _file;

    private SqliteStartLock(FileStream file) => _file = file;

    /// <summary>Null when the database is not a SQLite file; waits up to <paramref name="patience"/> for another starting process.</summary>
    public static async Task<SqliteStartLock?> AcquireAsync(SharingDbContext db, TimeSpan patience, ILogger logger, CancellationToken cancellationToken)
    {
        if (SqliteFiles.FilePath(db) is not { } database)
        {
            return null;
        }

        var path = database + ".start-lock";
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var deadline = DateTime.UtcNow + patience;
        var said = false;
        while (true)
        {
            try
            {
                return new SqliteStartLock(new FileStream(path, options));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                if (!said)
                {
                    Log.WaitingForStartLock(logger, path);
                    said = true;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (IOException)
            {
                throw new StartRefusedException(
                    $"Another process has held {path} for {patience.TotalSeconds:0} s while starting on the same database. Stop the other server, or wait until it has started.");
            }
        }
    }

    /// <summary>Removes EF Core's migration lock row if a process that died while migrating left it; true if it did.</summary>
    public static async Task<bool> RemoveStaleMigrationLockAsync(SharingDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        var tables = await db.Database
            .SqlQueryRaw<int>($"SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = '{EfLockTable}'")
            .SingleAsync(cancellationToken);
        // Read first: a DELETE that matches nothing still writes, and a start on a full disk must write nothing.
        if (tables == 0
            || await db.Database.SqlQueryRaw<int>($"SELECT count(*) AS \"Value\" FROM \"{EfLockTable}\"").SingleAsync(cancellationToken) == 0
            || await db.Database.ExecuteSqlRawAsync($"DELETE FROM \"{EfLockTable}\"", cancellationToken) == 0)
        {
            return false;
        }

        Log.StaleMigrationLockRemoved(logger, SqliteFiles.FilePath(db)!);
        return true;
    }

    public void Dispose() => _file.Dispose();
}
