using System.Runtime.ExceptionServices;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
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
/// re-judged first (a resync): backfill for what is newly granted, tombstones for what no longer is, the new
/// projection where the governing agreement changed. Sequences follow commit order (<see cref="ChangeSequence"/>).
/// </para>
/// <para>
/// Every read goes through <see cref="CaseScope"/>, which lets the database filter with the sharing policy, in windows
/// of <see cref="Window"/> sequence positions; one call walks at most <see cref="FeedOptions.ScanBudget"/> positions. The resync
/// honours <c>max_changes</c> and the scan budget like the rest, and its progress is in every message's cursor, so a
/// call cut short (by either, or by a dropped connection) resumes without resending what it delivered.
/// </para>
/// </summary>
public sealed class CaseFeed(SharingDbContext db, CaseScope scope, ServerKeys keys, AuditChain audit, AuditTrail trail, TimeProvider time, LiveFeed follow, IOptions<FeedOptions> options, Observability.PlatformMetrics metrics)
{
    public const int DefaultBatch = 500;
    public const int MaxBatch = 1000;

    /// <summary>A message is sent before it would pass this size, well under the 4 MB clients accept by default.</summary>
    public const int MessageBudgetBytes = 3 * 1024 * 1024;

    /// <summary>Sequence positions read per query: bounds what one query examines and holds.</summary>
    public const long Window = 2000;


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

        if (request.MaxChanges < 0)
        {
            RpcErrors.InvalidArgument("max_changes", "OUT_OF_RANGE", "Must be 0 (no limit) or more.");
        }

        var batch = PageSizes.Resolve(request.BatchSize, "batch_size", DefaultBatch, MaxBatch);
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
    /// One pass of the feed from <paramref name="cursor"/> up to the committed high-water mark (or the call's limits):
    /// returns the cursor after it, the changes still allowed and whether it caught up. A <paramref name="quiet"/> pass
    /// (a following pull's later passes) sends no closing message when it found no change.
    /// </summary>
    private async Task<(PullCursor Cursor, long Remaining, bool CaughtUp)> PassAsync(Caller caller, IServerStreamWriter<PullChangesResponse> stream,
        PullCursor cursor, int batch, long remaining, bool quiet, CancellationToken cancellationToken)
    {
        // Each message is recorded before it is sent: a pull that cannot be audited stops, and sends nothing more.
        var outbox = new Outbox(stream, batch, PullCursor.Key(keys), caller.TenantId, trail, metrics, async (message, purpose) =>
        {
            await audit.AppendAloneAsync(new AuditEntry(caller.ClientId, caller.TenantSlug, "sharing.v1.CaseService/PullChanges",
                [.. message.Changes.Select(c => c.Name)], purpose, "OK", ""), cancellationToken);
            trail.Written = true;
        }, cancellationToken);
        var pass = new Pass(caller, cursor, outbox, remaining);
        PullCursor final;
        bool caughtUp;
        try
        {
            (final, caughtUp) = await WalkAsync(pass, cancellationToken);
            await outbox.FinishAsync(final, caughtUp, quiet);
            if (quiet && pass.Newest != default)
            {
                metrics.FeedLag(time.UtcNow() - pass.Newest); // a later pass of a following pull: its changes are new
            }
        }
        catch
        {
            // Nothing may write to the stream once the call has ended; a message that failed to be recorded or written
            // is the call's failure, whatever stopped the walk after it.
            await outbox.SettleAsync();
            throw;
        }

        return (final, pass.Remaining, caughtUp);
    }

