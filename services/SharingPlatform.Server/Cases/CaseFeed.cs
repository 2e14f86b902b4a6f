using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Sharing;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// Streams the caller's change feed: its own records and everything shared with it, in sequence order,
/// many changes per message, each message carrying the cursor after it.
/// <para>
/// A shared record is sent as the grantee may see it now. It is sent as a tombstone when the grantee could
/// have held it at the cursor (judged from the record's revision and the agreements live then) and may
/// not now. When the set of agreements from a grantor changed since the cursor (created, revoked, started,
/// expired), that grantor's older records are re-judged first: backfill for what is newly granted,
/// tombstones for what no longer is. Sequences are assigned in commit order (<see cref="ChangeSequence"/>).
/// </para>
/// </summary>
public sealed class CaseFeed(SharingDbContext db, CaseScope scope, TimeProvider time)
{
    public const int DefaultBatch = 500;
    public const int MaxBatch = 1000;

    /// <summary>A message is sent before it would pass this size, well under the 4 MB clients accept by default.</summary>
    public const int MessageBudgetBytes = 3 * 1024 * 1024;

    private const int ScanChunk = 500;

    public async Task PullAsync(Caller caller, PullChangesRequest request, IServerStreamWriter<PullChangesResponse> stream, CancellationToken cancellationToken)
    {
        if (!TenantNames.TryParse(request.Parent, out var slug))
        {
            RpcErrors.InvalidArgument("parent", "INVALID_FORMAT", "Must be tenants/{tenant}.");
        }

        if (slug != caller.TenantSlug)
        {
            RpcErrors.NotFound(request.Parent);
        }

        if (!PullCursor.TryParse(request.Cursor, out var cursor))
        {
            RpcErrors.InvalidArgument("cursor", "INVALID_CURSOR", "Not a cursor this server issued; start again with an empty cursor.");
        }

        if (request.BatchSize is < 0 or > MaxBatch)
        {
            RpcErrors.InvalidArgument("batch_size", "OUT_OF_RANGE", $"Must be 0 (default {DefaultBatch}) to {MaxBatch}.");
        }

        if (request.MaxChanges < 0)
        {
            RpcErrors.InvalidArgument("max_changes", "OUT_OF_RANGE", "Must be 0 (no limit) or more.");
        }

        var now = time.UtcNow();
        var high = await ChangeSequence.CommittedAsync(db, cancellationToken);
        var outbox = new Outbox(stream, request.BatchSize == 0 ? DefaultBatch : request.BatchSize, cancellationToken);
        var grantors = (await scope.IncomingAgreementsAsync(caller, cancellationToken))
            .GroupBy(a => (a.Agreement.GrantorTenantId, a.GrantorSlug))
            .Select(g => new Grantor(
                g.Key.GrantorTenantId,
                CaseScope.SharedView(caller, g.Key.GrantorSlug, g.Select(a => a.Agreement), high, now),
                CaseScope.SharedView(caller, g.Key.GrantorSlug, g.Select(a => a.Agreement), cursor.Seq, cursor.Time)))
            .Where(g => g.Now is not null || g.Then is not null)
            .ToDictionary(g => g.TenantId);

        // Phase 1: grantors whose agreements changed since the cursor; their records up to the cursor are
        // unchanged since, so their current state is their state at the cursor. The cursor does not move:
        // an interrupted resync is simply redone.
        foreach (var grantor in grantors.Values.Where(g => g.AgreementsChanged))
        {
            for (var lastId = 0L; ;)
            {
                var rows = await db.Cases.AsNoTracking()
                    .Where(c => c.TenantId == grantor.TenantId && c.Seq <= cursor.Seq && c.Id > lastId)
                    .OrderBy(c => c.Id).Take(ScanChunk).ToListAsync(cancellationToken);
                foreach (var row in rows)
                {
                    lastId = row.Id;
                    if (Judge(row, grantor, thenFacts: row, now) is { } change)
                    {
                        await outbox.AddAsync(change, cursor);
                    }
                }

                if (rows.Count < ScanChunk)
                {
                    break;
                }
            }
        }

        // Phase 2: every change after the cursor, in sequence order, up to the committed high-water mark.
        var own = CaseScope.OwnView(caller);
        var tenantIds = grantors.Keys.Append(caller.TenantId).ToList();
        var position = cursor.Seq;
        var remaining = request.MaxChanges == 0 ? long.MaxValue : request.MaxChanges;
        while (remaining > 0)
        {
            var rows = await db.Cases.AsNoTracking()
                .Where(c => tenantIds.Contains(c.TenantId) && c.Seq > position && c.Seq <= high)
                .OrderBy(c => c.Seq).Take(ScanChunk).ToListAsync(cancellationToken);
            var then = await FactsAtAsync(rows.Where(r => r.TenantId != caller.TenantId).Select(r => r.Id).ToList(), cursor.Seq, cancellationToken);
            foreach (var row in rows)
            {
                position = row.Seq;
                var change = row.TenantId == caller.TenantId
                    ? CaseMapping.ToChange(row, own.Slug)
                    : Judge(row, grantors[row.TenantId], then.GetValueOrDefault(row.Id), now);
                if (change is not null)
                {
                    await outbox.AddAsync(change, new PullCursor(position, now));
                    if (--remaining == 0)
                    {
                        break;
                    }
                }
            }

            if (remaining > 0 && rows.Count < ScanChunk)
            {
                position = high; // every row up to the high-water mark was examined
                break;
            }
        }

        await outbox.FinishAsync(new PullCursor(position, now), caughtUp: position == high);
    }

