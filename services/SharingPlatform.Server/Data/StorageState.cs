namespace SharingPlatform.Server.Data;

/// <summary>
/// Whether the storage is full: a write refused for lack of space marks it, the next write that commits clears it,
/// and for a SQLite file the free space of its volume is looked at too, so that a server started on a full disk says
/// so before anyone writes. While full, writes are answered UNAVAILABLE with reason STORAGE_FULL (the SDK sends them
/// again) and /healthz reports <c>storage-full</c>; reads that need no new audit space still work.
/// </summary>
public sealed class StorageState(ILogger<StorageState> logger)
{
    /// <summary>Below this much free space on the database's volume, SQLite is taken to be full.</summary>
    public const long MinimumFreeBytes = 1024 * 1024;

    private int _full;

    public bool MarkedFull => Volatile.Read(ref _full) == 1;

    public void MarkFull()
    {
        if (Interlocked.Exchange(ref _full, 1) == 0)
        {
            Hosting.Log.StorageFull(logger);
        }
    }

    public void MarkWritten()
    {
        if (Interlocked.Exchange(ref _full, 0) == 1)
        {
            Hosting.Log.StorageWritableAgain(logger);
        }
    }

    /// <summary>Marked full, or the SQLite file's volume has less than <see cref="MinimumFreeBytes"/> free.</summary>
    public bool IsFull(SharingDbContext db)
    {
        if (MarkedFull)
        {
            return true;
        }

        if (SqliteFiles.FilePath(db) is not { } path || Path.GetDirectoryName(path) is not { } directory)
        {
            return false;
        }

        try
        {
            return new DriveInfo(directory).AvailableFreeSpace < MinimumFreeBytes;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return false; // no way to tell here; a refused write still marks it
        }
    }
}
