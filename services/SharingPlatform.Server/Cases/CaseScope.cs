using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Sharing;
using static SharingPlatform.Server.Sharing.PolicyExpressions;

namespace SharingPlatform.Server.Cases;

/// <summary>A case row with the id of the agreement that governs it for the reader (0: none, or the reader's own row).
/// The feed's rows carry only the columns it sends (see <c>CaseScope.FeedColumns</c>).</summary>
public sealed class ScopedCase
{
    public required CaseEntity Row { get; init; }

    public long Governing { get; init; }
}

/// <summary>
/// The one place that reads and writes the case tables. Every read (get, list, count, pull, tombstones) starts
/// here and is filtered by the database with <see cref="AgreementPolicy"/>: a tenant the caller may not see yields
/// null, which the services turn into NOT_FOUND, so a foreign tenant looks exactly like a missing one. An
/// architecture test checks that nothing else touches these tables.
/// </summary>
public sealed class CaseScope(SharingDbContext db, GranteeTokens granteeTokens, AuditTrail trail, TimeProvider time)
{
    // ---- Views ----------------------------------------------------------------------------------------------

    /// <summary>The caller's view of tenant <paramref name="tenantSlug"/>: its own, or what live agreements grant; null otherwise.</summary>
    public async Task<TenantView?> ReadableAsync(Caller caller, string tenantSlug, CancellationToken cancellationToken)
    {
        if (string.Equals(tenantSlug, caller.TenantSlug, StringComparison.Ordinal))
        {
            return OwnView(caller);
        }

        var agreements = (await LiveAgreementsAsync(caller, tenantSlug, cancellationToken)).Where(AgreementPolicy.SharesRecords).ToList();
        return agreements.Count == 0 ? null : SharedView(caller, agreements[0].GrantorTenantId, tenantSlug, agreements);
    }

    /// <summary>What the caller may count of tenant <paramref name="tenantSlug"/>: its own records, or a grantor's through live agreements (aggregate-only included).</summary>
    public async Task<CountView?> CountableAsync(Caller caller, string tenantSlug, CancellationToken cancellationToken)
    {
        if (string.Equals(tenantSlug, caller.TenantSlug, StringComparison.Ordinal))
        {
            return new CountView(caller.TenantId, caller.TenantKind, agreements: null);
        }

        var agreements = await LiveAgreementsAsync(caller, tenantSlug, cancellationToken);
        return agreements.Count == 0 ? null : new CountView(agreements[0].GrantorTenantId, caller.TenantKind, agreements);
    }

