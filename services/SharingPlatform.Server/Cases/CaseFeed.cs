using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Identity;
using SharingPlatform.Server.Sharing;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// Streams the caller's change feed: its own records and everything shared with it, in sequence order,
/// many changes per message, each message carrying the cursor after it.
/// <para>
/// A shared record is sent as the grantee may see it now. When it may not, a tombstone is sent only if the grantee
/// could hold a copy: some revision of the record up to the cursor matched an agreement that was live while that
/// revision was current, at or before the last point the cursor's pulls delivered anything
/// (<see cref="AgreementPolicy.CouldHaveShared"/>). Nothing else is ever named. When a grantor's live agreements
/// differ from those the cursor was judged at (created, revoked, started, expired), that grantor's older records are
/// re-judged first: backfill for what is newly granted, tombstones for what no longer is. Sequences follow commit
/// order (<see cref="ChangeSequence"/>).
/// </para>
/// </summary>
public sealed class CaseFeed(SharingDbContext db, CaseScope scope, ServerKeys keys, AuditChain audit, AuditTrail trail, TimeProvider time, LiveFeed follow)
{
    public const int DefaultBatch = 500;
    public const int MaxBatch = 1000;

    /// <summary>A message is sent before it would pass this size, well under the 4 MB clients accept by default.</summary>
    public const int MessageBudgetBytes = 3 * 1024 * 1024;

    private const int ScanChunk = 500;


    public async Task PullAsync(Caller caller, PullChangesRequest request, IServerStreamWriter<PullChangesResponse> stream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var slug = RequestNames.Tenant(request.Parent, "parent");

        if (slug != caller.TenantSlug)
        {
            RpcErrors.NotFound(request.Parent);
        }

        if (!PullCursor.TryParse(request.Cursor, keys, caller.TenantId, out var cursor))
        {
            RpcErrors.InvalidArgument("cursor", "INVALID_CURSOR", "Not a cursor this server issued to this tenant; start again with an empty cursor.");
        }

        if (request.BatchSize is < 0 or > MaxBatch)
        {
            RpcErrors.InvalidArgument("batch_size", "OUT_OF_RANGE", $"Must be 0 (default {DefaultBatch}) to {MaxBatch}.");
        }

        if (request.MaxChanges < 0)
        {
            RpcErrors.InvalidArgument("max_changes", "OUT_OF_RANGE", "Must be 0 (no limit) or more.");
        }

        var batch = request.BatchSize == 0 ? DefaultBatch : request.BatchSize;
        var remaining = request.MaxChanges == 0 ? long.MaxValue : request.MaxChanges;
        if (request.Follow)
        {
            await follow.RunAsync(caller, cursor, remaining,
                (writer, from, left, quiet) => PassAsync(caller, writer, from, batch, left, quiet, cancellationToken), stream, context);
            return;
        }

        await PassAsync(caller, stream, cursor, batch, remaining, quiet: false, cancellationToken);
    }