    /// <summary>One walk of the feed from <see cref="Pass.Cursor"/>: the resync if one is due, then the changes after
    /// the cursor up to the committed high-water mark. Returns the cursor reached and whether it is caught up.</summary>
    private async Task<(PullCursor Cursor, bool CaughtUp)> WalkAsync(Pass pass, CancellationToken cancellationToken)
    {
        var (caller, cursor) = (pass.Caller, pass.Cursor);
        // The high-water mark first, then the time: every revision up to it was written (its time taken) before now.
        var high = await ChangeSequence.CommittedAsync(db, cancellationToken);
        // Never before a point the cursor was judged or seen at: a clock that stepped back (or a replica behind
        // another) would otherwise judge the agreements at an earlier time than the grantee's copy was.
        var now = Latest(time.UtcNow(), cursor.JudgedTime, cursor.ResyncTime, cursor.SeenTime == DateTime.MaxValue ? DateTime.MinValue : cursor.SeenTime);
        var grantors = (await scope.IncomingAgreementsAsync(caller, cancellationToken))
            .Where(a => a.Agreement.CreateSeq <= high)
            .GroupBy(a => (a.Agreement.GrantorTenantId, a.GrantorSlug))
            .Select(g => new Grantor(g.Key.GrantorTenantId, g.Key.GrantorSlug, [.. g.Select(a => a.Agreement)]))
            .ToList();
        foreach (var grantor in grantors)
        {
            var live = grantor.LiveAt(high, now);
            grantor.Now = live.Count == 0 ? null : scope.SharedView(caller, grantor.TenantId, grantor.Slug, live);
        }

        if (cursor == PullCursor.Start)
        {
            cursor = cursor with { FromSeq = high, FromTime = now }; // this cursor's history begins here
        }

        var byId = grantors.ToDictionary(g => g.TenantId);
        var judge = new Judge(scope, caller, cursor, byId, now);

        // Phase 1: a resync of the grantors whose agreements changed since the cursor was judged. It goes on from
        // where an earlier call left it, unless the agreements changed again since; then it starts over, looking at
        // every record of those grantors (the earlier one left some judged at a point that no longer holds).
        // A resync under way is never dropped: should no grantor show a change (it cannot, with the clock clamped
        // above), every grantor is judged again.
        var changed = grantors.Where(g => g.ChangedBetween(cursor.JudgedSeq, cursor.JudgedTime, high, now)).ToList();
        if (changed.Count == 0 && cursor.Resyncing)
        {
            changed = grantors;
        }

        if (changed.Count > 0)
        {
            var goOn = cursor.Resyncing && !grantors.Any(g => g.ChangedBetween(cursor.ResyncSeq, cursor.ResyncTime, high, now));
            // Looking at every record is needed when some records up to the cursor may be held as judged at another
            // point than JudgedSeq: after an interrupted resync (this one overtaken), or with a cursor of an earlier
            // version cut mid-resync or one that never knew (its seen point differs from its judged point).
            var all = cursor.Resyncing || cursor.SeenSeq != cursor.JudgedSeq || cursor.SeenTime != cursor.JudgedTime;
            var state = goOn
                ? cursor with { SeenSeq = high, SeenTime = now }
                : cursor with { SeenSeq = high, SeenTime = now, ResyncPos = 0, ResyncSeq = high, ResyncTime = now, ResyncAll = all };
            var liveNow = changed.SelectMany(g => g.LiveAt(high, now)).ToList();
            var liveThen = changed.SelectMany(g => g.LiveAt(cursor.JudgedSeq, cursor.JudgedTime)).ToList();
            var since = changed.SelectMany(g => g.All).Where(a => a.CreateSeq > cursor.JudgedSeq).ToList();
            var ids = changed.Select(g => g.TenantId).ToList();
            if (await WalkWindowsAsync(pass, judge, state.ResyncPos, cursor.Seq,
                    (from, to) => scope.ResyncAsync(caller, liveNow, liveThen, since, ids, state.ResyncAll, from, to, cancellationToken),
                    row => state with { ResyncPos = row.Seq }, cancellationToken) is { } stoppedAt)
            {
                return (state with { ResyncPos = stoppedAt }, false);
            }

            // Every record up to the cursor is now as the agreements live at the resync's point show it, and those are
            // the agreements live now (else it would have started over).
            cursor = cursor with { JudgedSeq = state.ResyncSeq, JudgedTime = state.ResyncTime, ResyncPos = 0, ResyncSeq = 0, ResyncTime = default, ResyncAll = false };
        }

        // Phase 2: every change after the cursor, in sequence order, up to the committed high-water mark.
        var allLive = grantors.SelectMany(g => g.Now?.Agreements ?? []).ToList();
        var grantorIds = grantors.Select(g => g.TenantId).ToList();
        if (await WalkWindowsAsync(pass, judge, cursor.Seq, high,
                (from, to) => scope.ChangesAsync(caller, allLive, grantorIds, cursor.Seq, from, to, cancellationToken),
                row => cursor.At(row.Seq, high, now), cancellationToken) is { } stopped)
        {
            return (cursor.At(stopped, high, now), false);
        }

        return (cursor.At(Math.Max(cursor.Seq, high), high, now), true);
    }