    /// <summary>Every agreement (live or not) that grants records to the caller's tenant, with its grantor's slug.</summary>
    public async Task<IReadOnlyList<(AgreementEntity Agreement, string GrantorSlug)>> IncomingAgreementsAsync(Caller caller, CancellationToken cancellationToken)
    {
        var rows = await db.Agreements.AsNoTracking()
            .Where(a => a.GranteeTenantId == caller.TenantId && !a.AggregateOnly)
            .Join(db.Tenants, a => a.GrantorTenantId, t => t.Id, (a, t) => new { Agreement = a, t.Slug })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r.Agreement, r.Slug))];
    }

    /// <summary>The caller's view of a grantor through <paramref name="agreements"/> (live ones, chosen by the caller of this).</summary>
    public TenantView SharedView(Caller caller, long grantorTenantId, string grantorSlug, IReadOnlyList<AgreementEntity> agreements) =>
        new(grantorTenantId, grantorSlug, caller.TenantKind, agreements, token => granteeTokens.For(caller.TenantId, token), RecordPurpose);

    /// <summary>The caller's view of its own tenant.</summary>
    public static TenantView OwnView(Caller caller) => new(caller.TenantId, caller.TenantSlug, caller.TenantKind, agreements: null);

    /// <summary>The agreements from grantor <paramref name="grantorSlug"/> to the caller's tenant that are live now.</summary>
    private Task<List<AgreementEntity>> LiveAgreementsAsync(Caller caller, string grantorSlug, CancellationToken cancellationToken) =>
        db.Agreements.AsNoTracking()
            .Where(AgreementPolicy.LiveNow(time.UtcNow()))
            .Where(a => a.GranteeTenantId == caller.TenantId && db.Tenants.Any(t => t.Id == a.GrantorTenantId && t.Slug == grantorSlug))
            .ToListAsync(cancellationToken);

    /// <summary>Every shared record read is audited with the purpose of the agreement it was shared through.</summary>
    private void RecordPurpose(AgreementEntity agreement) => trail.Purposes.Add(AgreementMapping.PurposeName(agreement.Purpose));

    // ---- Reads ----------------------------------------------------------------------------------------------

    /// <summary>The rows of <paramref name="view"/> the viewer may read (not retracted, matching a live agreement);
    /// compose filters on it, then <see cref="WithGoverning"/>.</summary>
    public IQueryable<CaseEntity> Readable(TenantView view) => Matching(view.TenantId, view.Own ? null : view.Agreements, view.ViewerKind);

    /// <summary>Each row with its governing agreement for <paramref name="view"/>, decided by the database.</summary>
    public static IQueryable<ScopedCase> WithGoverning(IQueryable<CaseEntity> rows, TenantView view) =>
        rows.Select(Scoped(view.Own ? c => 0L : AgreementPolicy.Governing(view.Agreements, view.ViewerKind)));

    /// <summary>
    /// The id up to which a list of <paramref name="view"/> after <paramref name="afterId"/> may look: the
    /// <paramref name="budget"/>-th stored row of the tenant (any state), or null when fewer remain. Bounds what one
    /// call examines, however few rows the view shows.
    /// </summary>
    public Task<long?> ScanEndAsync(TenantView view, long afterId, int budget, CancellationToken cancellationToken) =>
        db.Cases.AsNoTracking().Where(c => c.TenantId == view.TenantId && c.Id > afterId)
            .OrderBy(c => c.Id).Skip(budget - 1).Select(c => (long?)c.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The rows <paramref name="view"/> counts (not retracted; of a grantor, matching any live agreement).</summary>
    public IQueryable<CaseEntity> Countable(CountView view) => Matching(view.TenantId, view.Own ? null : view.Agreements, view.ViewerKind);

    /// <summary>The tenant's records that are not retracted and, unless <paramref name="agreements"/> is null (the
    /// viewer's own tenant), match one of them.</summary>
    private IQueryable<CaseEntity> Matching(long tenantId, IReadOnlyList<AgreementEntity>? agreements, V1.TenantKind viewerKind)
    {
        var rows = db.Cases.AsNoTracking().Where(c => c.TenantId == tenantId && !c.Retracted);
        return agreements is null ? rows : rows.Where(AgreementPolicy.MatchesAny(agreements, viewerKind));
    }

    /// <summary>The event types of <paramref name="rows"/>, one per record and type.</summary>
    public IQueryable<CaseEventType> EventTypesOf(IQueryable<CaseEntity> rows) => rows.SelectMany(c => c.EventTypes);

    /// <summary>The regions of <paramref name="rows"/>, one per record and region.</summary>
    public IQueryable<CaseRegion> RegionsOf(IQueryable<CaseEntity> rows) => rows.SelectMany(c => c.Regions);

    // ---- The change feed ------------------------------------------------------------------------------------

    /// <summary>
    /// The changes in (<paramref name="fromSeq"/>, <paramref name="toSeq"/>] that a puller may get something for: its
    /// own rows, grantors' rows a live agreement (<paramref name="live"/>) matches, and grantors' rows that existed at
    /// <paramref name="cursorSeq"/> and may need a tombstone (judged by the caller with <see cref="HistoryAsync"/>).
    /// </summary>
    public Task<List<ScopedCase>> ChangesAsync(Caller caller, IReadOnlyList<AgreementEntity> live, IReadOnlyCollection<long> grantorIds,
        long cursorSeq, long fromSeq, long toSeq, CancellationToken cancellationToken)
    {
        var own = caller.TenantId;
        var widest = AgreementPolicy.Widest(live);
        var rows = db.Cases.AsNoTracking().Where(c => c.Seq > fromSeq && c.Seq <= toSeq);
        Expression<Func<CaseEntity, bool>> wanted = cursorSeq == 0
            ? c => c.TenantId == own
            : c => c.TenantId == own || (grantorIds.Contains(c.TenantId) && db.CaseRevisions.Any(r => r.CaseRowId == c.Id && r.Seq <= cursorSeq));
        rows = rows.Where(Or(wanted, AgreementPolicy.MatchesAny(widest, caller.TenantKind)));
        return rows.OrderBy(c => c.Seq).Select(Scoped(AgreementPolicy.Governing(widest, caller.TenantKind), FeedColumns)).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The rows of <paramref name="grantorIds"/> in (<paramref name="fromSeq"/>, <paramref name="toSeq"/>] that an
    /// agreement change may have changed for the puller: those whose governing agreement differs between
    /// <paramref name="then"/> and <paramref name="live"/>, and hidden ones that <paramref name="since"/> (agreements
    /// created since then) matches. With <paramref name="all"/>, every row of those grantors.
    /// </summary>
    public Task<List<ScopedCase>> ResyncAsync(Caller caller, IReadOnlyList<AgreementEntity> live, IReadOnlyList<AgreementEntity> then,
        IReadOnlyList<AgreementEntity> since, IReadOnlyCollection<long> grantorIds, bool all, long fromSeq, long toSeq, CancellationToken cancellationToken)
    {
        var now = AgreementPolicy.Governing(AgreementPolicy.Widest(live), caller.TenantKind);
        var rows = db.Cases.AsNoTracking().Where(c => grantorIds.Contains(c.TenantId) && c.Seq > fromSeq && c.Seq <= toSeq);
        if (!all)
        {
            var before = AgreementPolicy.Governing(AgreementPolicy.Widest(then), caller.TenantKind);
            var row = now.Parameters[0];
            var nowId = now.Body;
            var changed = Expression.NotEqual(nowId, Inline(before, row));
            var hiddenButNew = Expression.AndAlso(Expression.Equal(nowId, Expression.Constant(0L)), Inline(AgreementPolicy.MatchesAny(since, caller.TenantKind), row));
            var wanted = Expression.Lambda<Func<CaseEntity, bool>>(Expression.OrElse(changed, hiddenButNew), row);
            rows = rows.Where(wanted);
        }

        return rows.OrderBy(c => c.Seq).Select(Scoped(now, FeedColumns)).ToListAsync(cancellationToken);
    }

    /// <summary>Every revision of the given rows, by row.</summary>
    public async Task<ILookup<long, CaseRevision>> HistoryAsync(IReadOnlyCollection<long> rowIds, CancellationToken cancellationToken)
    {
        // In chunks: SQL Server takes at most 2,100 parameters in one statement.
        var revisions = new List<CaseRevision>();
        foreach (var chunk in rowIds.Chunk(500))
        {
            revisions.AddRange(await db.CaseRevisions.AsNoTracking().Where(r => chunk.Contains(r.CaseRowId)).ToListAsync(cancellationToken));
        }

        return revisions.ToLookup(r => r.CaseRowId);
    }

    // ---- Writes ---------------------------------------------------------------------------------------------

    /// <summary>The rows of tenant <paramref name="tenantSlug"/> the caller may change (only its own tenant's), tracked,
    /// with their facts; null for any other tenant.</summary>
    public IQueryable<CaseEntity>? Writable(Caller caller, string tenantSlug) =>
        string.Equals(tenantSlug, caller.TenantSlug, StringComparison.Ordinal)
            ? db.Cases.Include(c => c.EventTypes).Include(c => c.Regions).AsSplitQuery().Where(c => c.TenantId == caller.TenantId)
            : null;

    /// <summary>The caller's own rows with these case ids (the writer has checked the tenant with <see cref="Writable"/>),
    /// untracked and without side rows: a push compares content and replaces the facts whole. The ids go as one parameter
    /// (a JSON array on SQLite, an array on PostgreSQL): SQLite finds each named parameter by a linear scan of the
    /// statement's names, so 500 of them would cost it quadratic time.</summary>
    public async Task<Dictionary<string, CaseEntity>> OwnRowsAsync(Caller caller, IReadOnlyCollection<string> caseIds, CancellationToken cancellationToken) =>
        caseIds.Count == 0
            ? new Dictionary<string, CaseEntity>(StringComparer.Ordinal)
            : await db.Cases.AsNoTracking().Where(c => c.TenantId == caller.TenantId && EF.Parameter(caseIds).Contains(c.CaseId))
                .ToDictionaryAsync(c => c.CaseId, StringComparer.Ordinal, cancellationToken);

    /// <summary>
    /// Writes a push's new and changed rows of the caller's tenant with their side rows and a revision each, in a few
    /// statements per table instead of a tracked entity each (see <see cref="RowStatements"/>). New rows get their ids
    /// from the database; changed rows have their event types and regions replaced whole. Inside the caller's
    /// transaction, which holds the change-sequence lock.
    /// </summary>
    public async Task StoreAsync(IReadOnlyList<CaseEntity> created, IReadOnlyList<CaseEntity> changed, CancellationToken cancellationToken)
    {
        await RowStatements.InsertAsync(db, created, matchBy: nameof(CaseEntity.CaseId), cancellationToken);
        await RowStatements.UpdateAsync(db, changed, cancellationToken);
        var changedIds = changed.Select(c => c.Id).ToList();
        await RowStatements.DeleteWhereInAsync<CaseEventType, long>(db, nameof(CaseEventType.CaseRowId), changedIds, cancellationToken);
        await RowStatements.DeleteWhereInAsync<CaseRegion, long>(db, nameof(CaseRegion.CaseRowId), changedIds, cancellationToken);

        var written = created.Concat(changed).ToList();
        foreach (var row in written)
        {
            row.EventTypes.ForEach(e => e.CaseRowId = row.Id);
            row.Regions.ForEach(r => r.CaseRowId = row.Id);
        }

        await RowStatements.InsertAsync(db, written.SelectMany(c => c.EventTypes).ToList(), matchBy: null, cancellationToken);
        await RowStatements.InsertAsync(db, written.SelectMany(c => c.Regions).ToList(), matchBy: null, cancellationToken);
        await RowStatements.InsertAsync(db, written.Select(CaseRevision.Of).ToList(), matchBy: null, cancellationToken);
    }

    /// <summary>Records the current state of tracked <paramref name="entity"/> as a revision.</summary>
    public void AddRevision(CaseEntity entity) => db.CaseRevisions.Add(CaseRevision.Of(entity));

    // ---- Upgrade --------------------------------------------------------------------------------------------

    /// <summary>
    /// Fills in the facts of rows stored before this version kept them (<see cref="CaseFacts.Version"/>), from their
    /// content, a chunk per transaction under the change-sequence lock, so that replicas starting together take turns
    /// and a crash leaves whole chunks. Returns how many rows it filled.
    /// </summary>
    public static async Task<long> FillMissingFactsAsync(SharingDbContext db, CancellationToken cancellationToken)
    {
        const int chunk = 1000;
        var (filled, lastId) = (0L, 0L);
        while (true)
        {
            await using var transaction = await ChangeSequence.BeginAsync(db, cancellationToken);
            await ChangeSequence.LockAsync(db, cancellationToken);
            var rows = await db.Cases.Include(c => c.EventTypes).Include(c => c.Regions).AsSplitQuery()
                .Where(c => c.Id > lastId && c.FactsVersion < CaseFacts.Version).OrderBy(c => c.Id).Take(chunk).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                if (row.Retracted)
                {
                    CaseFacts.Clear(row);
                }
                else
                {
                    CaseFacts.Apply(row, V1.CaseRecord.Parser.ParseFrom(row.Content));
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            filled += rows.Count;
            lastId = rows.LastOrDefault()?.Id ?? lastId; // by key: each chunk reads on from the last, never from the start
            if (rows.Count < chunk)
            {
                return filled;
            }
        }
    }

    // ---- Plumbing -------------------------------------------------------------------------------------------

    /// <summary>
    /// The columns the feed sends of a row (identity, sequence, state, times, content, etag), read instead of the
    /// whole row: the feed reads many rows, and the facts it judges tombstones by come from revisions, not the row.
    /// </summary>
    private static readonly string[] FeedColumns =
    [
        nameof(CaseEntity.Id), nameof(CaseEntity.TenantId), nameof(CaseEntity.CaseId), nameof(CaseEntity.Seq), nameof(CaseEntity.Retracted),
        nameof(CaseEntity.CreateTime), nameof(CaseEntity.UpdateTime), nameof(CaseEntity.Content), nameof(CaseEntity.Etag),
    ];

    /// <summary>Each row with its governing agreement; with <paramref name="columns"/>, a row with those columns only.</summary>
    private static Expression<Func<CaseEntity, ScopedCase>> Scoped(Expression<Func<CaseEntity, long>> governing, string[]? columns = null)
    {
        var row = governing.Parameters[0];
        Expression read = columns is null
            ? row
            : Expression.MemberInit(Expression.New(typeof(CaseEntity)),
                columns.Select(c => Expression.Bind(typeof(CaseEntity).GetProperty(c)!, Expression.Property(row, c))));
        return Expression.Lambda<Func<CaseEntity, ScopedCase>>(
            Expression.MemberInit(Expression.New(typeof(ScopedCase)),
                Expression.Bind(typeof(ScopedCase).GetProperty(nameof(ScopedCase.Row))!, read),
                Expression.Bind(typeof(ScopedCase).GetProperty(nameof(ScopedCase.Governing))!, governing.Body)),
            row);
    }
}
