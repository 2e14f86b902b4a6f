using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SharingPlatform.Server.Data;

/// <summary>Which storage failures are passing (a lock held too long, a conflict, a lost connection): the same
/// request, tried again, may well succeed.</summary>
public static class StorageErrors
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteFull = 13;
    private const int Enospc = 28;
    private const int WindowsDiskFull = 0x70;

    /// <summary>Whether <paramref name="exception"/> or one it wraps says the storage is full: SQLite's SQLITE_FULL,
    /// PostgreSQL's class 53 "insufficient resources" disk_full (53100), or a file write that failed with ENOSPC.</summary>
    public static bool IsFull(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: SqliteFull }
                || e is PostgresException { SqlState: PostgresErrorCodes.DiskFull }
                || e is IOException { HResult: Enospc or WindowsDiskFull or unchecked((int)0x80070070) })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="exception"/> or one it wraps is a passing storage failure: SQLite busy or
    /// locked (Microsoft.Data.Sqlite does not mark them transient), a PostgreSQL serialization failure (40001) or
    /// deadlock (40P01), or anything else the provider marks transient (Npgsql: lost connections, timeouts).</summary>
    public static bool IsTransient(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked }
                || e is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected }
                || e is DbException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }
}
