using Microsoft.EntityFrameworkCore;
using Npgsql;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Data;

/// <summary>
/// One replica at a time checks, migrates and (at a first start) makes the keys of a PostgreSQL platform, under a
/// session-level advisory lock held on a connection of its own. That connection is not pooled, so closing it ends the
/// session, and PostgreSQL releases the lock when its process dies, however it dies.
/// <para>
/// EF Core's own PostgreSQL migration lock lasts one migration's transaction: two processes making their first start
/// on one empty database were seen to apply the same migration twice ("column ... already exists", exit 134).
/// </para>
/// </summary>
public sealed class PostgresStartLock : IAsyncDisposable
{
    /// <summary>The advisory lock's key, the same for every replica of every version: "SharPlat" in ASCII.</summary>
    private const long Key = 0x5368_6172_506C_6174;
    private readonly NpgsqlConnection _connection;

    private PostgresStartLock(NpgsqlConnection connection) => _connection = connection;

    /// <summary>Null when the database is not PostgreSQL; waits up to <paramref name="patience"/> for another starting replica.</summary>
    public static async Task<PostgresStartLock?> AcquireAsync(SharingDbContext db, TimeSpan patience, ILogger logger, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
        {
            return null;
        }

        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var deadline = DateTime.UtcNow + patience;
            var said = false;
            while (!await TryLockAsync(connection, cancellationToken))
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new StartRefusedException(
                        $"Another replica has been starting on the same database for {patience.TotalSeconds:0} s (it holds the start lock). Stop it, or wait until it has started.");
                }

                if (!said)
                {
                    Log.WaitingForStartLock(logger, "PostgreSQL advisory lock");
                    said = true;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }

            return new PostgresStartLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", Key);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
