extern alias server;

using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using server::SharingPlatform.Server.Cases;
using server::SharingPlatform.Server.Data;
using server::SharingPlatform.Server.Sharing;
using server::SharingPlatform.Server.Tenants;

namespace SharingPlatform.Benchmarks.Large;

/// <summary>
/// Writes a <see cref="DataShape"/> straight into a database the server has created (schema, demo tenants and their
/// clients), with the rows the server itself would have written for the same history: every record validated by
/// <see cref="CaseValidator"/>, stored through <see cref="CaseMapping.ToContent"/> and <see cref="CaseFacts.Apply"/>,
/// a <see cref="CaseRevision.Of"/> per change, random <see cref="CaseEtags"/>, and sequence numbers from the change
/// counter shared with the agreements' creation and revocation. Tenants push in random interleaving, agreements are
/// created over the first half of the history, 2% of the other tenants' records change once and 1% are retracted
/// afterwards, and revocations come last. Push receipts (kept a week) and the audit events of these pushes are not
/// written: no measured call reads them.
/// </summary>
internal static class BulkLoad
{
    private const int Chunk = 2000;
    private const int ChunksPerTransaction = 10;
    private static readonly TimeSpan History = TimeSpan.FromDays(730);

    public static async Task<TimeSpan> RunAsync(DataShape shape, SharingDbContext db, Action<string> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var now = DateTime.UtcNow;
        // One connection throughout: the prepared statements stay prepared from one transaction to the next.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var tenantIds = await TenantsAsync(shape, db, now, cancellationToken);
        var baseSeq = await ChangeSequence.CommittedAsync(db, cancellationToken);
        var baseId = await db.Cases.MaxAsync(c => (long?)c.Id, cancellationToken) ?? 0;
        var firstAgreementId = (await db.Agreements.MaxAsync(a => (long?)a.Id, cancellationToken) ?? 0) + 1;

        // The history: record j of a random interleaving of all tenants' pushes is created at its turn; agreement k
        // just before record k * N / 1000; later changes and then revocations after every creation.
        var order = Enumerable.Range(0, shape.Records).ToArray();
        var shuffle = new Mix(7);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var k = shuffle.Next(i + 1);
            (order[i], order[k]) = (order[k], order[i]);
        }

        var agreements = shape.Agreements;
        long AgreementTurn(int k) => (long)k * shape.Records / (2 * agreements.Count);
        var creationsEnd = baseSeq + shape.Records + agreements.Count;
        var laterSeq = new Dictionary<int, long>();
        for (var j = 0; j < order.Length; j++)
        {
            var (t, i) = shape.Locate(order[j]);
            if (DataShape.LaterChange(t, i) != Later.None)
            {
                laterSeq[j] = creationsEnd + laterSeq.Count + 1;
            }
        }

        var revocations = agreements.Count(a => a.End == AgreementEnd.Revoked);
        var lastSeq = creationsEnd + laterSeq.Count + revocations;
        DateTime TimeOf(long seq) => now - History + ((History - TimeSpan.FromHours(1)) * ((double)(seq - baseSeq) / (lastSeq - baseSeq)));

