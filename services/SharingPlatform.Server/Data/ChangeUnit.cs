using Microsoft.EntityFrameworkCore.Storage;
using SharingPlatform.Server.Audit;

namespace SharingPlatform.Server.Data;

/// <summary>
/// One write, the only way the platform changes its data: begin, lock the change sequence, write the rows, then
/// <see cref="CommitAsync"/> records the numbers used, saves, appends the audit event and commits, all or nothing.
/// Disposing it uncommitted rolls everything back (a refused request, a replay answered from its receipt).
/// <para>
/// A passing storage failure (SQLite busy or locked past its timeout, a PostgreSQL serialization failure or deadlock,
/// a lost connection) is not retried here: it rolls back and reaches the caller as UNAVAILABLE with reason
/// STORAGE_BUSY (<see cref="StorageErrors"/>), and the SDK sends the same request, with the same request_id, again.
/// Retrying inside would repeat work on entities the failed attempt already changed in memory.
/// </para>
/// </summary>
public sealed class ChangeUnit : IAsyncDisposable
{
    private readonly SharingDbContext _db;
    private readonly IDbContextTransaction _transaction;
    private readonly long _first;

    private ChangeUnit(SharingDbContext db, IDbContextTransaction transaction, long last)
    {
        _db = db;
        _transaction = transaction;
        _first = last;
        LastSeq = last;
    }

    /// <summary>The last change-sequence number used so far (committed before this unit, or taken by it).</summary>
    public long LastSeq { get; private set; }

    public static async Task<ChangeUnit> BeginAsync(SharingDbContext db, CancellationToken cancellationToken)
    {
        var transaction = await ChangeSequence.BeginAsync(db, cancellationToken);
        try
        {
            return new ChangeUnit(db, transaction, await ChangeSequence.LockAsync(db, cancellationToken));
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next change-sequence number, for a row this unit changes.</summary>
    public long NextSeq() => ++LastSeq;

    /// <summary>
    /// Records the numbers taken (which wakes following pulls once committed), saves tracked changes, appends
    /// <paramref name="entry"/> to the audit chain and commits them together. The commit itself does not listen to
    /// <paramref name="cancellationToken"/>: once everything is written, a caller that leaves (a sync killed, a
    /// deadline) finds its change stored, and the same request again is answered from its receipt. Cancelling the
    /// commit would fail it with an error log for what is a normal end of a call.
    /// </summary>
    public async Task CommitAsync(AuditChain audit, AuditEntry entry, CancellationToken cancellationToken)
    {
        if (LastSeq != _first)
        {
            await ChangeSequence.AdvanceAsync(_db, LastSeq, cancellationToken);
        }

        await _db.SaveChangesAsync(cancellationToken);
        await audit.AppendAsync(_db, entry, cancellationToken);
        await _transaction.CommitAsync(CancellationToken.None);
    }

    public ValueTask DisposeAsync() => _transaction.DisposeAsync();
}
