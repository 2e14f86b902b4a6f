using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace SharingPlatform.Server.Data;

/// <summary>
/// On SQLite and SQL Server: pulses the process's <see cref="ChangeSignal"/> once a transaction that advanced the
/// change sequence has committed, never before, so that a woken follower finds the change. (PostgreSQL notifies every
/// replica from inside the transaction instead; see <see cref="ChangeSequence.AdvanceAsync"/>.)
/// </summary>
public sealed class CommitPulse(ChangeSignal signal) : DbTransactionInterceptor
{
    private static readonly object Marker = new();

    // Keyed by the transaction itself, so a transaction that rolls back or is disposed leaves nothing behind.
    private static readonly ConditionalWeakTable<DbTransaction, object> Advanced = new();

    /// <summary>Marks the current transaction of <paramref name="db"/> as one that advanced the change sequence.</summary>
    public static void MarkAdvanced(DbContext db) =>
        Advanced.AddOrUpdate(
            (db.Database.CurrentTransaction ?? throw new InvalidOperationException("The change sequence advances only inside a transaction.")).GetDbTransaction(),
            Marker);

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (Advanced.Remove(transaction))
        {
            signal.Pulse();
        }
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }
}
