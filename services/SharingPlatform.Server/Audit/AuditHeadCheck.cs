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
        // One statement, so one snapshot: an append that commits meanwhile cannot make a sound chain look damaged.
        var events = db.AuditEvents.OrderByDescending(e => e.Seq);
        var end = await db.AuditHeads.AsNoTracking().Where(h => h.Id == AuditHead.SingletonId).Select(h => new
        {
            h.Size,
            h.Hash,
            LastSeq = events.Select(e => (long?)e.Seq).FirstOrDefault(),
            LastHash = events.Select(e => e.Hash).FirstOrDefault(),
            LastPrevious = events.Select(e => e.PreviousHash).FirstOrDefault(),
            BeforeSeq = events.Skip(1).Select(e => (long?)e.Seq).FirstOrDefault(),
            BeforeHash = events.Skip(1).Select(e => e.Hash).FirstOrDefault(),
        }).SingleOrDefaultAsync(cancellationToken);
        if (end is null)
        {
            return "the head row is missing";
        }

        if (end.LastSeq is not { } last)
        {
            return end.Size == 0 ? null : $"the head row says {end.Size} events but the log holds none";
        }

        if (last != end.Size)
        {
            return $"the head row says {end.Size} events but the last event is number {last}";
        }

        if (!end.LastHash!.AsSpan().SequenceEqual(end.Hash))
        {
            return $"the head row's hash is not that of event {end.Size}";
        }

        return end.BeforeSeq is { } before && (before != last - 1 || !end.LastPrevious!.AsSpan().SequenceEqual(end.BeforeHash))
            ? $"event {last} does not follow event {before}"
            : null;
    }
}

/// <summary>The audit chain cannot take events (<see cref="AuditChain.Fault"/>): the call it would record is not served.</summary>
public sealed class AuditUnavailableException(string fault) : Exception("The audit chain cannot take events: " + fault);