    /// <summary>
    /// Walks the sequence positions (<paramref name="from"/>, <paramref name="to"/>] a window at a time, sending what
    /// <paramref name="read"/> returns for each. Returns where it stopped when the call's scan budget or max_changes ran
    /// out first, else null.
    /// </summary>
    private async Task<long?> WalkWindowsAsync(Pass pass, Judge judge, long from, long to, Func<long, long, Task<List<ScopedCase>>> read,
        Func<CaseEntity, PullCursor> after, CancellationToken cancellationToken)
    {
        for (var position = from; position < to;)
        {
            if (pass.Scanned >= options.Value.ScanBudget)
            {
                return position;
            }

            var end = Math.Min(position + Window, to);
            var rows = await read(position, end);
            pass.Scanned += end - position;
            if (await judge.EmitAsync(rows, pass, after, cancellationToken) is { } stoppedAt)
            {
                return stoppedAt;
            }

            position = end;
        }

        return null;
    }

    private static DateTime Latest(params DateTime[] times) => times.Max();

    /// <summary>What one call has left: the changes it may still send, the positions it has walked.</summary>
    private sealed class Pass(Caller caller, PullCursor cursor, Outbox outbox, long remaining)
    {
        public Caller Caller { get; } = caller;

        public PullCursor Cursor { get; } = cursor;

        public Outbox Outbox { get; } = outbox;

        public long Remaining { get; set; } = remaining;

        public long Scanned { get; set; }

        /// <summary>The write time of the newest change after <see cref="Cursor"/> sent (not a resync's), for the feed lag.</summary>
        public DateTime Newest { get; set; }
    }

    /// <summary>Decides what the puller gets for each row and sends it.</summary>
    private sealed class Judge(CaseScope scope, Caller caller, PullCursor cursor, Dictionary<long, Grantor> grantors, DateTime now)
    {
        /// <summary>
        /// Sends the change, if any, for each row in order, with the cursor <paramref name="after"/> gives. Returns the
        /// sequence of the last row sent when the call's <c>max_changes</c> ran out with rows left, else null.
        /// </summary>
        public async Task<long?> EmitAsync(List<ScopedCase> rows, Pass pass, Func<CaseEntity, PullCursor> after, CancellationToken cancellationToken)
        {
            // A fresh puller (cursor 0) holds nothing and gets no tombstones. Otherwise every revision of a hidden row is
            // read, as the span of each ends where the next begins.
            var hidden = cursor.Seq == 0 ? [] : rows.Where(r => r.Row.TenantId != caller.TenantId && r.Governing == 0).Select(r => r.Row.Id).ToList();
            var history = await scope.HistoryAsync(hidden, cancellationToken);
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                var change = row.Row.TenantId == caller.TenantId
                    ? CaseMapping.ToChange(row.Row, caller.TenantSlug)
                    : Decide(row, grantors[row.Row.TenantId], history[row.Row.Id]);
                if (change is null)
                {
                    continue;
                }

                await pass.Outbox.AddAsync(change, after(row.Row));
                if (row.Row.Seq > pass.Cursor.Seq && row.Row.UpdateTime > pass.Newest)
                {
                    pass.Newest = row.Row.UpdateTime;
                }

                if (--pass.Remaining == 0 && i < rows.Count - 1)
                {
                    return row.Row.Seq;
                }
            }