        using var cases = new BulkTable<CaseEntity>(db, 50);
        using var eventTypes = new BulkTable<CaseEventType>(db, 200);
        using var regions = new BulkTable<CaseRegion>(db, 200);
        using var revisions = new BulkTable<CaseRevision>(db, 100);
        using var agreementRows = new BulkTable<AgreementEntity>(db, 50);
        var revoked = new List<AgreementEntity>();
        var seq = baseSeq;
        var nextAgreement = 0;
        var batch = new List<(CaseEntity Row, List<CaseRevision> Revisions)>(Chunk);
        for (var start = 0; start < order.Length; start += Chunk * ChunksPerTransaction)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            for (var chunk = start; chunk < Math.Min(start + (Chunk * ChunksPerTransaction), order.Length); chunk += Chunk)
            {
                batch.Clear();
                for (var j = chunk; j < Math.Min(chunk + Chunk, order.Length); j++)
                {
                    while (nextAgreement < agreements.Count && AgreementTurn(nextAgreement) <= j)
                    {
                        var created = Agreement(agreements[nextAgreement], firstAgreementId + nextAgreement, tenantIds, ++seq, TimeOf(seq), now);
                        await agreementRows.AddAsync(created, cancellationToken);
                        if (agreements[nextAgreement].End == AgreementEnd.Revoked)
                        {
                            revoked.Add(created);
                        }

                        nextAgreement++;
                    }

                    var (t, i) = shape.Locate(order[j]);
                    batch.Add(Case(shape, t, i, baseId + j + 1, tenantIds[t], ++seq, laterSeq.GetValueOrDefault(j), TimeOf));
                }

                // Parents first: the case rows, then the rows that refer to them.
                await agreementRows.FlushAsync(cancellationToken);
                foreach (var (row, _) in batch)
                {
                    await cases.AddAsync(row, cancellationToken);
                }

                await cases.FlushAsync(cancellationToken);
                foreach (var (row, rowRevisions) in batch)
                {
                    foreach (var type in row.EventTypes)
                    {
                        await eventTypes.AddAsync(type, cancellationToken);
                    }

                    foreach (var region in row.Regions)
                    {
                        await regions.AddAsync(region, cancellationToken);
                    }

                    foreach (var revision in rowRevisions)
                    {
                        await revisions.AddAsync(revision, cancellationToken);
                    }
                }

                await eventTypes.FlushAsync(cancellationToken);
                await regions.FlushAsync(cancellationToken);
                await revisions.FlushAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            progress($"{Math.Min(start + (Chunk * ChunksPerTransaction), order.Length)} of {order.Length} records, {clock.Elapsed.TotalSeconds:0} s");
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            seq = creationsEnd + laterSeq.Count;
            foreach (var agreement in revoked)
            {
                await db.Agreements.Where(a => a.Id == agreement.Id).ExecuteUpdateAsync(
                    s => s.SetProperty(a => a.RevokeSeq, ++seq).SetProperty(a => a.RevokeTime, TimeOf(seq)), cancellationToken);
            }

            await ChangeSequence.AdvanceAsync(db, lastSeq, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await FinishAsync(db, cancellationToken);
        return clock.Elapsed;
    }

    /// <summary>The demo tenants' ids, after adding the other tenants of the shape.</summary>
    private static async Task<long[]> TenantsAsync(DataShape shape, SharingDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var existing = await db.Tenants.AsNoTracking().ToDictionaryAsync(t => t.Slug, t => t.Id, StringComparer.Ordinal, cancellationToken);
        var nextId = existing.Values.Max() + 1;
        var ids = new long[shape.Tenants.Count];
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        using var tenants = new BulkTable<TenantEntity>(db, 50);
        foreach (var spec in shape.Tenants)
        {
            if (spec.Demo)
            {
                ids[spec.Index] = existing.TryGetValue(spec.Slug, out var id) ? id
                    : throw new BenchmarkException($"The server did not create demo tenant {spec.Slug}.");
                continue;
            }

            ids[spec.Index] = nextId++;
            await tenants.AddAsync(new TenantEntity
            {
                Id = ids[spec.Index], Slug = spec.Slug, DisplayName = $"Benchmark partner {spec.Index}", Kind = spec.Kind,
                Status = TenantStatus.Active, CreateTime = now - History - TimeSpan.FromDays(1),
            }, cancellationToken);
        }

        await tenants.FlushAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ids;
    }

    private static (CaseEntity Row, List<CaseRevision> Revisions) Case(
        DataShape shape, int tenant, int index, long id, long tenantId, long createSeq, long laterSeq, Func<long, DateTime> timeOf)
    {
        var later = laterSeq == 0 ? Later.None : DataShape.LaterChange(tenant, index);
        var created = shape.Record(tenant, index);
        var row = new CaseEntity { Id = id, TenantId = tenantId, CaseId = DataShape.CaseId(index), CreateTime = timeOf(createSeq) };
        Store(row, created, createSeq, timeOf(createSeq));
        var revisions = new List<CaseRevision> { Revision(row) };
        if (later == Later.Updated)
        {
            row.EventTypes = [];
            row.Regions = [];
            Store(row, shape.Record(tenant, index, version: 1), laterSeq, timeOf(laterSeq));
            revisions.Add(Revision(row));
        }
        else if (later == Later.Retracted)
        {
            // As RetractCase does: content erased, facts cleared, a new etag and sequence.
            row.Retracted = true;
            row.Content = [];
            row.EventTypes = [];
            row.Regions = [];
            CaseFacts.Clear(row);
            row.Version++;
            row.Etag = CaseEtags.New();
            row.Seq = laterSeq;
            row.UpdateTime = timeOf(laterSeq);
            revisions.Add(Revision(row));
        }

        return (row, revisions);
    }

    /// <summary>What the push path stores for a validated record (CaseWriter.Store).</summary>
    private static void Store(CaseEntity row, server::SharingPlatform.V1.CaseRecord record, long seq, DateTime time)
    {
        if (CaseValidator.Validate(record, TimeProvider.System) is { } violation)
        {
            throw new BenchmarkException($"Generated record {record.Name} is invalid: {violation.Field} {violation.Reason}.");
        }

        row.Content = CaseMapping.ToContent(record);
        CaseFacts.Apply(row, record);
        row.Retracted = false;
        row.Version++;
        row.Etag = CaseEtags.New();
        row.Seq = seq;
        row.UpdateTime = time;
    }

    private static CaseRevision Revision(CaseEntity row)
    {
        var revision = CaseRevision.Of(row);
        revision.CaseRowId = row.Id;
        revision.Case = null;
        return revision;
    }

    private static AgreementEntity Agreement(AgreementSpec spec, long id, long[] tenantIds, long seq, DateTime time, DateTime now) => new()
    {
        Id = id,
        AgreementId = "a" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
        GrantorTenantId = tenantIds[spec.GrantorIndex],
        GranteeTenantId = tenantIds[spec.GranteeIndex],
        Purpose = (int)spec.Purpose,
        Fields = spec.Fields,
        MaxClassification = (int)spec.MaxClassification,
        EventTypes = AgreementMapping.Pack(spec.EventTypes),
        Statuses = AgreementMapping.Pack(spec.Statuses),
        Regions = CaseMapping.Pack(spec.Regions),
        DatePrecision = (int)spec.DatePrecision,
        Linkage = spec.Linkage,
        AggregateOnly = spec.AggregateOnly,
        MinCellSize = 10,
        ValidFrom = time,
        ValidUntil = spec.End == AgreementEnd.Expired ? now - TimeSpan.FromDays(30) : now + TimeSpan.FromDays(365 + (id % 365)),
        CreateTime = time,
        CreateSeq = seq,
    };

    /// <summary>PostgreSQL: identity sequences past the numbered rows, and statistics as autovacuum would gather them.
    /// SQLite keeps AUTOINCREMENT past explicit ids by itself and, as the server never runs ANALYZE, gets none.</summary>
    private static async Task FinishAsync(SharingDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync(
                """
                SELECT setval(pg_get_serial_sequence('"tenants"', 'Id'), (SELECT MAX("Id") FROM "tenants"));
                SELECT setval(pg_get_serial_sequence('"agreements"', 'Id'), (SELECT MAX("Id") FROM "agreements"));
                SELECT setval(pg_get_serial_sequence('"cases"', 'Id'), (SELECT MAX("Id") FROM "cases"));
                """, cancellationToken);

            await db.Database.ExecuteSqlRawAsync("ANALYZE", cancellationToken);
        }
        else if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)", cancellationToken);
        }
    }
}
