using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Tenants;
using SharingPlatform.V1;

namespace SharingPlatform.Server.Cases;

/// <summary>
/// Pushes and retractions. A push validates every record first, then applies the valid ones in one
/// <see cref="ChangeUnit"/> (a transaction that holds the change-sequence lock), stores its answer under the request
/// id, and commits with its audit event.
/// </summary>
public sealed partial class CaseWriter(SharingDbContext db, CaseScope scope, AuditChain audit, AuditTrail trail, TimeProvider time, Observability.PlatformMetrics metrics)
{
    public const int MaxBatch = 500;
    private const string PushAction = "sharing.v1.CaseService/PushCases";
    private const string RetractAction = "sharing.v1.CaseService/RetractCase";

    /// <summary>How long a request_id is remembered: a replay within this window returns the first answer.</summary>
    public static readonly TimeSpan ReceiptRetention = TimeSpan.FromDays(7);

    [GeneratedRegex("^[A-Za-z0-9_-]{8,64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex RequestIdPattern();

    public async Task<PushCasesResponse> PushAsync(Caller caller, PushCasesRequest request, CancellationToken cancellationToken)
    {
        var slug = RequestNames.Tenant(request.Parent, "parent");
        var own = scope.Writable(caller, slug);
        if (own is null)
        {
            RpcErrors.NotFound(request.Parent);
        }

        if (!RequestIdPattern().IsMatch(request.RequestId))
        {
            RpcErrors.InvalidArgument("request_id", "INVALID_FORMAT", "Must be 8-64 of A-Z, a-z, 0-9, _ and - (a UUID works).");
        }

        if (request.Records.Count is 0 or > MaxBatch)
        {
            RpcErrors.InvalidArgument("records", "OUT_OF_RANGE", $"A push carries 1 to {MaxBatch} records.");
        }

        var requestHash = SHA256.HashData(request.ToByteArray());
        var planned = Plan(request, slug);

        await using var unit = await ChangeUnit.BeginAsync(db, cancellationToken);
        var now = time.UtcNow();
        var receipt = await db.PushReceipts.AsNoTracking()
            .SingleOrDefaultAsync(r => r.TenantId == caller.TenantId && r.RequestId == request.RequestId, cancellationToken);
        if (receipt is not null && receipt.CreateTime < now - ReceiptRetention)
        {
            // Expired, not yet purged (Housekeeping): the request_id is free again, and this push a new one.
            await db.PushReceipts.Where(r => r.Id == receipt.Id).ExecuteDeleteAsync(cancellationToken);
            receipt = null;
        }

        if (receipt is not null)
        {
            if (!CryptographicOperations.FixedTimeEquals(receipt.RequestHash, requestHash))
            {
                RpcErrors.FailedPrecondition("REQUEST_ID_REUSED", "This request_id was used for a different push; use a new request_id.");
            }

            var replayed = PushCasesResponse.Parser.ParseFrom(receipt.Response);
            trail.Resources.AddRange(replayed.Results.Select(r => r.Name).Where(n => n.Length > 0));
            trail.SucceededAs = "REPLAYED"; // the same answer again, nothing written
            return replayed;
        }

        var caseIds = planned.Where(p => p.Content is not null).Select(p => p.CaseId).ToList();
        var existing = await scope.OwnRowsAsync(caller, caseIds, cancellationToken);

        var response = new PushCasesResponse();
        var (created, changed) = (new List<CaseEntity>(), new List<CaseEntity>());
        foreach (var item in planned)
        {
            response.Results.Add(item.Content is null
                ? item.Result
                : Apply(caller, item, existing.GetValueOrDefault(item.CaseId), now, unit, created, changed));
        }

        await scope.StoreAsync(created, changed, cancellationToken);
        db.PushReceipts.Add(new PushReceipt
        {
            TenantId = caller.TenantId,
            RequestId = request.RequestId,
            RequestHash = requestHash,
            Response = response.ToByteArray(),
            CreateTime = now,
        });
        var written = response.Results.Where(r => r.Outcome is PushOutcome.Created or PushOutcome.Updated).Select(r => r.Name).ToList();
        await unit.CommitAsync(audit, new AuditEntry(caller.ClientId, caller.TenantSlug, PushAction, written, "", "OK", request.RequestId), cancellationToken);
        trail.Written = true;
        Span<int> outcomes = stackalloc int[8];
        foreach (var result in response.Results)
        {
            outcomes[Math.Clamp((int)result.Outcome, 0, outcomes.Length - 1)]++;
        }

        metrics.Pushed(outcomes);
        return response;
    }

    public async Task<Tombstone> RetractAsync(Caller caller, RetractCaseRequest request, CancellationToken cancellationToken)
    {
        var (slug, caseId) = RequestNames.Case(request.Name, "name");

        var own = scope.Writable(caller, slug);
        if (own is null)
        {
            RpcErrors.NotFound(request.Name);
        }

        await using var unit = await ChangeUnit.BeginAsync(db, cancellationToken);
        var entity = await own.SingleOrDefaultAsync(c => c.CaseId == caseId, cancellationToken);
        if (entity is null)
        {
            RpcErrors.NotFound(request.Name);
        }

        if (request.Etag.Length > 0 && request.Etag != entity.Etag)
        {
            RpcErrors.Aborted("ETAG_MISMATCH", "The record changed since that etag; get it again before retracting.");
        }

        if (!entity.Retracted)
        {
            // The content is erased, not hidden: a retracted record must not linger in backups of this database.
            entity.Retracted = true;
            entity.Content = [];
            CaseFacts.Clear(entity);
            entity.Version++;
            entity.Etag = CaseEtags.New();
            entity.Seq = unit.NextSeq();
            entity.UpdateTime = time.UtcNow();
            scope.AddRevision(entity);
        }

        await unit.CommitAsync(audit, new AuditEntry(caller.ClientId, caller.TenantSlug, RetractAction, [request.Name], "", "OK", ""), cancellationToken);
        trail.Written = true;
        return CaseMapping.ToTombstone(entity, slug);
    }

    /// <summary>Validates each record outside the transaction; a rejected record carries its final result.</summary>
    private List<PlannedRecord> Plan(PushCasesRequest request, string slug)
    {
        var planned = new List<PlannedRecord>(request.Records.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Records.Count; i++)
        {
            var record = request.Records[i];
            var violation = CaseNames.TryParse(record.Name, out var recordSlug, out var caseId)
                ? recordSlug != slug
                    ? CaseValidator.Violation("name", "WRONG_PARENT", "The record's name must be under the request's parent.")
                    : !seen.Add(caseId)
                        ? CaseValidator.Violation("name", "DUPLICATE", "The same record appears twice in this push.")
                        : CaseValidator.Validate(record, time)
                : CaseValidator.Violation("name", "INVALID_FORMAT", "Must be tenants/{tenant}/cases/{case}, case 1-63 of a-z, 0-9 and -.");
            planned.Add(violation is null
                ? new PlannedRecord(record, caseId!, CaseMapping.ToContent(record), null!)
                : new PlannedRecord(record, caseId ?? "", null, new PushResult
                {
                    // A name that does not parse is not echoed: it could be anything, even a real name. Results keep request order.
                    Name = caseId is null ? "" : record.Name,
                    Outcome = PushOutcome.Rejected,
                    Violation = violation,
                }));
        }

        return planned;
    }

    private static PushResult Apply(Caller caller, PlannedRecord item, CaseEntity? entity, DateTime now, ChangeUnit unit,
        List<CaseEntity> created, List<CaseEntity> changed)
    {
        var content = item.Content!;
        var pushedEtag = item.Record.Etag;
        if (entity is null)
        {
            if (pushedEtag.Length > 0)
            {
                return Result(item, PushOutcome.Conflict, "");
            }

            entity = new CaseEntity { TenantId = caller.TenantId, CaseId = item.CaseId, CreateTime = now };
            Store(entity, item, now, unit);
            created.Add(entity);
            return Result(item, PushOutcome.Created, entity.Etag);
        }

        var same = !entity.Retracted && entity.Content.AsSpan().SequenceEqual(content);
        if (pushedEtag.Length == 0 || pushedEtag == entity.Etag)
        {
            if (same)
            {
                return Result(item, PushOutcome.Unchanged, entity.Etag);
            }

            if (pushedEtag.Length > 0)
            {
                Store(entity, item, now, unit);
                changed.Add(entity);
                return Result(item, PushOutcome.Updated, entity.Etag);
            }
        }

        return Result(item, PushOutcome.Conflict, entity.Etag);
    }

    /// <summary>Sets the row's content, facts and change fields for a new version (written by <see cref="CaseScope.StoreAsync"/>).</summary>
    private static void Store(CaseEntity entity, PlannedRecord item, DateTime now, ChangeUnit unit)
    {
        entity.Content = item.Content!;
        CaseFacts.Apply(entity, item.Record);
        entity.Retracted = false;
        entity.Version++;
        entity.Etag = CaseEtags.New();
        entity.Seq = unit.NextSeq();
        entity.UpdateTime = now;
    }

    private static PushResult Result(PlannedRecord item, PushOutcome outcome, string etag) =>
        new() { Name = item.Record.Name, Outcome = outcome, Etag = etag };

    private sealed record PlannedRecord(CaseRecord Record, string CaseId, byte[]? Content, PushResult Result);
}