            return pass.Remaining == 0 && rows.Count > 0 ? rows[^1].Row.Seq : null;
        }

        /// <summary>The change a grantee gets for one of a grantor's rows, or null when it gets nothing.</summary>
        private Change? Decide(ScopedCase row, Grantor grantor, IEnumerable<CaseRevision> history)
        {
            if (grantor.Now?.Project(row.Row, row.Governing) is { } record)
            {
                return new Change { Name = record.Name, Record = record };
            }

            if (cursor.Seq == 0)
            {
                return null;
            }

            // Only revisions up to the cursor: the grantee applied each message's changes with its cursor, so any copy
            // it holds is of such a revision.
            var couldHold = RevisionSpan.Of(history).Any(r => r.Revision.Seq <= cursor.Seq && Shared(grantor, r.Revision.ToFacts(), r.Span));
            if (!couldHold)
            {
                return null;
            }

            var name = CaseNames.Format(grantor.Slug, row.Row.CaseId);
            // No etag: the version number would tell the former grantee how often the record changed since.
            var tombstone = new Tombstone
            {
                Name = name,
                Reason = row.Row.Retracted ? TombstoneReason.Retracted : TombstoneReason.NoLongerShared,
                DeleteTime = Timestamp.FromDateTime(row.Row.Retracted ? row.Row.UpdateTime : now),
            };
            return new Change { Name = name, Tombstone = tombstone };
        }

