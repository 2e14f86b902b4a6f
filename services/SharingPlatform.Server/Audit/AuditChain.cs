extern alias sdk;

using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Tenants;
using AuditHashing = sdk::SharingPlatform.Client.Audit.AuditHashing;

namespace SharingPlatform.Server.Audit;

/// <summary>
/// Appends to the single audit chain. An append locks the head row until its transaction commits, so events get
/// consecutive sequence numbers and each links to the one before, whatever the number of writers or replicas.
/// Writers that hold the change-sequence lock take this one after it (never the other way round).
/// </summary>
public sealed class AuditChain(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>
    /// Appends inside the caller's open transaction: the events commit with the change they record, or not at all.
    /// An entry that names resources of several tenants becomes one event per tenant, each with that tenant's
    /// resources only, so that no tenant's auditor ever sees another tenant's resource names.
    /// </summary>
    public async Task AppendAsync(SharingDbContext db, AuditEntry entry, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("An audit event is appended inside the transaction of what it records.");
        }

        var byTenant = entry.Resources.GroupBy(TenantOf, StringComparer.Ordinal).ToList();
        if (byTenant.Count <= 1)
        {
            await AppendOneAsync(db, entry, byTenant.Select(g => g.Key).OfType<string>(), cancellationToken);
            return;
        }

        foreach (var group in byTenant)
        {
            await AppendOneAsync(db, entry with { Resources = [.. group] }, group.Key is null ? [] : [group.Key], cancellationToken);
        }
    }

    private static string? TenantOf(string resource) =>
        TenantNames.TryParse(string.Join('/', resource.Split('/').Take(2)), out var slug) ? slug : null;

    private async Task AppendOneAsync(SharingDbContext db, AuditEntry entry, IEnumerable<string> resourceTenants, CancellationToken cancellationToken)
    {
        await db.AuditHeads.Where(h => h.Id == AuditHead.SingletonId)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.Size, h => h.Size), cancellationToken);
        var head = await db.AuditHeads.AsNoTracking().SingleAsync(h => h.Id == AuditHead.SingletonId, cancellationToken);

        var seq = head.Size + 1;
        var now = time.UtcNow();
        var salt = RandomNumberGenerator.GetBytes(AuditHashing.SaltLength);
        var digest = AuditHashing.ContentDigest(seq, now, entry.ActorClient, entry.ActorTenant, entry.Action, entry.Resources, entry.Purpose, entry.Outcome, entry.RequestId, salt);
        var hash = AuditHashing.ChainHash(head.Hash, digest);
        var tenants = resourceTenants.Append(entry.ActorTenant).Where(s => s != "-");
        var audit = new AuditEventEntity
        {
            Seq = seq,
            Time = now,
            ActorClient = entry.ActorClient,
            ActorTenant = entry.ActorTenant,
            Action = entry.Action,
            Resources = string.Join('\n', entry.Resources),
            Purpose = entry.Purpose,
            Outcome = entry.Outcome,
            RequestId = entry.RequestId,
            Tenants = Cases.CaseMapping.Pack(tenants),
            Salt = salt,
            ContentDigest = digest,
            PreviousHash = head.Hash,
            Hash = hash,
        };
        db.AuditEvents.Add(audit);
        await db.AuditHeads.Where(h => h.Id == AuditHead.SingletonId)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.Size, seq).SetProperty(h => h.Hash, hash), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Appends in a transaction of its own, on a fresh context: for reads and refusals, which change nothing else.</summary>
    public async Task AppendAloneAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SharingDbContext>();
        await using var transaction = await ChangeSequence.BeginAsync(db, cancellationToken);
        await AppendAsync(db, entry, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
