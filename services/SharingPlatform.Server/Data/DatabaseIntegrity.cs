using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace SharingPlatform.Server.Data;

/// <summary>
/// A cheap sanity check of the storage, at start and from the health check: SQLite's <c>quick_check</c> (every page
/// readable, every b-tree well formed; not the slower index-content cross-check of <c>integrity_check</c>); on
/// PostgreSQL, the data checksum failures the server has counted in this database (with checksums on) and whether it
/// is a read-only standby. The answers name pages and counts, never data.
/// </summary>
public static class DatabaseIntegrity
{
    /// <summary>SQLite's result codes for a damaged file: SQLITE_CORRUPT and SQLITE_NOTADB.</summary>
    public static bool IsDamage(Exception exception) => exception is SqliteException { SqliteErrorCode: 11 or 26 };

    /// <summary>Null when the check passes; otherwise what it found.</summary>
    public static async Task<string?> ProblemAsync(SharingDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            if (db.Database.IsSqlite())
            {
                var found = await db.Database.SqlQueryRaw<string>("SELECT quick_check AS \"Value\" FROM pragma_quick_check LIMIT 3").ToListAsync(cancellationToken);
                return found is ["ok"] ? null : $"SQLite quick_check found damage: {string.Join("; ", found)}";
            }

            if (db.Database.IsNpgsql())
            {
                var failures = await db.Database.SqlQueryRaw<long>(
                    "SELECT coalesce(checksum_failures, 0) AS \"Value\" FROM pg_stat_database WHERE datname = current_database()").SingleAsync(cancellationToken);
                if (failures > 0)
                {
                    return $"PostgreSQL has counted {failures} data checksum failure(s) in this database";
                }

                return await db.Database.SqlQueryRaw<bool>("SELECT pg_is_in_recovery() AS \"Value\"").SingleAsync(cancellationToken)
                    ? "the PostgreSQL server is a read-only standby"
                    : null;
            }

            return null; // SQL Server: DBCC CHECKDB is an operator's job, not a health check's
        }
        catch (SqliteException damage) when (IsDamage(damage))
        {
            return $"SQLite cannot read the database file (error {damage.SqliteErrorCode}: {damage.SqliteExtendedErrorCode})";
        }
    }
}