        private bool Shared(Grantor grantor, CaseEntity facts, RevisionSpan span) => grantor.All.Any(a =>
            AgreementPolicy.MatchesInMemory(a, facts, caller.TenantKind) && AgreementPolicy.CouldHaveShared(a, span, cursor));
    }

    /// <param name="All">Every agreement from this grantor to the caller created up to now, live or not.</param>
    private sealed record Grantor(long TenantId, string Slug, IReadOnlyList<AgreementEntity> All)
    {
        /// <summary>What the grantee may see now; null when nothing.</summary>
        public TenantView? Now { get; set; }

        public List<AgreementEntity> LiveAt(long seq, DateTime at) =>
            [.. All.Where(a => AgreementPolicy.SharesRecords(a) && AgreementPolicy.IsLiveAt(a, seq, at))];

        /// <summary>
        /// Whether anything happened to this grantor's agreements between (<paramref name="fromSeq"/>, <paramref name="fromTime"/>)
        /// and (<paramref name="high"/>, <paramref name="now"/>): created, revoked, started or ended. Not only a different
        /// live set: an agreement created and revoked in between may have delivered records (in an interrupted resync)
        /// that must now be taken back.
        /// </summary>
        public bool ChangedBetween(long fromSeq, DateTime fromTime, long high, DateTime now) =>
            !LiveAt(high, now).Select(a => a.Id).Order().SequenceEqual(LiveAt(fromSeq, fromTime).Select(a => a.Id).Order())
            || All.Any(a => a.CreateSeq > fromSeq
                || (a.RevokeSeq is { } revoked && revoked > fromSeq && revoked <= high)
                || (a.ValidFrom > fromTime && a.ValidFrom <= now)
                || (a.ValidUntil > fromTime && a.ValidUntil <= now));
    }

    /// <summary>
    /// Collects changes into messages bounded by count and bytes; each message carries the cursor after its last change.
    /// A full message is recorded, then written, in the background while the walk goes on to fill the next one: at most
    /// two messages are in flight (one being written while the next is recorded), and a failure to record or write one
    /// stops the walk at the next change.
    /// </summary>
    private sealed class Outbox(
        IServerStreamWriter<PullChangesResponse> stream, int batch, byte[] cursorKey, long tenantId, AuditTrail trail, Observability.PlatformMetrics metrics,
        Func<PullChangesResponse, string, Task> record, CancellationToken cancellationToken)
    {
        private PullChangesResponse _message = new();
        private readonly SortedSet<string> _purposes = new(StringComparer.Ordinal);
        private PullCursor _after;
        private int _size;
        // The last message's recording, and its writing (which follows its recording and the message before's writing).
        private Task _recorded = Task.CompletedTask;
        private Task _written = Task.CompletedTask;
        private Task _writtenBefore = Task.CompletedTask;
        private string _inFlightPurposes = "";
        private string _inFlightPurposesBefore = "";

        public async Task AddAsync(Change change, PullCursor after)
        {
            if (_written.IsFaulted)
            {
                await _written; // stop at once: a message in flight could not be recorded or written
            }

            var size = change.CalculateSize();
            if (_message.Changes.Count > 0 && (_size + size > MessageBudgetBytes || _message.Changes.Count >= batch))
            {
                await SendAsync(_after);
            }

            // The purposes the trail gathered since the last change are this change's (the agreement it was shared
            // through), so they go with the message it joins.
            _message.Changes.Add(change);
            _purposes.UnionWith(trail.Purposes);
            trail.Purposes.Clear();
            _after = after;
            _size += size;
        }

        public async Task FinishAsync(PullCursor final, bool caughtUp, bool quiet)
        {
            if (!quiet || _message.Changes.Count > 0)
            {
                _message.CaughtUp = caughtUp;
                await SendAsync(final);
            }

            await _written;
        }

        /// <summary>
        /// For a walk that failed: waits for the message in flight, and throws its failure, if any other than a
        /// cancellation, in place of the walk's. The purposes of records read but not sent go back to the trail, for
        /// the failed call's own event.
        /// </summary>
        public async Task SettleAsync()
        {
            trail.Purposes.UnionWith(_purposes);
            await Task.WhenAny(_written);
            if (_written.IsFaulted)
            {
                // The messages in flight may not have been recorded: their purposes go with the failed call's event.
                trail.Purposes.UnionWith($"{_inFlightPurposes},{_inFlightPurposesBefore}".Split(',', StringSplitOptions.RemoveEmptyEntries));
            }

            if (_written.Exception?.InnerException is { } failure and not OperationCanceledException)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }

        // The cursor is sealed once per message, not per change.
        //
        // Messages are recorded one after the other, and each is written once it is recorded and the one before it
        // is written; so message k is written while message k + 1 is recorded and the walk fills message k + 2, and a
        // message whose recording fails is neither written nor followed by any other. At most two are in flight.
        private async Task SendAsync(PullCursor after)
        {
            var message = _message;
            message.NextCursor = after.Format(cursorKey, tenantId);
            var purpose = string.Join(',', _purposes);
            (_message, _size) = (new PullChangesResponse(), 0);
            _purposes.Clear();
            await _writtenBefore;
            var (recordedBefore, writtenBefore) = (_recorded, _written);
            // On the thread pool: SQLite's "async" calls complete synchronously and would otherwise hold up the walk.
            var recorded = Task.Run(async () =>
            {
                await recordedBefore;
                await record(message, purpose);
            }, CancellationToken.None);
            var written = Task.Run(async () =>
            {
                await recorded;
                await writtenBefore;
                await stream.WriteAsync(message, cancellationToken);
                metrics.Pulled(message.Changes.Count);
            }, CancellationToken.None);
            (_recorded, _written, _writtenBefore) = (recorded, written, writtenBefore);
            (_inFlightPurposes, _inFlightPurposesBefore) = (purpose, _inFlightPurposes);
        }
    }
}
