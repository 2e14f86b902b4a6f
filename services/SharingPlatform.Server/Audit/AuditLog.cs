extern alias sdk;

using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Identity;
using SharingPlatform.V1;
using AuditHashing = sdk::SharingPlatform.Client.Audit.AuditHashing;
using AuditKeyTrust = sdk::SharingPlatform.Client.Audit.AuditKeyTrust;

namespace SharingPlatform.Server.Audit;

/// <summary>
/// Reading the audit chain. A platform-auditor sees every event; a tenant's auditor sees the events that touched
/// its tenant (by the actor's tenant or a resource of it). In an export, every other event comes redacted to its
/// digest and hashes, so a tenant auditor can verify the whole chain without seeing other tenants' activity. Audit key
/// announcements belong to no tenant and are shown to every auditor: each needs them to trust a rotated key.
/// </summary>
public sealed partial class AuditLog(SharingDbContext db, AuditSigner signer, ServerKeys keys, TimeProvider time)
{
    private const int Chunk = 500;

    [GeneratedRegex("^[A-Za-z0-9._/:-]{1,200}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex FilterValue();

    public async Task<ListAuditEventsResponse> ListAsync(Caller caller, ListAuditEventsRequest request, CancellationToken cancellationToken)
    {
        foreach (var (field, value) in new[] { ("actor_tenant", request.ActorTenant), ("actor_client", request.ActorClient), ("action", request.Action), ("resource", request.Resource) })
        {
            if (value.Length > 0 && !FilterValue().IsMatch(value))
            {
                RpcErrors.InvalidArgument(field, "INVALID_FORMAT", "At most 200 of letters, digits and . _ / : -.");
            }
        }

        var pageSize = PageSizes.Resolve(request.PageSize);
        var filter = request.Clone();
        filter.PageSize = 0;
        filter.PageToken = "";
        var after = PageToken.Open(request.PageToken, keys, caller.TenantId, filter);

        var query = Visible(caller).AsNoTracking().Where(e => e.Seq > after);
        if (request.ActorTenant.Length > 0)
        {
            query = query.Where(e => e.ActorTenant == request.ActorTenant);
        }

        if (request.ActorClient.Length > 0)
        {
            query = query.Where(e => e.ActorClient == request.ActorClient);
        }

        if (request.Action.Length > 0)
        {
            query = query.Where(e => e.Action == request.Action);
        }

        if (request.Resource.Length > 0)
        {
            query = query.Where(e => e.Resources.Contains(request.Resource));
        }

        if (request.StartTime is not null)
        {
            var start = RequestTimes.ToUtc(request.StartTime, "start_time");
            query = query.Where(e => e.Time >= start);
        }

        if (request.EndTime is not null)
        {
            var end = RequestTimes.ToUtc(request.EndTime, "end_time");
            query = query.Where(e => e.Time < end);
        }

        var rows = await query.OrderBy(e => e.Seq).Take(pageSize + 1).ToListAsync(cancellationToken);
        var response = new ListAuditEventsResponse { Events = { rows.Take(pageSize).Select(e => e.ToProto(redacted: false)) } };
        if (rows.Count > pageSize)
        {
            response.NextPageToken = PageToken.Format(keys, caller.TenantId, filter, rows[pageSize - 1].Seq);
        }

        return response;
    }

    public async Task<SignedCheckpoint> CheckpointAsync(CancellationToken cancellationToken)
    {
        var head = await db.AuditHeads.AsNoTracking().SingleAsync(h => h.Id == AuditHead.SingletonId, cancellationToken);
        return signer.Sign(head.Size, head.Hash, time.UtcNow());
    }

    public async Task ExportAsync(Caller caller, ExportAuditEventsRequest request, IServerStreamWriter<ExportAuditEventsResponse> stream, CancellationToken cancellationToken)
    {
        if (request.StartSequence < 0 || request.EndSequence < 0 || (request.EndSequence > 0 && request.EndSequence < request.StartSequence))
        {
            RpcErrors.InvalidArgument("start_sequence", "OUT_OF_RANGE", "Sequences start at 1; end_sequence is 0 (the head) or at least start_sequence.");
        }

        var end = request.EndSequence > 0 ? request.EndSequence
            : await db.AuditHeads.AsNoTracking().Where(h => h.Id == AuditHead.SingletonId).Select(h => h.Size).SingleAsync(cancellationToken);
        var scope = Scope(caller);
        for (var next = Math.Max(1, request.StartSequence); next <= end;)
        {
            var from = next;
            var rows = await db.AuditEvents.AsNoTracking().Where(e => e.Seq >= from && e.Seq <= end).OrderBy(e => e.Seq).Take(Chunk).ToListAsync(cancellationToken);
            if (rows.Count == 0)
            {
                break;
            }

            await stream.WriteAsync(new ExportAuditEventsResponse { Events = { rows.Select(e => e.ToProto(redacted: scope is not null && !e.Tenants.Contains(scope, StringComparison.Ordinal) && e.Action != AuditKeyTrust.AnnouncedAction)) } }, cancellationToken);
            next = rows[^1].Seq + 1;
        }
    }

    /// <summary>Walks the stored chain from the start and names the first event that does not fit.</summary>
    public async Task<VerifyAuditChainResponse> VerifyAsync(CancellationToken cancellationToken)
    {
        // Up to the head as it is now (events appended while verifying are left for the next run), or to the last
        // event if the head row is behind it: a head left behind is damage to report, not a limit to stop at.
        // Head and last number in one statement (one snapshot): an append meanwhile cannot look like damage.
        var head = await db.AuditHeads.AsNoTracking().Where(h => h.Id == AuditHead.SingletonId)
            .Select(h => new { h.Size, h.Hash, Last = db.AuditEvents.Max(e => (long?)e.Seq) }).SingleAsync(cancellationToken);
        var end = Math.Max(head.Size, head.Last ?? 0);
        var previous = AuditHashing.Genesis;
        var expected = 1L;
        while (true)
        {
            var from = expected;
            var rows = await db.AuditEvents.AsNoTracking().Where(e => e.Seq >= from && e.Seq <= end).OrderBy(e => e.Seq).Take(Chunk).ToListAsync(cancellationToken);
            foreach (var e in rows)
            {
                var problem = e.Seq != expected ? "gap or reordering"
                    : !e.PreviousHash.AsSpan().SequenceEqual(previous) ? "previous hash mismatch"
                    : !e.ContentDigest.AsSpan().SequenceEqual(AuditHashing.ContentDigest(e.Seq, e.Time, e.ActorClient, e.ActorTenant, e.Action, e.ResourceList, e.Purpose, e.Outcome, e.RequestId, e.Salt)) ? "content changed"
                    : !e.Hash.AsSpan().SequenceEqual(AuditHashing.ChainHash(e.PreviousHash, e.ContentDigest)) ? "hash mismatch"
                    : null;
                if (problem is not null)
                {
                    return new VerifyAuditChainResponse { Intact = false, Size = expected - 1, FirstBadSequence = expected, Problem = problem };
                }

                previous = e.Hash;
                expected++;
            }

            if (rows.Count < Chunk)
            {
                break;
            }
        }

        var size = expected - 1;
        return head.Size > size ? new VerifyAuditChainResponse { Intact = false, Size = size, FirstBadSequence = expected, Problem = "events missing after the last one (head says more)" }
            : head.Size < size ? new VerifyAuditChainResponse { Intact = false, Size = size, FirstBadSequence = head.Size + 1, Problem = $"the head row says {head.Size} events but the chain holds {size}" }
            : !head.Hash.AsSpan().SequenceEqual(previous) ? new VerifyAuditChainResponse { Intact = false, Size = size, FirstBadSequence = size, Problem = "the head row's hash is not that of the last event" }
            : new VerifyAuditChainResponse { Intact = true, Size = size };
    }

    /// <summary>Null for platform auditors; otherwise the packed tenant a tenant auditor is limited to.</summary>
    private static string? Scope(Caller caller) => caller.Has(Roles.PlatformAuditor) ? null : $"|{caller.TenantSlug}|";

    private IQueryable<AuditEventEntity> Visible(Caller caller) =>
        Scope(caller) is { } scope ? db.AuditEvents.Where(e => e.Tenants.Contains(scope) || e.Action == AuditKeyTrust.AnnouncedAction) : db.AuditEvents;

}
