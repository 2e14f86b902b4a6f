using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Data;

namespace SharingPlatform.Server.Audit;

/// <summary>
/// The cheap check of the chain's end, run at start and whenever an append is refused: the head row must name the
/// last event, by number and hash, and that event must link to the one before. A head row left behind or a copied
/// last event makes every append collide, so the platform would fail every call; this check finds it first.
/// (<see cref="AuditLog.VerifyAsync"/> walks the whole chain.)
/// </summary>
public static class AuditHeadCheck
{
    /// <summary>Null when the end of the chain is sound; otherwise what is wrong, in sequence numbers only.</summary>
    public static async Task<string?> ProblemAsync(SharingDbContext db, CancellationToken cancellationToken)
    {
        var head = await db.AuditHeads.AsNoTracking().SingleAsync(h => h.Id == AuditHead.SingletonId, cancellationToken);
        var last = await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Seq).Take(2)
            .Select(e => new { e.Seq, e.Hash, e.PreviousHash }).ToListAsync(cancellationToken);
        if (last.Count == 0)
        {
            return head.Size == 0 ? null : $"the head row says {head.Size} events but the log holds none";
        }

        if (last[0].Seq != head.Size)
        {
            return $"the head row says {head.Size} events but the last event is number {last[0].Seq}";
        }

        if (!last[0].Hash.AsSpan().SequenceEqual(head.Hash))
        {
            return $"the head row's hash is not that of event {head.Size}";
        }

        return last.Count == 2 && (last[1].Seq != last[0].Seq - 1 || !last[0].PreviousHash.AsSpan().SequenceEqual(last[1].Hash))
            ? $"event {last[0].Seq} does not follow event {last[1].Seq}"
            : null;
    }
}

/// <summary>The audit chain cannot take events (<see cref="AuditChain.Fault"/>): the call it would record is not served.</summary>
public sealed class AuditUnavailableException(string fault) : Exception("The audit chain cannot take events: " + fault);