    /// <summary>
    /// One pass of the feed from <paramref name="cursor"/> up to the committed high-water mark: returns the cursor after
    /// it, the changes still allowed and whether it caught up. A <paramref name="quiet"/> pass (a following pull's
    /// later passes) sends no closing message when it found no change.
    /// </summary>
    private async Task<(PullCursor Cursor, long Remaining, bool CaughtUp)> PassAsync(Caller caller, IServerStreamWriter<PullChangesResponse> stream,
        PullCursor cursor, int batch, long remaining, bool quiet, CancellationToken cancellationToken)
    {
        var cursorKey = PullCursor.Key(keys);
        // The high-water mark first, then the time: every revision up to it was written (its time taken) before now.
        var high = await ChangeSequence.CommittedAsync(db, cancellationToken);
        var now = time.UtcNow();
        // Each message is recorded before it is sent: a pull that cannot be audited stops, and sends nothing more.
        var outbox = new Outbox(stream, batch, cursorKey, caller.TenantId, async message =>
        {
            await audit.AppendAloneAsync(new AuditEntry(caller.ClientId, caller.TenantSlug, "sharing.v1.CaseService/PullChanges",
                [.. message.Changes.Select(c => c.Name)], trail.Purpose, "OK", ""), cancellationToken);
            trail.Written = true;
            trail.Purposes.Clear(); // purposes are recorded per message

        }, cancellationToken);
        var grantors = (await scope.IncomingAgreementsAsync(caller, cancellationToken))
            .Where(a => a.Agreement.CreateSeq <= high)
            .GroupBy(a => (a.Agreement.GrantorTenantId, a.GrantorSlug))
            .Select(g => new Grantor(
                g.Key.GrantorTenantId,
                g.Key.GrantorSlug,
                scope.SharedView(caller, g.Key.GrantorSlug, g.Select(a => a.Agreement), high, now),
                scope.SharedView(caller, g.Key.GrantorSlug, g.Select(a => a.Agreement), cursor.JudgedSeq, cursor.JudgedTime),
                [.. g.Select(a => a.Agreement)]))
            .ToDictionary(g => g.TenantId);
        var changed = grantors.Values.Where(g => g.AgreementsChangedSince(cursor, high, now)).ToList();

        // Phase 1: grantors whose live agreements changed since the cursor was judged. Their records up to the
        // cursor are re-judged; the cursor does not move, so an interrupted resync is simply redone. Its messages do
        // mark that records were delivered now, so that what they carried can be taken back later.
        var resyncing = cursor with { SeenSeq = high, SeenTime = now };
        foreach (var grantor in changed)
        {
            for (var lastId = 0L; ;)
            {
                var rows = await db.Cases.AsNoTracking()
                    .Where(c => c.TenantId == grantor.TenantId && c.Seq <= cursor.Seq && c.Id > lastId)
                    .OrderBy(c => c.Id).Take(ScanChunk).ToListAsync(cancellationToken);
                await JudgeAllAsync(rows, grantors, caller, cursor, now, change => outbox.AddAsync(change, resyncing), cancellationToken);
                lastId = rows.LastOrDefault()?.Id ?? lastId;
                if (rows.Count < ScanChunk)
                {
                    break;
                }
            }
        }

        // Phase 2: every change after the cursor, in sequence order, up to the committed high-water mark.
        var tenantIds = grantors.Keys.Append(caller.TenantId).ToList();
        var position = cursor.Seq;
        while (remaining > 0)
        {
            var rows = await db.Cases.AsNoTracking()
                .Where(c => tenantIds.Contains(c.TenantId) && c.Seq > position && c.Seq <= high)
                .OrderBy(c => c.Seq).Take(ScanChunk).ToListAsync(cancellationToken);
            var examined = 0;
            await JudgeAllAsync(rows, grantors, caller, cursor, now, async change =>
            {
                await outbox.AddAsync(change, PullCursor.At(position, high, now));
                remaining--;
            }, cancellationToken, row =>
            {
                if (remaining == 0)
                {
                    return false;
                }

                position = row.Seq;
                examined++;
                return true;
            });

            if (remaining > 0 && rows.Count < ScanChunk)
            {
                position = high; // every row up to the high-water mark was examined
                break;
            }

            if (examined < rows.Count)
            {
                break;
            }
        }

        var final = PullCursor.At(position, high, now);
        await outbox.FinishAsync(final, caughtUp: position == high, quiet);
        return (final, remaining, position == high);
    }

    /// <summary>
    /// Judges <paramref name="rows"/> in order and emits a change for each that has one. <paramref name="before"/>
    /// runs before each row and may stop the walk.
    /// </summary>
    private async Task JudgeAllAsync(List<CaseEntity> rows, Dictionary<long, Grantor> grantors, Caller caller, PullCursor cursor, DateTime now,
        Func<Change, Task> emit, CancellationToken cancellationToken, Func<CaseEntity, bool>? before = null)
    {
        // A fresh puller (cursor 0) holds nothing and gets no tombstones. Otherwise every revision of a hidden row is
        // read, as the span of each ends where the next begins.
        var hidden = rows.Where(r => r.TenantId != caller.TenantId && grantors[r.TenantId].Now?.Project(r) is null).Select(r => r.Id).ToList();
        var revisions = hidden.Count == 0 || cursor.Seq == 0 ? [] : await db.CaseRevisions.AsNoTracking()
            .Where(r => hidden.Contains(r.CaseRowId))
            .ToListAsync(cancellationToken);
        var history = revisions.ToLookup(r => r.CaseRowId);
        foreach (var row in rows)
        {
            if (before is not null && !before(row))
            {
                return;
            }

            var change = row.TenantId == caller.TenantId
                ? CaseMapping.ToChange(row, caller.TenantSlug)
                : Judge(row, grantors[row.TenantId], history[row.Id], caller, cursor, now);
            if (change is not null)
            {
                await emit(change);
            }
        }
    }