    /// <summary>The change a grantee gets for one of a grantor's rows, or null when it gets nothing.</summary>
    private static Change? Judge(CaseEntity row, Grantor grantor, ICaseFacts? thenFacts, DateTime now)
    {
        if (grantor.Now?.Project(row) is { } record)
        {
            return new Change { Name = record.Name, Record = record };
        }

        if (thenFacts is null || grantor.Then is null || !grantor.Then.Visible(thenFacts))
        {
            return null;
        }

        var tombstone = row.Retracted
            ? CaseMapping.ToTombstone(row, grantor.Then.Slug)
            : new Tombstone
            {
                Name = CaseNames.Format(grantor.Then.Slug, row.CaseId),
                Reason = TombstoneReason.NoLongerShared,
                DeleteTime = Timestamp.FromDateTime(now),
                Etag = row.Etag,
            };
        return new Change { Name = tombstone.Name, Tombstone = tombstone };
    }

    /// <summary>Each row's shareable facts as of sequence <paramref name="seq"/> (absent if it did not exist then).</summary>
    private async Task<Dictionary<long, CaseRevision>> FactsAtAsync(List<long> rowIds, long seq, CancellationToken cancellationToken)
    {
        if (rowIds.Count == 0 || seq == 0)
        {
            return [];
        }

        var revisions = await db.CaseRevisions.AsNoTracking()
            .Where(r => rowIds.Contains(r.CaseRowId) && r.Seq <= seq)
            .ToListAsync(cancellationToken);
        return revisions.GroupBy(r => r.CaseRowId).ToDictionary(g => g.Key, g => g.MaxBy(r => r.Seq)!);
    }

    private sealed record Grantor(long TenantId, TenantView? Now, TenantView? Then)
    {
        public bool AgreementsChanged =>
            !(Now?.Agreements.Select(a => a.Id) ?? []).Order().SequenceEqual((Then?.Agreements.Select(a => a.Id) ?? []).Order());
    }

    /// <summary>Collects changes into messages bounded by count and bytes; each message carries the cursor after its last change.</summary>
    private sealed class Outbox(IServerStreamWriter<PullChangesResponse> stream, int batch, CancellationToken cancellationToken)
    {
        private PullChangesResponse _message = new();
        private int _size;

        public async Task AddAsync(Change change, PullCursor after)
        {
            var size = change.CalculateSize();
            if (_message.Changes.Count > 0 && (_size + size > MessageBudgetBytes || _message.Changes.Count >= batch))
            {
                await stream.WriteAsync(_message, cancellationToken);
                _message = new PullChangesResponse();
                _size = 0;
            }

            _message.Changes.Add(change);
            _message.NextCursor = after.ToString();
            _size += size;
        }

        public async Task FinishAsync(PullCursor final, bool caughtUp)
        {
            _message.NextCursor = final.ToString();
            _message.CaughtUp = caughtUp;
            await stream.WriteAsync(_message, cancellationToken);
        }
    }
}
