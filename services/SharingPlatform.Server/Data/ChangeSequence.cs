using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace SharingPlatform.Server.Data;

/// <summary>
/// Hands out change-feed sequence numbers in commit order. A writer locks the counter row first and keeps
/// the lock until it commits, so a transaction that gets higher numbers always commits after one with
/// lower numbers: a puller reading <c>seq &gt; cursor</c> can never skip a change that commits late.
/// (SQLite takes its write lock at BEGIN IMMEDIATE; PostgreSQL and SQL Server lock the row on UPDATE.)
/// </summary>
public static class ChangeSequence
{
    /// <summary>
    /// Starts a write transaction: SQLite's default (BEGIN IMMEDIATE, one writer at a time), entered through the
    /// database's <see cref="WriteGate"/> (<paramref name="urgent"/>: before other waiting writers); READ COMMITTED
    /// elsewhere, pinned so that a server default of REPEATABLE READ or SERIALIZABLE cannot turn waiting on the counter
    /// lock into serialization failures.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginAsync(SharingDbContext db, CancellationToken cancellationToken, bool urgent = false)
    {
        if (!db.Database.IsSqlite())
        {
            return await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        }

        var turn = await WriteGate.For(db.Database.GetConnectionString()!).EnterAsync(urgent, cancellationToken);
        try
        {
            return new GatedTransaction(await db.Database.BeginTransactionAsync(cancellationToken), turn);
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    /// <summary>Locks the counter until the current transaction ends and returns the last number used.</summary>
    public static async Task<long> LockAsync(SharingDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("The change sequence can only be locked inside a transaction.");
        }

        await db.SequenceCounters
            .Where(c => c.Name == SequenceCounter.Changes)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Value, c => c.Value), cancellationToken);
        return await db.SequenceCounters
            .Where(c => c.Name == SequenceCounter.Changes)
            .Select(c => c.Value)
            .SingleAsync(cancellationToken);
    }

    /// <summary>The last number of a committed change: every change up to it is visible to a new statement.</summary>
    public static Task<long> CommittedAsync(SharingDbContext db, CancellationToken cancellationToken) =>
        db.SequenceCounters.AsNoTracking()
            .Where(c => c.Name == SequenceCounter.Changes)
            .Select(c => c.Value)
            .SingleAsync(cancellationToken);

    /// <summary>PostgreSQL channel on which every commit that advanced the sequence is announced, to every replica.</summary>
    public const string NotifyChannel = "sharing_changes";

    /// <summary>
    /// Records the last number used by the current transaction; call before commit. Following pulls are woken once it
    /// commits: on PostgreSQL by a notification that the server delivers at commit (and drops on rollback) to every
    /// replica's <see cref="PostgresChangeListener"/>; elsewhere by <see cref="CommitPulse"/>, after the commit.
    /// </summary>
    public static async Task AdvanceAsync(SharingDbContext db, long lastUsed, CancellationToken cancellationToken)
    {
        await db.SequenceCounters
            .Where(c => c.Name == SequenceCounter.Changes)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Value, lastUsed), cancellationToken);
        if (db.Database.IsNpgsql())
        {
            // No payload: a replica learns only that something committed, and reads what through the feed.
            await db.Database.ExecuteSqlRawAsync(NotifySql, cancellationToken);
        }
        else
        {
            CommitPulse.MarkAdvanced(db);
        }
    }

    private const string NotifySql = "SELECT pg_notify('" + NotifyChannel + "', '')";

    /// <summary>A transaction that hands the write gate on once it is disposed (every caller disposes it right after
    /// committing), whether or not disposing fails: a gate kept for ever would stop every writer of the process.</summary>
    private sealed class GatedTransaction(IDbContextTransaction inner, IDisposable turn) : IDbContextTransaction
    {
        public Guid TransactionId => inner.TransactionId;

        public void Commit() => inner.Commit();

        public Task CommitAsync(CancellationToken cancellationToken = default) => inner.CommitAsync(cancellationToken);

        public void Rollback() => inner.Rollback();

        public Task RollbackAsync(CancellationToken cancellationToken = default) => inner.RollbackAsync(cancellationToken);

        public void Dispose()
        {
            try
            {
                inner.Dispose();
            }
            finally
            {
                turn.Dispose();
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync();
            }
            finally
            {
                turn.Dispose();
            }
        }
    }
}