    /// <summary>The change a grantee gets for one of a grantor's rows, or null when it gets nothing.</summary>
    private static Change? Judge(CaseEntity row, Grantor grantor, IEnumerable<CaseRevision> history, Caller caller, PullCursor cursor, DateTime now)
    {
        if (grantor.Now?.Project(row) is { } record)
        {
            return new Change { Name = record.Name, Record = record };
        }

        // Only revisions up to the cursor: the grantee applied each message's changes with its cursor, so any copy
        // it holds is of such a revision.
        var couldHold = RevisionSpan.Of(history).Any(r => r.Revision.Seq <= cursor.Seq && grantor.All.Any(a =>
            AgreementPolicy.Matches(a, r.Revision, caller.TenantKind) && AgreementPolicy.CouldHaveShared(a, r.Span, cursor.SeenSeq, cursor.SeenTime)));
        if (!couldHold)
        {
            return null;
        }

        var name = CaseNames.Format(grantor.Slug, row.CaseId);
        // No etag: the version number would tell the former grantee how often the record changed since.
        var tombstone = new Tombstone
        {
            Name = name,
            Reason = row.Retracted ? TombstoneReason.Retracted : TombstoneReason.NoLongerShared,
            DeleteTime = Timestamp.FromDateTime(row.Retracted ? row.UpdateTime : now),
        };
        return new Change { Name = name, Tombstone = tombstone };
    }

    /// <param name="Now">What the grantee may see now.</param>
    /// <param name="Then">What it could see when its cursor was judged.</param>
    /// <param name="All">Every agreement from this grantor to the caller created up to now, live or not.</param>
    private sealed record Grantor(long TenantId, string Slug, TenantView? Now, TenantView? Then, IReadOnlyList<AgreementEntity> All)
    {
        /// <summary>
        /// Whether anything happened to this grantor's agreements after the cursor was judged: created, revoked,
        /// started or ended. Not only a different live set: an agreement created and revoked in between may have
        /// delivered records (in an interrupted resync) that must now be taken back.
        /// </summary>
        public bool AgreementsChangedSince(PullCursor cursor, long high, DateTime now) =>
            !(Now?.Agreements.Select(a => a.Id) ?? []).Order().SequenceEqual((Then?.Agreements.Select(a => a.Id) ?? []).Order())
            || All.Any(a => a.CreateSeq > cursor.JudgedSeq
                || (a.RevokeSeq is { } revoked && revoked > cursor.JudgedSeq && revoked <= high)
                || (a.ValidFrom > cursor.JudgedTime && a.ValidFrom <= now)
                || (a.ValidUntil > cursor.JudgedTime && a.ValidUntil <= now));
    }

    /// <summary>Collects changes into messages bounded by count and bytes; each message carries the cursor after its last change.</summary>
    private sealed class Outbox(
        IServerStreamWriter<PullChangesResponse> stream, int batch, byte[] cursorKey, long tenantId,
        Func<PullChangesResponse, Task> beforeSend, CancellationToken cancellationToken)
    {
        private PullChangesResponse _message = new();
        private PullCursor _after;
        private int _size;

        public async Task AddAsync(Change change, PullCursor after)
        {
            var size = change.CalculateSize();
            if (_message.Changes.Count > 0 && (_size + size > MessageBudgetBytes || _message.Changes.Count >= batch))
            {
                await SendAsync(_after);
                _message = new PullChangesResponse();
                _size = 0;
            }

            _message.Changes.Add(change);
            _after = after;
            _size += size;
        }

        public async Task FinishAsync(PullCursor final, bool caughtUp, bool quiet)
        {
            if (quiet && _message.Changes.Count == 0)
            {
                return;
            }

            _message.CaughtUp = caughtUp;
            await SendAsync(final);
        }

        // The cursor is sealed once per message, not per change.
        private async Task SendAsync(PullCursor after)
        {
            _message.NextCursor = after.Format(cursorKey, tenantId);
            await beforeSend(_message);
            await stream.WriteAsync(_message, cancellationToken);
        }
    }
}
